/** The seam between the fake's router and its secrets engines and auth methods. */
import type { FakeClock } from './clock.ts';
import type { VaultReply } from './envelope.ts';
import type { LeaseRegistry } from './leases.ts';
import type { TokenEntry, TokenSpec } from './tokens.ts';

/** The operation Vault derives from the HTTP method (and `?list=true`). */
export type Operation = 'read' | 'list' | 'create' | 'update' | 'delete' | 'patch';

/** Where a request landed. */
export interface NamespaceRef {
  /** '' for root, else `team-a` or `team-a/child`. */
  readonly path: string;
  /** '' for root, else the id appended to its tokens and leases. */
  readonly id: string;
}

/** Shared by every namespace of one fake. */
export interface VaultCore {
  readonly clock: FakeClock;
  readonly leases: LeaseRegistry;
}

/** A request routed to a secrets engine. */
export interface EngineRequest {
  readonly operation: Operation;
  /** Path below the mount: `data/app/db` for `secret/data/app/db`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Record<string, unknown>;
  readonly token: TokenEntry;
  readonly namespace: NamespaceRef;
  /** The mount path without its slash: `secret`. */
  readonly mount: string;
}

/** A secrets engine (KV v1/v2, database, PKI). */
export interface SecretsEngine {
  /** The mount's `type`: kv, database, pki. */
  readonly type: string;
  /** The mount's `options` as sys/internal/ui/mounts reports them. */
  readonly options: Readonly<Record<string, string>> | null;
  /** Vault's existence check: whether a write to `path` updates (true) or creates (false); absent means update. */
  exists?(path: string): boolean;
  handle(request: EngineRequest): VaultReply;
}

/** A login request routed to an auth method. */
export interface LoginRequest {
  readonly body: Record<string, unknown>;
  readonly namespace: NamespaceRef;
  /** The auth mount without `auth/` and slash: `kubernetes`. */
  readonly mount: string;
}

/** A login's outcome: a token to issue, or an error answer. The role is recorded either way. */
export type LoginOutcome = { readonly role: string; readonly token: Omit<TokenSpec, 'namespace'> } | { readonly role: string; readonly reply: VaultReply };

/** An auth method (Kubernetes, JWT). */
export interface AuthMethod {
  readonly type: string;
  login(request: LoginRequest): Promise<LoginOutcome>;
}

/** Reads a string field of a request body; Vault's framework turns numbers into strings too. */
export function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
