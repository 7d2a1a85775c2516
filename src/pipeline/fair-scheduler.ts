/** Shares the one CPU thread fairly between tenants: the costly steps of Mounts run as short slices, the tenant that has used the least time going first. */

/** Runs slices of work for tenants (pod namespaces), fairly by the CPU time each has used. */
export interface FairScheduler {
  /** Runs `slice` when it is `tenant`'s turn; resolves with what it returned (rejects with what it threw). */
  run<T>(tenant: string, slice: () => T): Promise<T>;
  /** Charges `tenant` for CPU spent on its behalf outside a slice (sending a large response). */
  charge(tenant: string, ms: number): void;
}

/** How long slices run back to back before the event loop serves I/O again. */
const TURN_MS = 2;
/** Tenants whose used time is remembered; the idle ones longest unseen are forgotten first. */
const MAX_TENANTS = 4_096;

/**
 * Node runs Courier on one thread, so a tenant whose Mounts do expensive (but budgeted) work —
 * parsing a large class, extracting 250 keys, rendering a long template — would make every other
 * tenant's Mount wait behind all of it. Here each tenant has a queue of slices and a clock of the CPU
 * time its slices took (a fair-share scheduler, as operating systems use): the next slice is always
 * the oldest one of the tenant with the least time used, so a tenant with cheap Mounts goes ahead of
 * one with costly Mounts, whose work still makes progress. A tenant that becomes busy starts at the
 * least time of those already busy, so being idle earns no credit to monopolise the thread later.
 */
export function createFairScheduler(): FairScheduler {
  const queues = new Map<string, Array<() => void>>();
  const used = new Map<string, number>();
  let scheduled = false;
  const next = (): string | undefined => {
    let best: string | undefined;
    let least = Number.POSITIVE_INFINITY;
    for (const tenant of queues.keys()) {
      const time = used.get(tenant) ?? 0;
      if (time < least) {
        least = time;
        best = tenant;
      }
    }
    return best;
  };
  // A tenant's clock outlives its busy spells (a Mount waits on a store between slices), within a bound.
  const remember = (tenant: string, time: number) => {
    used.delete(tenant);
    used.set(tenant, time);
    if (used.size <= MAX_TENANTS) return;
    for (const old of used.keys()) {
      if (queues.has(old)) continue;
      used.delete(old);
      break;
    }
  };
  const leastBusy = (): number => Math.min(...[...queues.keys()].map((tenant) => used.get(tenant) ?? 0), Number.POSITIVE_INFINITY);
  const drain = () => {
    scheduled = false;
    const started = performance.now();
    // Slices run back to back until the turn's time is up; then network I/O is served.
    while (queues.size > 0 && performance.now() - started < TURN_MS) {
      const tenant = next() as string;
      const queue = queues.get(tenant) as Array<() => void>;
      const task = queue.shift() as () => void;
      if (queue.length === 0) queues.delete(tenant);
      const before = performance.now();
      task();
      remember(tenant, (used.get(tenant) ?? 0) + performance.now() - before);
    }
    if (queues.size > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };
  return {
    run(tenant, slice) {
      return new Promise((resolve, reject) => {
        const task = () => {
          try {
            resolve(slice());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
        const queue = queues.get(tenant);
        if (queue) queue.push(task);
        else {
          const floor = leastBusy();
          queues.set(tenant, [task]);
          remember(tenant, Math.max(used.get(tenant) ?? 0, Number.isFinite(floor) ? floor : 0));
        }
        schedule();
      });
    },
    charge(tenant, ms) {
      remember(tenant, (used.get(tenant) ?? 0) + ms);
    },
  };
}

/** Runs a generator's steps for up to `sliceMs`; its result once it is done, else undefined (call again). */
export function runFor<T>(steps: Generator<void, T, void>, sliceMs: number): { readonly done: true; readonly value: T } | { readonly done: false } {
  const started = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return { done: true, value: step.value };
    if (performance.now() - started >= sliceMs) return { done: false };
  }
}

/** A scheduler that runs every slice at once (in-process `courier mount`, tests). */
export const IMMEDIATE: FairScheduler = { run: (_tenant, slice) => Promise.resolve().then(slice), charge: () => undefined };
