/** Turns AWS SDK failures into Courier's typed errors, each naming the object it was about. */
import { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError, NotFoundError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';

/**
 * AWS did not accept the credentials a request was signed with (expired, or unknown to it): the
 * cached credentials of that identity are dropped and exchanged again once (store-base.ts).
 */
export class RejectedCredentialsError extends AuthError {}

/** What a failure was about, for messages: `Secrets Manager secret "db"` in `us-east-1`, as `role ...`. */
export interface AwsSubject {
  readonly service: string;
  readonly what: string;
  readonly region: string;
  /** Who asked, e.g. `role arn:aws:iam::1:role/app (IRSA for ns/sa)`. */
  readonly who: string;
}

/** The parts of an SDK error (or a BatchGetSecretValue per-secret error) that decide its meaning. */
export interface AwsFailure {
  readonly code: string;
  readonly httpStatus?: number;
  readonly message?: string;
  readonly retryAfterMs?: number;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'PriorRequestNotComplete', 'ProvisionedThroughputExceededException']);
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'DecryptionFailure', 'KMSAccessDeniedException', 'UnauthorizedOperation']);
const NOT_FOUND = new Set(['ResourceNotFoundException', 'ParameterNotFound', 'ParameterVersionNotFound', 'ParameterVersionLabelLimitExceeded']);
const CREDENTIALS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'ExpiredTokenException', 'ExpiredToken', 'IncompleteSignature', 'MissingAuthenticationToken']);
const TRANSIENT = new Set(['InternalServiceError', 'InternalServiceErrorException', 'InternalServerError', 'InternalFailure', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'TimeoutError', 'ECONNABORTED']);

/** Reads code, HTTP status and Retry-After from whatever the SDK threw. */
export function toAwsFailure(error: unknown): AwsFailure {
  const value = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: unknown }; $response?: { headers?: Record<string, unknown> };
  };
  const errno = typeof value.code === 'string' ? value.code : undefined;
  const name = typeof value.name === 'string' ? value.name : 'Error';
  const httpStatus = typeof value.$metadata?.httpStatusCode === 'number' ? value.$metadata.httpStatusCode : undefined;
  const retryAfter = Number(value.$response?.headers?.['retry-after']);
  return {
    code: errno !== undefined && NETWORK.has(errno) ? errno : name,
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(typeof value.message === 'string' ? { message: value.message } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  };
}

/** True for failures worth trying again or in the failover region: throttling, 5xx, network. */
export function isTransient(error: CourierError): boolean {
  return error instanceof ThrottledError || error instanceof UnavailableError;
}

/** The Courier error for an AWS failure about `subject`. A CourierError (from credentials) passes through. */
export function toCourierError(error: unknown, subject: AwsSubject): CourierError {
  if (error instanceof CourierError) return error;
  if (isAbort(error)) return new UnavailableError(`the request to AWS ${subject.service} in ${subject.region} for ${subject.what} was cancelled`, { cause: error });
  return fromFailure(toAwsFailure(error), subject, error);
}

/** The Courier error for a failure given as code and message (BatchGetSecretValue's per-secret errors). */
export function fromFailure(failure: AwsFailure, subject: AwsSubject, cause?: unknown): CourierError {
  const { code, httpStatus } = failure;
  const where = `AWS ${subject.service} in ${subject.region}`;
  const options = cause === undefined ? {} : { cause };
  if (THROTTLING.has(code) || httpStatus === 429) {
    return new ThrottledError(`${where} throttled the request for ${subject.what} (${code})`, { ...options, ...(failure.retryAfterMs === undefined ? {} : { retryAfterMs: failure.retryAfterMs }) });
  }
  if (NETWORK.has(code)) return new UnavailableError(`${where} could not be reached for ${subject.what} (${code}); check the network path or the endpoint (AWS_ENDPOINT_URL_*)`, options);
  if (DENIED.has(code)) return new PermissionError(`${subject.who} may not read ${subject.what} in ${subject.region} (${code}); grant it in the role's IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)`, options);
  if (NOT_FOUND.has(code)) return new NotFoundError(`${subject.what} does not exist in ${subject.region} (${code})`, options);
  if (CREDENTIALS.has(code)) return new RejectedCredentialsError(`${where} did not accept the credentials of ${subject.who} (${code})`, options);
  if (TRANSIENT.has(code) || (httpStatus !== undefined && httpStatus >= 500)) return new UnavailableError(`${where} failed for ${subject.what} (${code}${httpStatus === undefined ? '' : `, HTTP ${httpStatus}`}); try again later`, options);
  if (code === 'InvalidRequestException' || code === 'InvalidParameterException' || code === 'ValidationException' || code === 'InvalidKeyId') {
    return new ConfigError(`${where} refused the request for ${subject.what} (${code}): ${failure.message ?? 'no detail'}`, options);
  }
  return new CourierError(status.INTERNAL, `${where} failed for ${subject.what} (${code}${httpStatus === undefined ? '' : `, HTTP ${httpStatus}`})`, options);
}

function isAbort(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
