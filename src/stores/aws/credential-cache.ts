/** Caches AWS credentials per identity until shortly before they expire, with one exchange in flight per key. */
import { ExpiringMemo } from '../../identity/expiring-memo.ts';

/** Temporary AWS credentials, shaped like the SDK's AwsCredentialIdentity. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** How long before expiry cached credentials stop being handed out. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** Entries kept at most; expired ones are dropped first. */
const MAX_ENTRIES = 10_000;

/**
 * Keys are (identity, region) strings built by the caller; an identity is namespace, service
 * account and role (or the Pod Identity agent), so credentials never cross from one service
 * account to another. A failed exchange is not cached: the next request tries again.
 */
export class AwsCredentialCache {
  readonly #memo: ExpiringMemo<AwsCredentials>;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#memo = new ExpiringMemo(MAX_ENTRIES, now);
    this.#now = now;
  }

  /** Returns cached credentials for `key`, or runs `exchange` once for all concurrent callers. */
  get(key: string, exchange: () => Promise<AwsCredentials>): Promise<AwsCredentials> {
    return this.#memo.get(key, async () => {
      const credentials = await exchange();
      return { value: credentials, until: this.#usableUntil(credentials) };
    });
  }

  /** Drops the credentials of `key` (AWS refused them as expired or unknown). */
  forget(key: string): void {
    this.#memo.delete(key);
  }

  /** Number of usable entries (for tests and metrics). */
  get size(): number {
    return this.#memo.size;
  }

  /** Credentials without an expiry are not cached: Courier cannot tell when they stop working. */
  #usableUntil(credentials: AwsCredentials): number {
    const expiresAt = credentials.expiration?.getTime();
    if (expiresAt === undefined) return Number.NEGATIVE_INFINITY;
    const lifetime = expiresAt - this.#now();
    return expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 2);
  }
}
