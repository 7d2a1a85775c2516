/** Time for the fetch layer, injectable so tests and benchmarks run on a fake clock. */

/** Reads the time and waits; the fetch layer never touches timers directly. */
export interface Clock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** The real clock: performance.now() and setTimeout. */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) {
          reject(signal.reason as Error);
          return;
        }
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
  };
}

/**
 * A signal that aborts once every one of `signals` has aborted: work shared by several Mounts
 * (one store call answering many) stops only when nobody is waiting for it any more.
 */
export function whenAllAborted(signals: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  let live = signals.length;
  const onAbort = () => {
    live -= 1;
    if (live === 0) controller.abort(new Error('no Mount is waiting for this store call any more'));
  };
  for (const signal of signals) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  return controller.signal;
}
