/** Turns Vault's answers and transport failures into Courier's typed errors, each naming the path and saying what to fix. */
import { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError, DeadlineError, NotFoundError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';
import { TransportError, type VaultReply } from './http.ts';

/** Vault no longer accepts the cached token (expired early, revoked): it is dropped and the pod logs in again, once. */
export class RejectedTokenError extends AuthError {}

/** What a failed call was about, for messages. */
export interface VaultSubject {
  /** `read of "secret/data/app/db"`, `login at auth/kubernetes`. */
  readonly what: string;
  /** `role "app" (auth/kubernetes) for team-a/app`. */
  readonly who: string;
  /** The address (and namespace) the call went to. */
  readonly where: string;
}

/** Vault's `errors`, multierror formatting removed: `permission denied; invalid token`. Never a body that could hold a value. */
export function vaultSaid(body: unknown): string {
  const list = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(list)) return '';
  const items = list
    .filter((item): item is string => typeof item === 'string')
    .flatMap((item) => (item.includes('\n\t* ') ? [...item.matchAll(/\n\t\* ([^\n]+)/g)].map((match) => match[1] ?? '') : [item.trim()]))
    .filter((item) => item !== '');
  const text = items.join('; ');
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** Vault's warnings, for 404s that carry a reason in them (a v1-style path on a KV v2 mount). */
function warnings(body: unknown): string[] {
  const list = (body as { warnings?: unknown } | undefined)?.warnings;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

/** True for a 403 whose errors say the token itself is bad (Vault 1.17+ and OpenBao add "invalid token"). */
export function isInvalidToken(reply: VaultReply): boolean {
  return reply.status === 403 && vaultSaid(reply.body).includes('invalid token');
}

/** The Retry-After of a 429, in ms. */
function retryAfterMs(reply: VaultReply): number | undefined {
  const value = Number(reply.headers['retry-after']);
  return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
}

/** Errors every call shares: throttling and outages. Undefined when the status needs the caller's own wording. */
function commonError(reply: VaultReply, subject: VaultSubject): CourierError | undefined {
  const said = vaultSaid(reply.body);
  const detail = `HTTP ${reply.status}${said === '' ? '' : `: ${said}`}`;
  if (reply.status === 429) {
    const after = retryAfterMs(reply);
    return new ThrottledError(`Vault at ${subject.where} throttled the ${subject.what} (${detail})`, after === undefined ? {} : { retryAfterMs: after });
  }
  if (reply.status === 412 || reply.status >= 500) return new UnavailableError(`Vault at ${subject.where} could not serve the ${subject.what} (${detail}); it may be sealed, in standby or overloaded`);
  return undefined;
}

/** The error for a failed secret read or write-to-issue. */
export function readError(reply: VaultReply, subject: VaultSubject, path: string, capability: string): CourierError {
  const common = commonError(reply, subject);
  if (common) return common;
  const said = vaultSaid(reply.body);
  const detail = `HTTP ${reply.status}${said === '' ? '' : `: ${said}`}`;
  switch (reply.status) {
    case 400:
      return new ConfigError(`Vault refused the ${subject.what} (${detail}); check the path, the method and its arguments`);
    case 403:
      if (isInvalidToken(reply)) return new RejectedTokenError(`Vault no longer accepts the token of ${subject.who} (${detail})`);
      return new PermissionError(`Vault denied ${subject.who} the ${subject.what} (${detail}); grant the role's policies "${capability}" on "${path}"`);
    case 404:
      return notFound(reply, path);
    case 405:
      return new ConfigError(`Vault does not serve the ${subject.what} (${detail}); check the method: GET, or PUT/POST for engines that issue on write`);
    default:
      return new CourierError(status.INTERNAL, `Vault answered the ${subject.what} with ${detail}`);
  }
}

function notFound(reply: VaultReply, path: string): CourierError {
  const metadata = (reply.body as { data?: { metadata?: { version?: unknown; deletion_time?: unknown; destroyed?: unknown } } } | undefined)?.data?.metadata;
  if (metadata?.destroyed === true) return new NotFoundError(`version ${String(metadata.version)} of "${path}" is destroyed; pin another version or write a new one`);
  if (typeof metadata?.deletion_time === 'string' && metadata.deletion_time !== '') return new NotFoundError(`version ${String(metadata.version)} of "${path}" is deleted; undelete it or pin another version`);
  if (warnings(reply.body).some((warning) => warning.includes('versioned K/V'))) {
    return new NotFoundError(`Vault has nothing at "${path}": its mount is KV version 2, whose secrets are read at <mount>/data/<path>; write the path with data/, or use the native vault: source, which adds it`);
  }
  return new NotFoundError(`Vault has no secret at "${path}"`);
}

/** The error for a refused login. */
export function loginError(reply: VaultReply, subject: VaultSubject, roleField: string): CourierError {
  const common = commonError(reply, subject);
  if (common) return common;
  const said = vaultSaid(reply.body);
  const detail = `HTTP ${reply.status}${said === '' ? '' : `: ${said}`}`;
  if (reply.status === 400) return new AuthError(`Vault refused the login of ${subject.who} (${detail}); check ${roleField} and that the role exists on that auth mount`);
  if (reply.status === 403 || reply.status === 401) {
    return new AuthError(`Vault refused the login of ${subject.who} (${detail}); check the role's bound service accounts, namespaces and audience, and that the auth method trusts this cluster's tokens`);
  }
  if (reply.status === 404 || reply.status === 405) return new AuthError(`Vault has no ${subject.what} (${detail}); check the auth mount path`);
  return new CourierError(status.INTERNAL, `Vault answered the login of ${subject.who} with ${detail}`);
}

/** The error for a call that got no reply. */
export function transportFailure(error: unknown, subject: VaultSubject): CourierError {
  if (error instanceof CourierError) return error;
  if (!(error instanceof TransportError)) return new CourierError(status.INTERNAL, `the ${subject.what} at ${subject.where} failed: ${(error as Error).message}`, { cause: error });
  switch (error.kind) {
    case 'aborted':
      return new DeadlineError(`the Mount's deadline passed during the ${subject.what} at ${subject.where}`, { cause: error });
    case 'timeout':
      return new UnavailableError(`Vault at ${subject.where} did not answer the ${subject.what} in time (${error.message})`, { cause: error });
    case 'too-large':
      return new CourierError(status.RESOURCE_EXHAUSTED, `Vault's answer to the ${subject.what} is too large to mount (${error.message})`, { cause: error });
    case 'not-json':
      return new UnavailableError(`${subject.where} answered the ${subject.what} with something that is not Vault (${error.message}); check the address`, { cause: error });
    case 'network':
      return tlsOrNetwork(error, subject);
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME|SSL/;

function tlsOrNetwork(error: TransportError, subject: VaultSubject): CourierError {
  if (error.code !== undefined && TLS_CODES.test(error.code)) {
    // Not retried: a certificate that does not verify will not verify a second later.
    return new CourierError(
      status.FAILED_PRECONDITION,
      `the TLS connection to Vault at ${subject.where} failed (${error.code}: ${error.message.split(';')[0] ?? ''}); check --vault-ca-cert / --vault-ca-dir, --vault-tls-server-name and the client certificate`,
      { cause: error },
    );
  }
  return new UnavailableError(`Vault at ${subject.where} could not be reached for the ${subject.what} (${error.code ?? error.message}); check the address and the network path`, { cause: error });
}
