/** The gRPC status codes by the protocol's numbers, so Courier's errors and server need no gRPC library. */
// The numbers are the same as grpc-js's `status`.
export const status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** One of the codes. */
export type status = (typeof status)[keyof typeof status];

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(status).map(([name, code]) => [code, name]));

/** A code's name (`NOT_FOUND`), or its number for a code the protocol does not define; for logs and metric labels. */
export function codeName(code: number): string {
  return NAMES.get(code) ?? String(code);
}
