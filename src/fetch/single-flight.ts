/** Shares one in-flight call among concurrent callers that ask for the same key. */

interface Flight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  readonly startedAt: number;
  waiters: number;
}

/** What run() gives a caller: the shared answer, and whether it joined a call already under way. */
export interface FlightTicket<T> {
  readonly result: Promise<T>;
  readonly joined: boolean;
}

/**
 * Calls keyed by string. A caller whose key is already in flight waits for that call instead of
 * starting another. Each caller leaves when its own signal aborts; the call itself is aborted
 * (through the signal passed to `start`) only when every caller has left, so one Mount's deadline
 * never cancels work another Mount is still waiting for. Settled calls are forgotten at once:
 * caching answers is not this module's job.
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Flight<T>>();
  readonly #now: () => number;
  readonly #maxJoinAgeMs: number;

  /**
   * `maxJoinAgeMs`: a caller does not join a call that has run longer than this (it is presumed hung;
   * every store call is bounded well below it), but starts a fresh one that later callers join.
   */
  constructor(options: { readonly maxJoinAgeMs?: number; readonly now?: () => number } = {}) {
    this.#now = options.now ?? (() => performance.now());
    this.#maxJoinAgeMs = options.maxJoinAgeMs ?? Number.POSITIVE_INFINITY;
  }

  /** Calls in flight. */
  get size(): number {
    return this.#flights.size;
  }

  /** Joins the call for `key`, or starts one with `start`. */
  run(key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>): FlightTicket<T> {
    const existing = this.#flights.get(key);
    if (existing && this.#now() - existing.startedAt <= this.#maxJoinAgeMs) return { result: this.#join(key, existing, signal), joined: true };
    const controller = new AbortController();
    const promise = start(controller.signal);
    const flight: Flight<T> = { promise, controller, startedAt: this.#now(), waiters: 0 };
    this.#flights.set(key, flight);
    const settle = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    promise.then(settle, settle);
    return { result: this.#join(key, flight, signal), joined: false };
  }

  /** New callers start new calls from now on; callers already waiting keep their call. */
  forget(): void {
    this.#flights.clear();
  }

  #join(key: string, flight: Flight<T>, signal: AbortSignal): Promise<T> {
    flight.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        flight.waiters -= 1;
        if (flight.waiters === 0) {
          if (this.#flights.get(key) === flight) this.#flights.delete(key);
          flight.controller.abort(signal.reason);
        }
        reject(signal.reason as Error);
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      flight.promise.finally(() => signal.removeEventListener('abort', leave)).then(resolve, reject);
    });
  }
}
