/** An in-process Backend for tests: scripted values and errors, configurable latency, and a record of every call. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../../src/stores/backend.ts';
import { NotFoundError, type CourierError } from '../../src/errors/courier-error.ts';

/** How a scripted backend answers. Every field is optional. */
export interface ScriptedBackendOptions {
  /** The store it claims to be (default `vault`, which has no real backend yet); register it under this name. */
  readonly store?: string;
  /** Secret contents by locator; a locator not listed (and not in `errors`) answers NotFoundError. */
  readonly values?: Readonly<Record<string, string | Uint8Array>>;
  /** A typed error returned in the result of this locator. */
  readonly errors?: Readonly<Record<string, CourierError>>;
  /** A CourierError thrown by fetch() itself, failing the whole batch. */
  readonly throwOnFetch?: CourierError;
  /** Delay before each fetch() answers; the Mount's abort signal ends the wait early. */
  readonly latencyMs?: number;
  readonly maxBatchSize?: number;
  /** What identityKey() returns, or throws when it is an error. */
  readonly identity?: string | CourierError;
  /** Version reported for every value (default `v1`). */
  readonly version?: string;
}

/** A Backend whose answers are scripted; `calls` lists the locators of each fetch() in order. */
export interface ScriptedBackend extends Backend {
  /** One entry per fetch() call: the locators it asked for. */
  readonly calls: string[][];
  /** Number of fetch() calls that have started and not yet answered. */
  inFlight(): number;
  /** True once close() was called. */
  closed(): boolean;
}

/**
 * Creates a scripted backend. Pass it to startCourier in the BackendRegistry, e.g.
 * `new Map([['scripted', scriptedBackend({ values: { 'db/password': 'hunter2' }, latencyMs: 50 })]])`.
 */
export function scriptedBackend(options: ScriptedBackendOptions = {}): ScriptedBackend {
  const calls: string[][] = [];
  let running = 0;
  let isClosed = false;
  const answer = (request: FetchRequest): FetchResult => {
    const error = options.errors?.[request.locator];
    if (error) return { ok: false, error };
    const value = options.values?.[request.locator];
    if (value === undefined) return { ok: false, error: new NotFoundError(`scripted store has no secret "${request.locator}"`) };
    return { ok: true, contents: typeof value === 'string' ? Buffer.from(value) : value, version: options.version ?? 'v1' };
  };
  return {
    store: options.store ?? 'scripted',
    maxBatchSize: options.maxBatchSize ?? 10,
    calls,
    inFlight: () => running,
    closed: () => isClosed,
    identityKey(): Promise<string> {
      const identity = options.identity ?? '';
      return typeof identity === 'string' ? Promise.resolve(identity) : Promise.reject(identity);
    },
    async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
      calls.push(requests.map((request) => request.locator));
      running += 1;
      try {
        if (options.latencyMs) await sleep(options.latencyMs, context.signal);
        if (options.throwOnFetch) throw options.throwOnFetch;
        return requests.map(answer);
      } finally {
        running -= 1;
      }
    },
    close(): Promise<void> {
      isClosed = true;
      return Promise.resolve();
    },
  };
}

/** Resolves after `ms`, or as soon as `signal` aborts (the fetch layer has already answered by then). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
