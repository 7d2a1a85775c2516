/** Fault injection for the Azure fakes: answer matching requests with a status (429, 5xx) or delay them. */

/** The parts of a request a fault can match on. */
export interface FaultTarget {
  readonly method: string;
  readonly host: string;
  readonly path: string;
}

/** One injected fault. */
export interface Fault {
  /** Only requests whose path matches (a substring, or a RegExp); all when absent. */
  readonly path?: string | RegExp;
  /** Only requests to this host name. */
  readonly host?: string;
  readonly method?: string;
  /** Answer with this status instead of the fake (429, 500, 503, ...); absent: only delay. */
  readonly status?: number;
  /** Sent as `Retry-After` (seconds) with the status. */
  readonly retryAfterSeconds?: number;
  /** Wait this long before answering (or before the fake answers). */
  readonly delayMs?: number;
  /** How many requests it applies to (default 1; `Infinity` until cleared). */
  readonly times?: number;
}

/** A fault in the plan and how often it has fired. */
export interface ActiveFault {
  readonly fault: Fault;
  readonly fired: number;
  readonly remaining: number;
}

/** An ordered list of faults; the first matching one with uses left applies to a request. */
export class FaultPlan {
  readonly #active: Array<{ fault: Fault; fired: number; remaining: number }> = [];

  /** Adds a fault; returns a view that shows how often it fired. */
  inject(fault: Fault): ActiveFault {
    const entry = { fault, fired: 0, remaining: fault.times ?? 1 };
    this.#active.push(entry);
    return entry;
  }

  /** Removes every fault. */
  clear(): void {
    this.#active.length = 0;
  }

  /** The fault for this request, if any, consuming one use of it. */
  take(request: FaultTarget): Fault | undefined {
    const entry = this.#active.find((candidate) => candidate.remaining > 0 && matches(candidate.fault, request));
    if (!entry) return undefined;
    entry.remaining -= 1;
    entry.fired += 1;
    return entry.fault;
  }
}

function matches(fault: Fault, request: FaultTarget): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== request.method.toUpperCase()) return false;
  if (fault.host !== undefined && fault.host.toLowerCase() !== request.host) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? request.path.includes(fault.path) : fault.path.test(request.path);
}
