/** Maps Secret Manager call failures to Courier errors that name the secret version and say what to fix. */
import { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError, DeadlineError, NotFoundError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';

/** Secret Manager did not accept the access token (expired early, revoked): the cached token is dropped and exchanged again once. */
export class RejectedTokenError extends AuthError {}

/** What a failed call was about, for the message. */
export interface AccessContext {
  /** The full secret version name asked for. */
  readonly name: string;
  /** The IAM principal the call was made as, e.g. `serviceAccount:app@p.iam.gserviceaccount.com`. */
  readonly principal: string;
  /** True when the Mount's deadline had already passed (the call was cancelled for it). */
  readonly aborted: boolean;
}

/**
 * Turns an error from the Secret Manager client into a CourierError. NOT_FOUND and
 * PERMISSION_DENIED are final; UNAVAILABLE and RESOURCE_EXHAUSTED come back as the errors the
 * fetch layer retries. Google's own status message is kept: it names resources, never values.
 */
export function toSecretManagerError(error: unknown, context: AccessContext): CourierError {
  if (error instanceof CourierError) return error;
  const code = (error as { code?: unknown }).code;
  const said = googleMessage(error);
  const { name, principal } = context;
  switch (code) {
    case status.NOT_FOUND:
      return new NotFoundError(`Secret Manager has no ${name}: the secret does not exist or has no such version${said}`, { cause: error });
    case status.PERMISSION_DENIED:
      return new PermissionError(`Secret Manager denied ${principal} access to ${name}; grant it roles/secretmanager.secretAccessor on the secret${said}`, { cause: error });
    case status.UNAUTHENTICATED:
      return new RejectedTokenError(`Secret Manager rejected the access token of ${principal} for ${name}${said}`, { cause: error });
    case status.FAILED_PRECONDITION:
      return new CourierError(status.FAILED_PRECONDITION, `Secret Manager cannot serve ${name}: the version is disabled or destroyed; enable it or choose another version${said}`, { cause: error });
    case status.INVALID_ARGUMENT:
      return new ConfigError(`Secret Manager refused the name ${name}${said}`, { cause: error });
    case status.RESOURCE_EXHAUSTED:
      return new ThrottledError(`Secret Manager throttled the read of ${name} (quota exhausted)`, { cause: error });
    case status.UNAVAILABLE:
    case status.INTERNAL:
      return new UnavailableError(`Secret Manager is unavailable for ${name}${said}`, { cause: error });
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
      return context.aborted
        ? new DeadlineError(`the Mount's deadline passed while reading ${name} from Secret Manager`, { cause: error })
        : new UnavailableError(`Secret Manager did not answer in time for ${name}`, { cause: error });
    default:
      return new CourierError(status.INTERNAL, `reading ${name} from Secret Manager failed${said || ` (${(error as Error).message})`}`, { cause: error });
  }
}

/** Google's status detail as ` (Secret Manager said: ...)`, or '' when there is none. */
function googleMessage(error: unknown): string {
  const details = (error as { details?: unknown }).details;
  return typeof details === 'string' && details !== '' ? ` (Secret Manager said: ${details})` : '';
}
