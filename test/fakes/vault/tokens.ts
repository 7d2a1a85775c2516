/** The token store: service tokens with TTL and max TTL, renewal, revocation, expiry and their namespace. */
import type { FakeClock } from './clock.ts';
import { randomBase62, uuid } from './clock.ts';
import { formatGoDuration } from './duration.ts';
import { MESSAGES, type AuthBlock } from './envelope.ts';

/** Vault's system default and maximum TTL: 768h (32 days). */
export const SYSTEM_TTL_SECONDS = 768 * 3600;

/** What a token is issued with. */
export interface TokenSpec {
  /** Namespace path the token lives in ('' for root). */
  readonly namespace: string;
  readonly policies: readonly string[];
  /** Seconds; 0 means the system default (768h). Ignored for root tokens. */
  readonly ttl?: number;
  /** Seconds from creation the token can never outlive; 0 means the system maximum. */
  readonly maxTtl?: number;
  readonly renewable?: boolean;
  readonly meta?: Readonly<Record<string, string>>;
  readonly displayName?: string;
  /** The login path that made it, e.g. `auth/kubernetes/login`; `auth/token/create` otherwise. */
  readonly path?: string;
  /** Leave out the `default` policy. */
  readonly noDefaultPolicy?: boolean;
  /** A root token: every capability, no TTL. */
  readonly root?: boolean;
}

/** A stored token. */
export interface TokenEntry {
  readonly id: string;
  readonly accessor: string;
  readonly namespace: string;
  readonly policies: readonly string[];
  readonly meta: Readonly<Record<string, string>> | null;
  readonly displayName: string;
  readonly path: string;
  readonly root: boolean;
  readonly renewable: boolean;
  readonly entityId: string;
  /** Seconds since the epoch. */
  readonly creationTime: number;
  /** Milliseconds since the epoch. */
  readonly creationMs: number;
  /** The TTL it was issued with (and renews to without an increment). */
  readonly creationTtl: number;
  readonly maxTtl: number;
  /** Milliseconds since the epoch; undefined for root tokens. */
  expiresAt: number | undefined;
  state: 'active' | 'revoked' | 'expired';
}

/** Why a token stopped working, for the lease registry to revoke what it owned. */
export type TokenGoneListener = (token: TokenEntry) => void;

/** Token ids and lifetimes, shared by every namespace (ids carry the namespace id, as in Vault). */
export class TokenStore {
  readonly #tokens = new Map<string, TokenEntry>();
  readonly #clock: FakeClock;
  readonly #onGone: TokenGoneListener;
  readonly counts = { issued: 0, renewed: 0, revoked: 0, expired: 0 };

  constructor(clock: FakeClock, onGone: TokenGoneListener) {
    this.#clock = clock;
    this.#onGone = onGone;
  }

  /** Issues a token; `namespaceId` is appended to ids of tokens outside the root namespace. */
  issue(spec: TokenSpec, namespaceId = ''): TokenEntry {
    const suffix = namespaceId === '' ? '' : `.${namespaceId}`;
    const root = spec.root ?? false;
    const policies = root ? ['root'] : [...new Set([...(spec.noDefaultPolicy ? [] : ['default']), ...spec.policies])].sort();
    const maxTtl = root ? 0 : Math.min(spec.maxTtl || SYSTEM_TTL_SECONDS, SYSTEM_TTL_SECONDS);
    const ttl = root ? 0 : Math.min(spec.ttl || SYSTEM_TTL_SECONDS, maxTtl);
    const now = this.#clock.now();
    const entry: TokenEntry = {
      id: `hvs.${randomBase62(24)}${suffix}`,
      accessor: `${randomBase62(24)}${suffix}`,
      namespace: spec.namespace,
      policies,
      meta: spec.meta ? { ...spec.meta } : null,
      displayName: spec.displayName ?? (root ? 'root' : 'token'),
      path: spec.path ?? 'auth/token/create',
      root,
      renewable: !root && (spec.renewable ?? true),
      entityId: root ? '' : uuid(),
      creationTime: Math.floor(now / 1000),
      creationMs: now,
      creationTtl: ttl,
      maxTtl,
      expiresAt: root ? undefined : now + ttl * 1000,
      state: 'active',
    };
    this.#tokens.set(entry.id, entry);
    this.counts.issued += 1;
    return entry;
  }

  /** The active token with this id, or undefined (an expired one is marked so, and its leases go). */
  lookup(id: string): TokenEntry | undefined {
    const entry = this.#tokens.get(id);
    if (!entry) return undefined;
    this.#expireIfDue(entry);
    return entry.state === 'active' ? entry : undefined;
  }

  /** Expires every token whose time has come. */
  sweep(): void {
    for (const entry of this.#tokens.values()) this.#expireIfDue(entry);
  }

  /** Tokens still usable (root tokens not counted). */
  active(): number {
    this.sweep();
    return [...this.#tokens.values()].filter((entry) => entry.state === 'active' && !entry.root).length;
  }

  /**
   * renew-self: the new TTL is `increment` seconds (or the creation TTL) from now, capped by the
   * max TTL counted from creation, with Vault's warning when capped.
   */
  renew(entry: TokenEntry, increment: number): { ttl: number; warnings: string[] } | { error: string } {
    if (!entry.renewable) return { error: MESSAGES.leaseNotRenewable };
    const now = this.#clock.now();
    const requested = increment > 0 ? increment : entry.creationTtl;
    const left = Math.max(0, Math.floor((entry.creationMs + entry.maxTtl * 1000 - now) / 1000));
    const ttl = Math.min(requested, left);
    entry.expiresAt = now + ttl * 1000;
    this.counts.renewed += 1;
    const warnings = ttl < requested ? [MESSAGES.ttlCapped(formatGoDuration(requested), formatGoDuration(left))] : [];
    return { ttl, warnings };
  }

  /** Revokes the token (revoke-self); its leases are revoked with it. */
  revoke(entry: TokenEntry): void {
    if (entry.state !== 'active') return;
    entry.state = 'revoked';
    this.counts.revoked += 1;
    this.#onGone(entry);
  }

  /** Seconds left, 0 for root tokens. */
  ttlLeft(entry: TokenEntry): number {
    return entry.expiresAt === undefined ? 0 : Math.max(0, Math.floor((entry.expiresAt - this.#clock.now()) / 1000));
  }

  /** The `auth` block of a login (lease_duration: the TTL it was issued with) or of renew-self (the new TTL). */
  authBlock(entry: TokenEntry, leaseDuration = entry.creationTtl): AuthBlock {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata: entry.meta,
      lease_duration: leaseDuration,
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    };
  }

  /** The `data` of auth/token/lookup-self. */
  lookupData(entry: TokenEntry): Record<string, unknown> {
    return {
      accessor: entry.accessor,
      creation_time: entry.creationTime,
      creation_ttl: entry.creationTtl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expiresAt === undefined ? null : this.#clock.timestamp(entry.expiresAt),
      explicit_max_ttl: 0,
      id: entry.id,
      issue_time: this.#clock.timestamp(entry.creationMs),
      meta: entry.meta,
      namespace_path: entry.namespace === '' ? '' : `${entry.namespace}/`,
      num_uses: 0,
      orphan: true,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ttl: this.ttlLeft(entry),
      type: 'service',
    };
  }

  #expireIfDue(entry: TokenEntry): void {
    if (entry.state !== 'active' || entry.expiresAt === undefined || entry.expiresAt > this.#clock.now()) return;
    entry.state = 'expired';
    this.counts.expired += 1;
    this.#onGone(entry);
  }
}
