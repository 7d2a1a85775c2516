/** The one place where an error becomes a gRPC status for the driver. */
import { status, type ServiceError, Metadata } from '@grpc/grpc-js';
import { CourierError } from './courier-error.ts';

/** What the server sends back for a failed call, plus whether it was an unexpected error. */
export interface GrpcFailure {
  readonly error: Partial<ServiceError>;
  readonly code: status;
  readonly unexpected: boolean;
}

/**
 * Maps any thrown value to a gRPC status. Courier errors keep their code and message (which the
 * driver puts into the pod's events); anything else becomes INTERNAL with a generic message, because
 * an unknown error's text may carry data we never meant to show.
 */
export function toGrpcStatus(error: unknown): GrpcFailure {
  if (error instanceof CourierError) {
    return {
      error: { code: error.grpcCode, details: error.message, metadata: new Metadata() },
      code: error.grpcCode,
      unexpected: false,
    };
  }
  return {
    error: { code: status.INTERNAL, details: 'internal error in courier; see the provider logs', metadata: new Metadata() },
    code: status.INTERNAL,
    unexpected: true,
  };
}

/** A short label for a gRPC code, for logs and metric labels. */
export function codeName(code: status): string {
  return status[code] ?? String(code);
}

/** The `outcome` label of a failed call: the error's gRPC code in lower case, `internal` for anything not a CourierError. */
export function failureLabel(error: unknown): string {
  return error instanceof CourierError ? codeName(error.grpcCode).toLowerCase() : 'internal';
}
