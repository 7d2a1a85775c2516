/** The isolate: a worker thread with its own capped heap that runs the tenant-controlled work which cannot be split into slices. */

// Started when first needed and stopped when idle. Its own heap and garbage collector mean a render that
// allocates heavily pauses neither the main thread nor other tenants' Mounts; its heap cap means a job
// that outgrows it fails alone instead of taking the process down. Jobs (jobs.ts) run one at a time,
// the tenants with jobs waiting taking turns.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, DeadlineError, UnavailableError, type CourierError } from '../../errors/courier-error.ts';
import type { YamlOutcome, YamlText } from '../../spc/yaml-parse.ts';
import { deserializeError, type FileJob, type Job, type JobOutcome } from './jobs.ts';

/** Runs jobs off the main thread. */
export interface Isolate {
  /**
   * Runs `job` for `tenant`: resolves with each extraction's (or the render's) bytes or CourierError;
   * rejects when the job as a whole failed (over the isolate's memory, past the deadline, shutting down).
   */
  run(tenant: string, job: FileJob, signal?: AbortSignal): Promise<Array<Uint8Array | CourierError>>;
  /** Parses YAML texts for planning (spc/yaml-parse.ts); rejects as `run` does. */
  parseYaml(tenant: string, texts: readonly YamlText[], signal?: AbortSignal): Promise<YamlOutcome[]>;
  /** Stops the worker; jobs still waiting fail. */
  close(): Promise<void>;
}

export interface IsolateOptions {
  /** The worker's old-generation heap, in MiB; a job that needs more fails (default 64). */
  readonly maxHeapMib?: number;
  /** The worker stops after this long without a job (default 60 s). */
  readonly idleMs?: number;
  /** A job that has used this much of the worker's CPU time is stopped with its worker, which is replaced (default 30 s). */
  readonly maxJobMs?: number;
  /** Called after every job with its kind and outcome (the isolate metric). */
  readonly onJob?: (kind: Job['kind'], outcome: 'ok' | 'error' | 'out_of_memory' | 'expired' | 'stopped') => void;
}

