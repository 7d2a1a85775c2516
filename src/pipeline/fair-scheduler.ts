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

/** A tenant: its recent CPU use (`value` milliseconds as of `at`, halving every HALF_LIFE_MS since) and its waiting slices. */
interface Tenant {
  readonly name: string;
  value: number;
  at: number;
  readonly queue: Array<() => void>;
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
  // Tenants by name, the one charged last at the end. A tenant stays here while idle (until forgotten): adding
  // and deleting a key of this long-lived Map on every Mount would make it a new table in the old generation.
  const tenants = new Map<string, Tenant>();
  /** The tenants with slices waiting, in the order they began to wait (the first of equals goes first). */
  const waiting: Tenant[] = [];
  let last: string | undefined;
  let scheduled = false;
  const recent = (tenant: Tenant, at: number): number => tenant.value * 2 ** ((tenant.at - at) / HALF_LIFE_MS);
  const tenantOf = (name: string): Tenant => {
    const known = tenants.get(name);
    if (known) return known;
    const created: Tenant = { name, value: 0, at: 0, queue: [] };
    tenants.set(name, created);
    if (tenants.size > MAX_TENANTS) {
      // The tenants to forget are the least recently charged ones not waiting.
      for (const [old, tenant] of tenants) {
        if (tenant.queue.length > 0 || tenant === created) continue;
        tenants.delete(old);
        if (old === last) last = undefined;
        break;
      }
    }
    return created;
  };
  /** The index in `waiting` of the tenant that has used the least lately. */
  const next = (at: number): number => {
    let best = 0;
    let least = Number.POSITIVE_INFINITY;
    for (let index = 0; index < waiting.length; index += 1) {
      const value = recent(waiting[index] as Tenant, at);
      if (value < least) {
        least = value;
        best = index;
      }
    }
    return best;
  };
  const charge = (name: string, ms: number) => {
    const at = now();
    const tenant = tenantOf(name);
    tenant.value = recent(tenant, at) + ms;
    tenant.at = at;
    // Most recently charged last; the one charged last already is.
    if (name === last) return;
    tenants.delete(name);
    tenants.set(name, tenant);
    last = name;
  };
  const drain = () => {
    scheduled = false;
    const started = now();
    // One slice per turn of the event loop while tenants compete, so what a slice resolved and the
    // I/O of others' Mounts come before the next; a tenant alone runs slices back to back for a turn.
    do {
      const before = now();
      const index = next(before);
      const tenant = waiting[index] as Tenant;
      const task = tenant.queue.shift() as () => void;
      if (tenant.queue.length === 0) {
        for (let after = index + 1; after < waiting.length; after += 1) waiting[after - 1] = waiting[after] as Tenant;
        waiting.pop();
      }
      task();
      charge(tenant.name, now() - before);
    } while (waiting.length === 1 && now() - started < TURN_MS);
    if (waiting.length > 0) schedule();
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
        const waiter = tenantOf(tenant);
        if (waiter.queue.push(task) === 1) waiting.push(waiter);
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
