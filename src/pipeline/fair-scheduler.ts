/** Shares the one CPU thread fairly between tenants: the costly steps of Mounts run as short slices, the tenant that has used the least time going first. */
import type { Step } from '../output/steps.ts';

/** Runs slices of work for tenants (pod namespaces), fairly by the CPU time each has used. */
export interface FairScheduler {
  /** Runs `slice` when it is `tenant`'s turn; resolves with what it returned (rejects with what it threw). */
  run<T>(tenant: string, slice: () => T): Promise<T>;
  /** Charges `tenant` for CPU spent on its behalf outside a slice (sending a large response). */
  charge(tenant: string, ms: number): void;
}

/** How long slices run back to back before the event loop serves I/O again. */
const TURN_MS = 2;
/** Half-life of a tenant's recent CPU use: what it used a second ago counts 1/32 of what it uses now. */
const HALF_LIFE_MS = 200;
/** Tenants whose use is remembered; the idle ones longest unseen are forgotten first. */
const MAX_TENANTS = 4_096;

/** A tenant's recent CPU use: `value` milliseconds as of `at`, halving every HALF_LIFE_MS since. */
interface Use {
  value: number;
  at: number;
}

/** Options for tests: the clock the scheduler reads. */
export interface FairSchedulerOptions {
  readonly now?: () => number;
}

/**
 * Node runs Courier on one thread, so a tenant whose Mounts do expensive (but budgeted) work —
 * parsing a large class, extracting 250 keys, rendering a long template — would make every other
 * tenant's Mount wait behind all of it. Here each tenant has a queue of slices and a measure of the
 * CPU time its slices took recently (decaying, with a half-life of 200 ms): the next slice is always
 * the oldest one of the tenant that has used the least lately. A tenant using less than its share
 * therefore always goes first — its Mounts wait for at most the slice running when they arrive —
 * while tenants that all want the whole thread get equal shares of it. Being idle earns no lasting
 * credit: a tenant's use decays to nothing, never below, so a newcomer leads for about one half-life.
 */
export function createFairScheduler(options: FairSchedulerOptions = {}): FairScheduler {
  const now = options.now ?? (() => performance.now());
  const queues = new Map<string, Array<() => void>>();
  const uses = new Map<string, Use>();
  let scheduled = false;
  const recent = (use: Use | undefined, at: number): number => (use ? use.value * 2 ** ((use.at - at) / HALF_LIFE_MS) : 0);
  const next = (at: number): string | undefined => {
    let best: string | undefined;
    let least = Number.POSITIVE_INFINITY;
    for (const tenant of queues.keys()) {
      const value = recent(uses.get(tenant), at);
      if (value < least) {
        least = value;
        best = tenant;
      }
    }
    return best;
  };
  const charge = (tenant: string, ms: number) => {
    const at = now();
    const value = recent(uses.get(tenant), at) + ms;
    // Most recently charged last, so the tenants to forget are the first ones not waiting.
    uses.delete(tenant);
    uses.set(tenant, { value, at });
    if (uses.size <= MAX_TENANTS) return;
    for (const old of uses.keys()) {
      if (queues.has(old)) continue;
      uses.delete(old);
      break;
    }
  };
  const drain = () => {
    scheduled = false;
    const started = now();
    // One slice per turn of the event loop while tenants compete, so what a slice resolved and the
    // I/O of others' Mounts come before the next; a tenant alone runs slices back to back for a turn.
    do {
      const before = now();
      const tenant = next(before) as string;
      const queue = queues.get(tenant) as Array<() => void>;
      const task = queue.shift() as () => void;
      if (queue.length === 0) queues.delete(tenant);
      task();
      charge(tenant, now() - before);
    } while (queues.size === 1 && now() - started < TURN_MS);
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
        else queues.set(tenant, [task]);
        schedule();
      });
    },
    charge,
  };
}

/**
 * Runs a generator's steps for up to `sliceMs`: its result once it is done; else not done (call again),
 * with the work to wait for first when a step yielded some (output/steps.ts).
 */
export function runFor<T>(steps: Generator<Step, T, void>, sliceMs: number): { readonly done: true; readonly value: T } | { readonly done: false; readonly wait?: Promise<unknown> } {
  const started = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return { done: true, value: step.value };
    if (step.value !== undefined) return { done: false, wait: step.value };
    if (performance.now() - started >= sliceMs) return { done: false };
  }
}

/** A scheduler that runs every slice at once (in-process `courier mount`, tests). */
export const IMMEDIATE: FairScheduler = { run: (_tenant, slice) => Promise.resolve().then(slice), charge: () => undefined };
