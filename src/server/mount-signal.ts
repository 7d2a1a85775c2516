/** The AbortSignal one Mount runs under: its deadline and the server's stop, released when the Mount ends. */

/** The most a Mount gives up before its call's deadline, to leave time for the answer to travel. */
const DEADLINE_MARGIN_MS = 1_000;

/** A Mount's signal and the function that lets go of its timer and listener. */
export interface MountSignal {
  readonly signal: AbortSignal;
  release(this: void): void;
}

/**
 * Fires shortly before the call's deadline (or after `fallbackMs` when the call has none), or when
 * `stop` fires. Firing early matters: at the deadline itself the client gives up on its own with a
 * bare "Deadline exceeded", and the error naming the objects still pending would never reach the
 * pod. `release` clears the timer and the listener on `stop`, so nothing of a finished Mount stays
 * reachable from long-lived objects (an AbortSignal.timeout would keep its listeners for the whole
 * timeout, well after the Mount has answered).
 */
export function mountSignal(deadline: Date | number, fallbackMs: number, stop?: AbortSignal): MountSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('the Mount deadline passed', 'TimeoutError')), timeoutFor(deadline, fallbackMs));
  const onStop = () => controller.abort(stop?.reason);
  if (stop?.aborted) onStop();
  else stop?.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', onStop);
    },
  };
}

/** Milliseconds until the Mount should give up. */
export function timeoutFor(deadline: Date | number, fallbackMs: number): number {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (!Number.isFinite(at) || at <= 0) return Math.floor(fallbackMs);
  const remaining = at - Date.now();
  const margin = Math.min(DEADLINE_MARGIN_MS, remaining / 10);
  return Math.max(Math.floor(Math.min(remaining - margin, fallbackMs)), 0);
}
