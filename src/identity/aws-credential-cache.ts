/** Caches AWS credentials per identity until shortly before they expire, with one exchange in flight per key. */

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

interface Entry {
  readonly credentials: AwsCredentials;
  readonly usableUntil: number;
}

/**
 * Keys are (identity, region) strings built by the caller; an identity is namespace, service
 * account and role (or the Pod Identity agent), so credentials never cross from one service
 * account to another. A failed exchange is not cached: the next request tries again.
 */
export class AwsCredentialCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<AwsCredentials>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Returns cached credentials for `key`, or runs `exchange` once for all concurrent callers. */
  async get(key: string, exchange: () => Promise<AwsCredentials>): Promise<AwsCredentials> {
    const entry = this.#entries.get(key);
    if (entry && entry.usableUntil > this.#now()) return entry.credentials;
    const running = this.#inFlight.get(key);
    if (running) return running;
    const started = exchange()
      .then((credentials) => {
        this.#store(key, credentials);
        return credentials;
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, started);
    return started;
  }

  /** Number of usable entries (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #store(key: string, credentials: AwsCredentials): void {
    const expiresAt = credentials.expiration?.getTime();
    // Credentials without an expiry are not cached: Courier cannot tell when they stop working.
    if (expiresAt === undefined) return;
    const lifetime = expiresAt - this.#now();
    const usableUntil = expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 2);
    if (usableUntil <= this.#now()) return;
    if (this.#entries.size >= MAX_ENTRIES) this.#prune();
    this.#entries.set(key, { credentials, usableUntil });
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.usableUntil <= now) this.#entries.delete(key);
    const oldest = this.#entries.keys().next();
    if (this.#entries.size >= MAX_ENTRIES && !oldest.done) this.#entries.delete(oldest.value);
  }
}
