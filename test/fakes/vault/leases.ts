/** The lease registry: dynamic secrets with TTL and max TTL, renewed and revoked by id, gone with their token. */
import type { FakeClock } from './clock.ts';
import { randomBase62 } from './clock.ts';
import { formatGoDuration } from './duration.ts';
import { MESSAGES } from './envelope.ts';

/** A lease as the fake tracks it. */
export interface Lease {
  readonly id: string;
  readonly namespace: string;
  /** The secret's path without the random part: `database/creds/readonly`. */
  readonly path: string;
  readonly tokenId: string;
  readonly issuedAt: number;
  readonly maxTtl: number;
  readonly renewable: boolean;
  ttl: number;
  expiresAt: number;
  state: 'active' | 'revoked' | 'expired';
  renewals: number;
}

/** What the engine asks for when it mints a secret. */
export interface LeaseSpec {
  readonly namespace: string;
  readonly namespaceId: string;
  readonly path: string;
  readonly tokenId: string;
  readonly ttl: number;
  readonly maxTtl: number;
  readonly renewable?: boolean;
}

/** Every lease of every namespace. */
export class LeaseRegistry {
  readonly #leases = new Map<string, Lease>();
  readonly #clock: FakeClock;
  readonly counts = { issued: 0, renewed: 0, revoked: 0, expired: 0 };

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** Records a new lease; its id is `<path>/<random>` (plus `.<namespace id>` outside the root namespace). */
  issue(spec: LeaseSpec): Lease {
    const now = this.#clock.now();
    const ttl = Math.min(spec.ttl, spec.maxTtl);
    const lease: Lease = {
      id: `${spec.path}/${randomBase62(24)}${spec.namespaceId === '' ? '' : `.${spec.namespaceId}`}`,
      namespace: spec.namespace,
      path: spec.path,
      tokenId: spec.tokenId,
      issuedAt: now,
      maxTtl: spec.maxTtl,
      renewable: spec.renewable ?? true,
      ttl,
      expiresAt: now + ttl * 1000,
      state: 'active',
      renewals: 0,
    };
    this.#leases.set(lease.id, lease);
    this.counts.issued += 1;
    return lease;
  }

  /** sys/leases/renew: `increment` seconds from now (or the original TTL), capped by the max TTL from issue. */
  renew(id: string, namespace: string, increment: number): { lease: Lease; warnings: string[] } | { error: string } {
    const lease = this.#find(id, namespace);
    if (!lease) return { error: MESSAGES.leaseNotFound };
    if (!lease.renewable) return { error: MESSAGES.leaseNotRenewable };
    const now = this.#clock.now();
    const requested = increment > 0 ? increment : lease.ttl;
    const left = Math.max(0, Math.floor((lease.issuedAt + lease.maxTtl * 1000 - now) / 1000));
    lease.ttl = Math.min(requested, left);
    lease.expiresAt = now + lease.ttl * 1000;
    lease.renewals += 1;
    this.counts.renewed += 1;
    const warnings = lease.ttl < requested ? [MESSAGES.ttlCapped(formatGoDuration(requested), formatGoDuration(left))] : [];
    return { lease, warnings };
  }

  /** sys/leases/revoke: revokes an active lease; an unknown one is not an error (Vault answers 204 either way). */
  revoke(id: string, namespace: string): boolean {
    const lease = this.#find(id, namespace);
    if (!lease) return false;
    lease.state = 'revoked';
    this.counts.revoked += 1;
    return true;
  }

  /** Revokes every active lease made with this token (the token was revoked or expired). */
  revokeOwnedBy(tokenId: string): void {
    this.sweep();
    for (const lease of this.#leases.values()) {
      if (lease.tokenId !== tokenId || lease.state !== 'active') continue;
      lease.state = 'revoked';
      this.counts.revoked += 1;
    }
  }

  /** Marks every lease past its time as expired. */
  sweep(): void {
    const now = this.#clock.now();
    for (const lease of this.#leases.values()) {
      if (lease.state === 'active' && lease.expiresAt <= now) {
        lease.state = 'expired';
        this.counts.expired += 1;
      }
    }
  }

  /** Every lease so far, oldest first. */
  all(): readonly Lease[] {
    this.sweep();
    return [...this.#leases.values()];
  }

  /** Leases neither revoked nor expired. */
  active(): number {
    return this.all().filter((lease) => lease.state === 'active').length;
  }

  #find(id: string, namespace: string): Lease | undefined {
    this.sweep();
    const lease = this.#leases.get(id);
    return lease && lease.namespace === namespace && lease.state === 'active' ? lease : undefined;
  }
}
