/** The typed errors every Courier failure is expressed in; one mapping turns them into gRPC statuses. */
import { status } from './status-codes.ts';

/** Options shared by every Courier error. */
export interface ErrorOptions {
  /** The SecretProviderClass field at fault, e.g. `objects[2].path`. */
  readonly field?: string;
  readonly cause?: unknown;
}

/**
 * Base of all Courier errors: a gRPC code, a message meant for the pod's events, and the field at
 * fault. The message never contains a secret value or a token.
 */
export class CourierError extends Error {
  override readonly name: string = 'CourierError';
  readonly grpcCode: status;
  readonly field: string | undefined;
  /** The message without the field prefix. */
  readonly detail: string;

  constructor(grpcCode: status, detail: string, options: ErrorOptions = {}) {
    super(options.field ? `${options.field}: ${detail}` : detail, { cause: options.cause });
    this.grpcCode = grpcCode;
    this.field = options.field;
    this.detail = detail;
  }
}

/** A SecretProviderClass, flag or request that cannot be used as written. */
export class ConfigError extends CourierError {
  override readonly name = 'ConfigError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.INVALID_ARGUMENT, detail, options);
  }
}

/** The pod's identity is missing or cannot be turned into store credentials. */
export class AuthError extends CourierError {
  override readonly name = 'AuthError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.UNAUTHENTICATED, detail, options);
  }
}

/** The store refused the pod's identity. */
export class PermissionError extends CourierError {
  override readonly name = 'PermissionError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.PERMISSION_DENIED, detail, options);
  }
}

/** A secret, version or key does not exist. */
export class NotFoundError extends CourierError {
  override readonly name = 'NotFoundError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.NOT_FOUND, detail, options);
  }
}

/**
 * The store throttled the request. Backends return it for a throttled call (with the store's
 * Retry-After when it sent one); the fetch layer retries it and, past its budget, the Mount fails
 * with RESOURCE_EXHAUSTED.
 */
export class ThrottledError extends CourierError {
  override readonly name = 'ThrottledError';
  /** How long the store asked us to wait, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(detail: string, options: ErrorOptions & { readonly retryAfterMs?: number } = {}) {
    super(status.RESOURCE_EXHAUSTED, detail, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The store cannot be reached or answered with a transient server error (5xx); worth retrying. */
export class UnavailableError extends CourierError {
  override readonly name = 'UnavailableError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.UNAVAILABLE, detail, options);
  }
}

/** The Mount ran out of time. */
export class DeadlineError extends CourierError {
  override readonly name = 'DeadlineError';
  constructor(detail: string, options: ErrorOptions = {}) {
    super(status.DEADLINE_EXCEEDED, detail, options);
  }
}

/** Returns the same error with a field prefix, so a backend error names the object it came from. */
export function withField(error: CourierError, field: string): CourierError {
  if (error.field) return error;
  const copy = new CourierError(error.grpcCode, error.detail, { field, cause: error.cause });
  Object.defineProperty(copy, 'name', { value: error.name });
  return copy;
}
