/** Stops waiting for shared work when one caller's signal fires, without stopping the work. */

/**
 * Resolves with `work`, or rejects with `expired()` as soon as `signal` aborts (at once if it
 * already has). The work goes on for whoever else waits on it; if it fails after this caller
 * gave up, that failure is theirs to see, so it is not reported here as unhandled.
 */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal, expired: () => Error): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) throw expired();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(expired());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
