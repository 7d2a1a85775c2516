/** The steps of a Mount's assembly: pauses for other tenants, and waits for work done in the isolate. */

// A step that yields nothing is a point where the server may give the CPU to another tenant; a step
// that yields a promise also waits for it (work done off the main thread, transform/isolate) before the
// generator is resumed.
export type Step = void | Promise<unknown>;

/** Yields `work` to the driver of the steps and returns what it resolved with (throws what it rejected with). */
export function* waitFor<T>(work: Promise<T>): Generator<Step, T, void> {
  let outcome: { readonly value: T } | { readonly error: unknown } | undefined;
  const settled = work.then(
    (value) => void (outcome = { value }),
    (error: unknown) => void (outcome = { error }),
  );
  yield settled;
  if (!outcome) throw new Error('waitFor was resumed before its work settled');
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

/** Runs steps to the end on the calling thread's own schedule (tests, `courier mount`): never yields a promise. */
export function runSteps<T>(steps: Generator<Step, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (step.value !== undefined) throw new Error('runSteps ran steps that wait for the isolate; drive them with runFor');
  }
}
