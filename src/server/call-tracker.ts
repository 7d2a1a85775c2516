/** Counts a gRPC service's calls in flight, so a drain knows when nothing is left to wait for. */
import type { sendUnaryData, ServerUnaryCall, UntypedServiceImplementation } from '@grpc/grpc-js';

/** A service whose unary handlers are counted from their start until they answer. */
export interface TrackedService {
  readonly service: UntypedServiceImplementation;
  /** Calls started and not yet answered. */
  active(): number;
}

type Unary = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;

/** Wraps every handler of `service` (all of Courier's are unary). */
export function trackCalls(service: UntypedServiceImplementation): TrackedService {
  let active = 0;
  const wrapped: UntypedServiceImplementation = {};
  for (const [name, handler] of Object.entries(service)) {
    const unary = handler as Unary;
    wrapped[name] = ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      active += 1;
      let answered = false;
      unary(call, (...args: Parameters<sendUnaryData<unknown>>) => {
        if (!answered) active -= 1;
        answered = true;
        callback(...args);
      });
    }) as UntypedServiceImplementation[string];
  }
  return { service: wrapped, active: () => active };
}
