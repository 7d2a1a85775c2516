/** The isolate's worker thread: runs jobs (jobs.ts) one at a time, on its own heap, and posts each outcome back. */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { basename } from 'node:path';
import { parentPort } from 'node:worker_threads';
import type { Job } from './jobs.ts';
import { runJob } from './run-job.ts';

/** The worker's nice value: the lowest. */
const LOW_PRIORITY = 19;

const port = parentPort;
if (!port) throw new Error('the isolate worker runs as a worker thread');
const tid = threadId();
if (tid !== undefined) lowerPriority(tid);
// What runJob throws is a bug: it ends the worker, and the main thread fails the job and starts another.
port.on('message', ({ id, job }: { id: number; job: Job }) => {
  const outcomes = runJob(job);
  // Bytes that own their whole buffer move to the main thread instead of being copied.
  const transfer = new Set<ArrayBuffer>();
  for (const outcome of outcomes) {
    if (typeof outcome === 'object' && 'ok' in outcome && outcome.ok.buffer instanceof ArrayBuffer && outcome.ok.byteOffset === 0 && outcome.ok.byteLength === outcome.ok.buffer.byteLength) transfer.add(outcome.ok.buffer);
  }
  port.postMessage({ id, outcomes }, [...transfer]);
});
// Ready, with the thread's id, from which the main thread reads the CPU time a job has used.
port.postMessage({ ready: true, tid });

/**
 * Lowers this thread's scheduling priority (Linux nice is per thread), so that when Courier's CPU is
 * contended its main thread, which answers every tenant's Mounts, goes first; on a free CPU the worker
 * runs at full speed. In a container, the kernel shares CPU between cgroups by their weights first, so
 * this ranks the worker only against Courier's own threads, not against other pods. The jobs' time
 * budgets and its watchdog count the worker's CPU time, so waiting for the CPU never fails one. Best
 * effort: where /proc/thread-self is missing, the priority stays.
 */
function lowerPriority(tid: number): void {
  try {
    setPriority(tid, LOW_PRIORITY);
  } catch {
    // Not allowed here: the worker keeps the process's priority.
  }
}

/** This thread's id on Linux (`/proc/thread-self`); undefined elsewhere. */
function threadId(): number | undefined {
  try {
    const tid = Number(basename(readlinkSync('/proc/thread-self')));
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}
