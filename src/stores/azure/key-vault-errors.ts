/** Turns Key Vault SDK failures into Courier's typed errors, each naming the object, the vault and who asked, and saying what to fix. */
import { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError, DeadlineError, NotFoundError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';
import type { ObjectKind } from './names.ts';

/** Key Vault did not accept the access token it was sent: the identity's session is rebuilt once (key-vault-store.ts). */
export class RejectedTokenError extends AuthError {}

/** What a failed call was about. */
export interface CallSubject {
  /** `secret "db" in key vault kv`. */
  readonly what: string;
  readonly vault: string;
  readonly host: string;
  readonly kind: ObjectKind;
  readonly operation: 'get' | 'list';
  /** Who asked: `workload identity ... of ns/sa (tenant ...)`. */
  readonly who: string;
  /** The Mount's deadline had passed when the call failed. */
  readonly deadlinePassed: boolean;
}

/** The built-in role that grants each read, for RBAC vaults. */
const RBAC_ROLES: Readonly<Record<ObjectKind, string>> = { secrets: 'Key Vault Secrets User', keys: 'Key Vault Crypto User', certificates: 'Key Vault Certificate User' };
const POLICY_PERMISSION: Readonly<Record<'get' | 'list', string>> = { get: 'Get', list: 'List' };

/** The parts of an SDK error that decide its meaning (a RestError, a network error, an abort). */
interface SdkFailure {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly details?: { readonly error?: { readonly code?: string; readonly message?: string; readonly innerError?: { readonly code?: string } } };
  readonly response?: { readonly headers?: { get(name: string): string | undefined } };
  readonly cause?: unknown;
}

/** Maps one failed Key Vault call. A CourierError raised while getting the token (entra-errors.ts) comes back unchanged. */
export function toKeyVaultError(error: unknown, subject: CallSubject): CourierError {
  const carried = courierErrorIn(error);
  if (carried) return carried;
  const failure = (error ?? {}) as SdkFailure;
  const said = keyVaultSaid(failure);
  const { what, who } = subject;
  if (failure.name === 'AbortError' || failure.code === 'ABORT_ERR') {
    return subject.deadlinePassed
      ? new DeadlineError(`the Mount's deadline passed while reading ${what}`, { cause: error })
      : new UnavailableError(`key vault ${subject.vault} did not answer in time for ${what}`, { cause: error });
  }
  const statusCode = failure.statusCode;
  if (statusCode === undefined) return networkError(failure, subject, error);
  const inner = failure.details?.error?.innerError?.code ?? '';
  if (statusCode === 401) return new RejectedTokenError(`key vault ${subject.vault} did not accept the access token of ${who} for ${what}${said}`, { cause: error });
  if (statusCode === 403 && inner.endsWith('Disabled')) {
    return new CourierError(status.FAILED_PRECONDITION, `${what} is disabled; enable it in Key Vault or pin an enabled version`, { cause: error });
  }
  if (statusCode === 403 && inner === 'ForbiddenByRbac') {
    return new PermissionError(`key vault ${subject.vault} (Azure RBAC) denied ${who} ${subject.operation === 'list' ? 'listing the versions of' : 'reading'} ${what}; assign it the role "${RBAC_ROLES[subject.kind]}" on the vault or on the ${subject.kind.slice(0, -1)}${said}`, { cause: error });
  }
  if (statusCode === 403) {
    return new PermissionError(`key vault ${subject.vault} denied ${who} ${subject.operation === 'list' ? 'listing the versions of' : 'reading'} ${what} by its access policies; give it the ${subject.kind} permission "${POLICY_PERMISSION[subject.operation]}" in the vault's access policy${said}`, { cause: error });
  }
  if (statusCode === 404) return new NotFoundError(`${what} does not exist${said}`, { cause: error });
  if (statusCode === 429) {
    const retryAfterMs = retryAfter(failure.response?.headers?.get('retry-after'));
    return new ThrottledError(`key vault ${subject.vault} throttled reading ${what} (Key Vault allows about 2,000 reads per 10 s per vault)`, { cause: error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  if (statusCode === 408 || statusCode >= 500) return new UnavailableError(`key vault ${subject.vault} answered ${statusCode} for ${what}${said}`, { cause: error });
  if (statusCode === 400) return new ConfigError(`key vault ${subject.vault} refused the request for ${what}${said}`, { cause: error });
  return new CourierError(status.INTERNAL, `key vault ${subject.vault} answered ${statusCode} for ${what}${said}`, { cause: error });
}

function networkError(failure: SdkFailure, subject: CallSubject, error: unknown): CourierError {
  const code = failure.code ?? (failure.cause as { code?: string } | undefined)?.code ?? '';
  if (code === 'ENOTFOUND' || /ENOTFOUND/.test(failure.message ?? '')) {
    return new UnavailableError(`${subject.host} does not resolve (ENOTFOUND) for ${subject.what}: check keyvaultName and cloudName, and the node's DNS for private endpoints`, { cause: error });
  }
  return new UnavailableError(`key vault ${subject.vault} could not be reached for ${subject.what}: ${failure.message ?? String(error)}`, { cause: error });
}

/** The first CourierError in an error's cause chain (the token credential throws them; the SDK may wrap them). */
export function courierErrorIn(error: unknown): CourierError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth += 1) {
    if (current instanceof CourierError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Key Vault's error text as ` (Key Vault said: ...)`: it names objects and principals, never values. */
function keyVaultSaid(failure: SdkFailure): string {
  const message = failure.details?.error?.message ?? failure.message;
  if (message === undefined || message === '') return '';
  return ` (Key Vault said: ${message.replace(/\s*\r?\n\s*/g, ' ').trim()})`;
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
export function retryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
