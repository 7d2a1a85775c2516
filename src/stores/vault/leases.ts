/** Leased answers (dynamic credentials, issued certificates) kept per pod until a fraction of their lease, so republishes do not mint new ones. */
import { ExpiringMemo } from '../../identity/expiring-memo.ts';
import type { VaultMetrics } from './metrics.ts';
import type { VaultResponse } from './response.ts';
import type { HeldToken } from './tokens.ts';

/** A read made for one pod, and the token it was made with (Vault revokes a token's leases with it). */
export interface PodRead {
  readonly response: VaultResponse;
  readonly token: HeldToken;
}

/** Entries kept at most: a node runs about a hundred pods, each with a few leases. */
const MAX_ENTRIES = 10_000;
/** A lease is replaced this long before its token expires (at most 3 min, a quarter of the token's TTL when shorter). */
const TOKEN_MARGIN_MS = 3 * 60_000;

/**
 * Per-pod reads. Keys carry the pod (vault-store.ts), so nothing here crosses pods. A leased answer
 * (or a certificate with an `expiration`) is served again until `fraction` of its lifetime has passed, or until the token that minted it nears
 * its end, since Vault revokes a token's leases when the token expires; then the next Mount gets a
 * new one. An answer without a lease is not kept (the fetch layer's per-pod cache covers it).
 * Concurrent reads of one key share one Vault call, so one Mount never mints two credentials for
 * one path.
 */
export class LeaseCache {
  readonly #memo: ExpiringMemo<PodRead>;
  /** Until when each kept lease is served, for the held-leases gauge. */
  readonly #held = new Map<string, number>();
  readonly #fraction: number;
  readonly #metrics: VaultMetrics;
  readonly #now: () => number;

  constructor(fraction: number, metrics: VaultMetrics, now: () => number = Date.now) {
    this.#memo = new ExpiringMemo(MAX_ENTRIES, now);
    this.#fraction = fraction;
    this.#metrics = metrics;
    this.#now = now;
  }

  /** The pod's answer for `key`: the lease it holds while still good, else a new read by `load`. */
  async read(key: string, load: () => Promise<PodRead>): Promise<VaultResponse> {
    const kept = this.#memo.cached(key);
    if (kept && this.#tokenLasts(kept.token)) {
      this.#metrics.leasesReused.inc();
      return kept.response;
    }
    if (kept) this.#forget(key);
    const read = await this.#memo.get(key, async () => {
      const fresh = await load();
      const lifetime = this.#lifetimeMs(fresh.response);
      if (lifetime === undefined) return { value: fresh, until: this.#now() };
      this.#metrics.leasesIssued.inc();
      const until = this.#now() + lifetime * this.#fraction;
      if (this.#held.size >= MAX_ENTRIES) this.#prune();
      this.#held.set(key, until);
      return { value: fresh, until };
    });
    return read.response;
  }

  /** Leases kept right now (expired entries are pruned). */
  get size(): number {
    this.#prune();
    return this.#held.size;
  }

  /** Drops what has passed its time, then the oldest while over the bound (the memo drops those too). */
  #prune(): void {
    const now = this.#now();
    for (const [key, until] of this.#held) if (until <= now) this.#held.delete(key);
    for (const key of this.#held.keys()) {
      if (this.#held.size < MAX_ENTRIES) break;
      this.#held.delete(key);
    }
  }

  /**
   * How long an answer is good for: its lease, or for a certificate issued without one (PKI roles
   * lease only with generate_lease) the time until its `expiration`. Undefined: not kept.
   */
  #lifetimeMs(response: VaultResponse): number | undefined {
    if (response.leaseId !== '') return response.leaseDurationS > 0 ? response.leaseDurationS * 1000 : undefined;
    const expiration = response.data?.['expiration'];
    const left = typeof expiration === 'number' ? expiration * 1000 - this.#now() : 0;
    return left > 0 ? left : undefined;
  }

  #tokenLasts(token: HeldToken): boolean {
    const margin = Math.min(TOKEN_MARGIN_MS, token.loginTtlMs / 4);
    return token.expiresAt - margin > this.#now();
  }

  #forget(key: string): void {
    this.#memo.delete(key);
    this.#held.delete(key);
  }
}