interface Pending {
  readonly job: Job;
  readonly resolve: (outcomes: readonly unknown[]) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

// The job's errors name no field: the caller gives each of the job's objects its own.
const expired = () => new DeadlineError("the Mount's deadline passed while it waited for Courier's isolate");
const shuttingDown = () => new UnavailableError('Courier is shutting down');

/** Linux counts a thread's CPU time in ticks of 10 ms (USER_HZ 100). */
const CPU_TICK_MS = 10;

/** The CPU time thread `tid` of this process has used, in milliseconds; undefined where it cannot be read. */
function threadCpuMs(tid: number | undefined): number | undefined {
  if (tid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    const ticks = Number(fields?.[11]) + Number(fields?.[12]);
    return Number.isFinite(ticks) ? ticks * CPU_TICK_MS : undefined;
  } catch {
    return undefined;
  }
}

/** The code `lost` is given when the watchdog stopped a job. */
const STOPPED = 'COURIER_ISOLATE_JOB_STOPPED';

const WORKER_URL = new URL(`./worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

export function createIsolate(options: IsolateOptions = {}): Isolate {
  const maxHeapMib = options.maxHeapMib ?? 64;
  const idleMs = options.idleMs ?? 60_000;
  const maxJobMs = options.maxJobMs ?? 30_000;
  const queues = new Map<string, Pending[]>();
  let worker: Worker | undefined;
  /** The job the worker is on; `abandoned` once its Mount stopped waiting (its outcome is then dropped). */
  let running: { readonly id: number; readonly pending: Pending; abandoned: boolean; watchdog: NodeJS.Timeout | undefined } | undefined;
  /** Whether the current worker has started (its start-up does not count against a job's time), and its thread id. */
  let online = false;
  let tid: number | undefined;
  let nextId = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const settle = (pending: Pending) => pending.signal?.removeEventListener('abort', pending.onAbort);
  const finish = (pending: Pending, outcomes: readonly unknown[]) => {
    settle(pending);
    // A YAML problem is the class's, reported by planning; a file job failed if one of its files did.
    const failed = pending.job.kind !== 'yaml' && (outcomes as readonly JobOutcome[]).some((outcome) => 'error' in outcome);
    options.onJob?.(pending.job.kind, failed ? 'error' : 'ok');
    pending.resolve(outcomes);
  };
  const lost = (error: Error & { code?: string }) => {
    worker = undefined;
    const current = running;
    running = undefined;
    if (current) clearTimeout(current.watchdog);
    if (current && !current.abandoned) {
      settle(current.pending);
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const stopped = error.code === STOPPED;
      options.onJob?.(current.pending.job.kind, outOfMemory ? 'out_of_memory' : stopped ? 'stopped' : 'error');
      if (outOfMemory) current.pending.reject(new ConfigError(`needed more than the ${maxHeapMib} MiB of memory Courier gives the extractions from one secret or one template render`));
      else if (stopped) current.pending.reject(new ConfigError(`ran for more than ${maxJobMs / 1000} s in Courier's isolate and was stopped`));
      else current.pending.reject(error);
    }
    pump();
  };
  /**
   * Starts the watchdog of the running job. It counts the worker thread's CPU time where it can read
   * it (Linux), so a job that waits for the CPU at the worker's low priority is not stopped for it;
   * elsewhere, the time since the job started.
   */
  const arm = (job: NonNullable<typeof running>) => {
    if (job.watchdog) return;
    const { id } = job;
    const started = threadCpuMs(tid);
    const check = (delay: number) => {
      job.watchdog = setTimeout(() => {
        const now = threadCpuMs(tid);
        const used = started === undefined || now === undefined ? maxJobMs : now - started;
        if (used >= maxJobMs) overrun(id);
        else check(Math.max(CPU_TICK_MS, maxJobMs - used));
      }, delay).unref();
    };
    check(maxJobMs);
  };
  /** Stops a worker whose job has run too long; the job fails and a new worker takes the next one. */
  const overrun = (id: number) => {
    if (running?.id !== id || !worker) return;
    const stuck = worker;
    lost(Object.assign(new Error('the job ran too long'), { code: STOPPED }));
    void stuck.terminate();
  };
  const start = (): Worker => {
    const created = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: maxHeapMib, maxYoungGenerationSizeMb: 8 } });
    online = false;
    tid = undefined;
    created.on('message', ({ id, outcomes, ready, tid: thread }: { id?: number; outcomes?: unknown[]; ready?: true; tid?: number }) => {
      // The worker says when its modules are loaded: its start-up does not count against a job's time.
      if (ready) {
        if (worker !== created) return;
        online = true;
        tid = thread;
        if (running) arm(running);
        return;
      }
      if (running === undefined || running.id !== id || outcomes === undefined) return;
      const { pending, abandoned, watchdog } = running;
      clearTimeout(watchdog);
      running = undefined;
      if (!abandoned) finish(pending, outcomes);
      pump();
    });
    created.on('error', (error: Error) => {
      if (worker === created) lost(error);
    });
    created.on('exit', (code) => {
      if (worker === created) lost(new Error(`the isolate's worker stopped with exit code ${code}`));
    });
    return created;
  };
  /** Starts the next job: the first waiting tenant's oldest, that tenant then going to the back. */
  function pump(): void {
    if (running || closed) return;
    const [tenant, queue] = queues.entries().next().value ?? [];
    if (tenant === undefined || !queue) {
      // An idle worker does not keep the process alive; a busy one does, until its job's outcome arrives.
      worker?.unref();
      idleTimer ??= setTimeout(stopIdle, idleMs).unref();
      return;
    }
    clearTimeout(idleTimer);
    idleTimer = undefined;
    const pending = queue.shift() as Pending;
    queues.delete(tenant);
    if (queue.length > 0) queues.set(tenant, queue);
    worker ??= start();
    worker.ref();
    running = { id: (nextId += 1), pending, abandoned: false, watchdog: undefined };
    if (online) arm(running);
    worker.postMessage({ id: running.id, job: pending.job });
  }
  function stopIdle(): void {
    idleTimer = undefined;
    if (running || queues.size > 0 || !worker) return;
    const stopping = worker;
    worker = undefined;
    void stopping.terminate();
  }
  const withdraw = (tenant: string, pending: Pending) => {
    // A job already running cannot be stopped (its budgets bound it), but its Mount need not wait for it.
    if (running?.pending === pending) {
      running.abandoned = true;
      options.onJob?.(pending.job.kind, 'expired');
      pending.reject(expired());
      return;
    }
    const queue = queues.get(tenant);
    const index = queue?.indexOf(pending) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) queues.delete(tenant);
    options.onJob?.(pending.job.kind, 'expired');
    pending.reject(expired());
  };

  const enqueue = (tenant: string, job: Job, signal: AbortSignal | undefined): Promise<readonly unknown[]> => {
    if (closed) return Promise.reject(shuttingDown());
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(expired());
      const pending: Pending = { job, resolve, reject, signal, onAbort: () => withdraw(tenant, pending) };
      signal?.addEventListener('abort', pending.onAbort, { once: true });
      const queue = queues.get(tenant);
      if (queue) queue.push(pending);
      else queues.set(tenant, [pending]);
      pump();
    });
  };

  return {
    async run(tenant, job, signal) {
      const outcomes = (await enqueue(tenant, job, signal)) as readonly JobOutcome[];
      return outcomes.map((outcome) => ('ok' in outcome ? outcome.ok : deserializeError(outcome.error)));
    },
    async parseYaml(tenant, texts, signal) {
      return (await enqueue(tenant, { kind: 'yaml', texts }, signal)) as YamlOutcome[];
    },
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      for (const queue of queues.values()) for (const pending of queue) {
        settle(pending);
        pending.reject(shuttingDown());
      }
      queues.clear();
      const stopping = worker;
      worker = undefined;
      if (running) clearTimeout(running.watchdog);
      if (running && !running.abandoned) {
        settle(running.pending);
        running.pending.reject(shuttingDown());
      }
      running = undefined;
      if (stopping) await stopping.terminate();
    },
  };
}
