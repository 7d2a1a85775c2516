/** The one place where an error becomes a gRPC status for the driver. */
import { CourierError } from './courier-error.ts';
import { codeName, status } from './status-codes.ts';

/** What the server sends back for a failed call, plus whether it was an unexpected error. */
export interface GrpcFailure {
  readonly code: status;
  /** The status message: what the driver puts into the pod's events. */
  readonly details: string;
  readonly unexpected: boolean;
}

/**
 * Maps any thrown value to a gRPC status. Courier errors keep their code and message (which the
 * driver puts into the pod's events); anything else becomes INTERNAL with a generic message, because
 * an unknown error's text may carry data we never meant to show.
 */
export function toGrpcStatus(error: unknown): GrpcFailure {
  if (error instanceof CourierError) {
    return { code: error.grpcCode, details: shortened(error.message), unexpected: false };
  }
  return { code: status.INTERNAL, details: 'internal error in courier; see the provider logs', unexpected: true };
}

/**
 * The longest message sent, logged and put into a pod event. A message names the field at fault, and a
 * pod can write field names (keys of its volume attributes, of its entries) as long as the parameter
 * budget; the status travels in an HTTP/2 trailer and the driver copies it into events, so it is cut.
 */
export const MAX_MESSAGE_CHARS = 2_048;

function shortened(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  let end = MAX_MESSAGE_CHARS - 64;
  // Not between the two halves of a surrogate pair.
  const code = message.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${message.slice(0, end)}… (message cut; ${message.length} characters in all)`;
}

export { codeName } from './status-codes.ts';

/** The `outcome` label of a failed call: the error's gRPC code in lower case, `internal` for anything not a CourierError. */
export function failureLabel(error: unknown): string {
  return error instanceof CourierError ? codeName(error.grpcCode).toLowerCase() : 'internal';
}
