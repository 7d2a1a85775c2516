/** Vault's response envelope, error bodies and the exact error texts the fake answers with. */
import { randomUUID } from 'node:crypto';

/** What a handler answers: an HTTP status, a JSON body (none for 204) and extra headers. */
export interface VaultReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The `auth` block of a login or renew-self answer. */
export interface AuthBlock {
  readonly client_token: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly token_policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly lease_duration: number;
  readonly renewable: boolean;
  readonly entity_id: string;
  readonly token_type: 'service';
  readonly orphan: boolean;
  readonly mfa_requirement: null;
  readonly num_uses: number;
}

/** The parts of an envelope a handler fills in; the rest take Vault's defaults. */
export interface EnvelopeParts {
  readonly data?: unknown;
  readonly leaseId?: string;
  readonly renewable?: boolean;
  readonly leaseDuration?: number;
  readonly warnings?: readonly string[];
  readonly auth?: AuthBlock;
  readonly mountType?: string;
}

/** The full envelope, keys in the order Vault writes them. */
export function envelope(parts: EnvelopeParts): Record<string, unknown> {
  return {
    request_id: randomUUID(),
    lease_id: parts.leaseId ?? '',
    renewable: parts.renewable ?? false,
    lease_duration: parts.leaseDuration ?? 0,
    data: parts.data ?? null,
    wrap_info: null,
    warnings: parts.warnings && parts.warnings.length > 0 ? parts.warnings : null,
    auth: parts.auth ?? null,
    mount_type: parts.mountType ?? '',
  };
}

/** 200 with an envelope. */
export function ok(parts: EnvelopeParts, status = 200): VaultReply {
  return { status, body: envelope(parts) };
}

/** 204 No Content, as Vault answers deletes, revokes and KV v2 version operations. */
export function noContent(): VaultReply {
  return { status: 204 };
}

/** An error body `{"errors":[...]}`; an empty list is Vault's plain 404. */
export function errors(status: number, ...messages: string[]): VaultReply {
  return { status, body: { errors: messages } };
}

/** Error texts as Vault writes them (multierror formatting included). */
export const MESSAGES = {
  /** A token that is valid but whose policies do not allow the operation. */
  policyDenied: '1 error occurred:\n\t* permission denied\n\n',
  /** A missing, expired or revoked token (Vault 1.17 and later add "invalid token"). */
  invalidToken: '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n',
  /** A bare denial: a login whose signature check failed, a request without a token. */
  permissionDenied: 'permission denied',
  sealed: 'Vault is sealed',
  standby: 'local node not active but active cluster node not found',
  kvV2WrongPath:
    "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv get' for this operation.",
  casMismatch: 'check-and-set parameter did not match the current version',
  leaseNotFound: 'lease not found',
  leaseNotRenewable: 'lease is not renewable',
  noRoute: (path: string) => `no handler for route "${path}". route entry not found.`,
  preflight: (path: string) => `preflight capability check returned 403, please ensure client's policies grant access to path "${path}"`,
  rateLimited: (path: string) => `request path "${path}": rate limit quota exceeded`,
  ttlCapped: (requested: string, max: string) => `TTL of "${requested}" exceeded the effective max_ttl of "${max}"; TTL value is capped accordingly`,
} as const;
