/** Vault tokens cached per identity: one login in flight per identity, renew-self while renewable, a new login before expiry. */
import { failureLabel } from '../../errors/to-grpc-status.ts';
import { ExpiringMemo } from '../../identity/expiring-memo.ts';
import type { ExchangeRecorder } from '../../observability/exchange-metrics.ts';
import type { VaultMetrics } from './metrics.ts';

/** What a login or renew-self returned (`auth` of Vault's answer). */
export interface AuthGrant {
  readonly clientToken: string;
  readonly accessor: string;
  /** Seconds; 0 means the token does not expire. */
  readonly leaseDurationS: number;
  readonly renewable: boolean;
}

/** A token Courier holds. `expiresAt` moves when the token is renewed; leases minted with it read it. */
export interface HeldToken {
  readonly id: string;
  readonly accessor: string;
  readonly renewable: boolean;
  /** The TTL of the login, in ms (Infinity: no expiry). */
  readonly loginTtlMs: number;
  /** Epoch ms after which Vault refuses the token; Infinity when it does not expire. */
  expiresAt: number;
}

/** How to get a token for one identity; the closures carry the pod's checked JWT. */
export interface TokenExchange {
  login(): Promise<AuthGrant>;
  renew(token: HeldToken): Promise<AuthGrant>;
}

/** Identities kept at most (expired ones go first). */
const MAX_IDENTITIES = 10_000;
/** A token is renewed (or replaced) once this part of its time has passed, as Vault's own clients do. */
const RENEW_AT = 2 / 3;
/** A renewal that leaves less than this part of the login's TTL is near the max TTL: log in again instead. */
const MIN_RENEWED_PART = 1 / 3;
/** A token that does not expire is still checked (renewed or replaced) this often. */
const NO_EXPIRY_RECHECK_MS = 60 * 60_000;
/** When renewing and logging in both fail, a token with this much time left is served a little longer. */
const GRACE_MS = 10_000;

/**
 * The token cache. Keys are token identities (settings.ts): address, namespace, auth mount, role and
 * the pod's namespace and service account, so every pod of one service account shares a token — the
 * role's bindings are per service account, so the token is the same one a second login would give.
 */
export class VaultTokens {
  readonly #memo: ExpiringMemo<HeldToken>;
  /** The last token per identity, kept past its renewal point so it can be renewed. */
  readonly #held = new Map<string, HeldToken>();
  readonly #now: () => number;
  readonly #metrics: VaultMetrics;
  readonly #maxJoinAgeMs: number;
  readonly #record: ExchangeRecorder | undefined;

  /** `maxJoinAgeMs`: a caller does not join a login older than this (it is hung; start anew). `record` counts logins in courier_token_exchanges_total. */
  constructor(metrics: VaultMetrics, maxJoinAgeMs: number, now: () => number = Date.now, record?: ExchangeRecorder) {
    this.#memo = new ExpiringMemo(MAX_IDENTITIES, now);
    this.#now = now;
    this.#metrics = metrics;
    this.#maxJoinAgeMs = maxJoinAgeMs;
    this.#record = record;
  }

  /** A usable token for `key`: cached, renewed, or from a login shared by every concurrent caller. */
  get(key: string, exchange: TokenExchange): Promise<HeldToken> {
    const cached = this.#memo.cached(key);
    if (cached) {
      this.#metrics.tokenCacheHits.inc();
      return Promise.resolve(cached);
    }
    return this.#memo.get(key, () => this.#obtain(key, exchange), this.#maxJoinAgeMs);
  }

  /**
   * Drops `token` of `key` (Vault answered 403 "invalid token"), unless it was already replaced: two
   * Mounts refused with the same token then cause one login, not two. Leases minted with it lapse.
   */
  forget(key: string, token: HeldToken): void {
    token.expiresAt = 0;
    if (this.#held.get(key) !== token) return;
    this.#held.delete(key);
    this.#memo.delete(key);
  }

  /** Identities with a token held (for tests and metrics). */
  get size(): number {
    return this.#held.size;
  }

  async #obtain(key: string, exchange: TokenExchange): Promise<{ value: HeldToken; until: number }> {
    const held = this.#held.get(key);
    const renewed = held === undefined ? undefined : await this.#renew(held, exchange);
    if (renewed) return renewed;
    let grant: AuthGrant;
    try {
      grant = await exchange.login();
    } catch (error) {
      this.#metrics.logins.inc({ outcome: failureLabel(error) });
      this.#record?.('login', error);
      // Vault is briefly unreachable but the held token still works: use it a little longer.
      if (held !== undefined && held.expiresAt - this.#now() > 2 * GRACE_MS) return { value: held, until: this.#now() + GRACE_MS };
      throw error;
    }
    this.#metrics.logins.inc({ outcome: 'ok' });
    this.#record?.('login', 'ok');
    const now = this.#now();
    const ttlMs = grant.leaseDurationS > 0 ? grant.leaseDurationS * 1000 : Number.POSITIVE_INFINITY;
    const token: HeldToken = { id: grant.clientToken, accessor: grant.accessor, renewable: grant.renewable, loginTtlMs: ttlMs, expiresAt: now + ttlMs };
    this.#hold(key, token);
    return { value: token, until: renewPoint(now, ttlMs) };
  }

  /** renew-self for a held token that is renewable and not expired; undefined when a login should follow. */
  async #renew(held: HeldToken, exchange: TokenExchange): Promise<{ value: HeldToken; until: number } | undefined> {
    if (!held.renewable || held.expiresAt - this.#now() <= GRACE_MS) return undefined;
    try {
      const grant = await exchange.renew(held);
      const ttlMs = grant.leaseDurationS > 0 ? grant.leaseDurationS * 1000 : Number.POSITIVE_INFINITY;
      const now = this.#now();
      held.expiresAt = now + ttlMs;
      if (ttlMs < held.loginTtlMs * MIN_RENEWED_PART) {
        this.#metrics.tokenRenewals.inc({ outcome: 'capped' });
        return undefined;
      }
      this.#metrics.tokenRenewals.inc({ outcome: 'ok' });
      return { value: held, until: renewPoint(now, ttlMs) };
    } catch {
      this.#metrics.tokenRenewals.inc({ outcome: 'failed' });
      return undefined;
    }
  }

  #hold(key: string, token: HeldToken): void {
    this.#held.delete(key);
    if (this.#held.size >= MAX_IDENTITIES) {
      const now = this.#now();
      for (const [old, value] of this.#held) if (value.expiresAt <= now) this.#held.delete(old);
      const [oldest] = this.#held.keys();
      if (this.#held.size >= MAX_IDENTITIES && oldest !== undefined) this.#held.delete(oldest);
    }
    this.#held.set(key, token);
  }
}

function renewPoint(now: number, ttlMs: number): number {
  return Number.isFinite(ttlMs) ? now + ttlMs * RENEW_AT : now + NO_EXPIRY_RECHECK_MS;
}
