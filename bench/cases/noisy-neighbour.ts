/**
 * Noisy neighbour: one tenant sends the worst inputs the budgets allow (and one tenant's store
 * throttles) while another mounts at concurrency 16, back to back and paced below what Courier can do.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageNodeOptions } from '../lib/courier-process.ts';
import { driveMounts, type LoadResult, type WireRequest } from '../lib/load.ts';
import { mebibytes, percentile, round } from '../lib/stats.ts';
import type { BenchCase } from '../lib/types.ts';
import { FRESH_CLASS } from '../lib/noisy-load.ts';

export const title = 'noisy neighbour: a tenant at the budgets\' edge (its client at nice 19) beside one mounting at concurrency 16, in alternating rounds';

const VICTIM_MOUNTS = 4_000;
/** Rounds of alone and beside (alternating which goes first); each phase's Mounts are split over them. */
const ROUNDS = 4;
/** After the neighbour is stopped or resumed, this long passes before the victim mounts again. */
const SETTLE_MS = 300;
/** The paced victim mounts at this share of the rate it reached back to back alone, for this many seconds per phase. */
const PACED_SHARE = 0.4;
const PACED_SECONDS = 8;
const CONTAINER_LIMIT_MIB = 512;

async function makeStore(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'courier-bench-noisy-'));
  await mkdir(join(root, 'victim'));
  await mkdir(join(root, 'neighbour'));
  for (let index = 0; index < 10; index += 1) await writeFile(join(root, 'victim', `s${index}.json`), JSON.stringify({ password: `p-${index}`, note: 'y'.repeat(150) }));
  // The neighbour's secrets: a large JSON document (its expressions get the most the cost budget allows) and a large blob.
  const items = Array.from({ length: 3_000 }, (_, index) => ({ name: `n${index % 97}-${index}`, x: index, y: 'yyyyyyyy' }));
  await writeFile(join(root, 'neighbour', 'big.json'), JSON.stringify({ items }));
  await writeFile(join(root, 'neighbour', 'blob'), 'z'.repeat(900_000));
  await writeFile(join(root, 'neighbour', 'small.json'), JSON.stringify({ password: 'p' }));
  return root;
}

function request(namespace: string, parameters: Record<string, string>): WireRequest {
  const attributes = {
    ...parameters,
    secretProviderClass: 'bench',
    'csi.storage.k8s.io/pod.name': `${namespace}-0`,
    'csi.storage.k8s.io/pod.namespace': namespace,
    'csi.storage.k8s.io/pod.uid': `00000000-0000-4000-8000-${namespace.padStart(12, '0').slice(-12)}`,
    'csi.storage.k8s.io/serviceAccount.name': 'default',
    'csi.storage.k8s.io/ephemeral': 'false',
  };
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/courier-bench-target', permission: '420' };
}

const VICTIM = request('victim', { objects: Array.from({ length: 10 }, (_, index) => `- {source: "file:victim/s${index}.json", path: "f${index}", jsonKey: password}`).join('\n') });

/** The neighbour's Mounts, each as costly as the budgets let it be. */
function neighbourRequests(): WireRequest[] {
  const many = Array.from({ length: 250 }, (_, index) => `- {source: "file:neighbour/big.json", path: "many/f${index}", jmesPath: "items[${index}].name"}`).join('\n');
  const fresh = Array.from({ length: 250 }, (_, index) => `- {source: "file:neighbour/small.json", path: "fresh/a/somewhat/deeper/directory/f${index}", jsonKey: password, mode: 0400}  # ${'c'.repeat(120)}`).join('\n');
  const template = '- path: out\n  template: "{% for i in (1..6000) %}{{ i }}{% endfor %}"';
  return [
    request('neighbour', { objects: '- {source: "file:neighbour/big.json", path: sorted, jmesPath: "sort_by(items, &name)[*].y"}' }),
    request('neighbour', { objects: many }),
    request('neighbour', { objects: '- {source: "file:neighbour/blob", path: a}\n- {source: "file:neighbour/blob", path: b}\n- {source: "file:neighbour/blob", path: c}\n- {source: "file:neighbour/blob", path: d}' }),
    request('neighbour', { objects: template }),
    // A class never seen before on every Mount (noisy-load.ts numbers each one): planned cold each time.
    request('neighbour', { objects: `# class ${FRESH_CLASS}\n${fresh}` }),
    request('throttled-ns', { objects: Array.from({ length: 10 }, (_, index) => `- {source: "throttled:s${index}", path: "t${index}"}`).join('\n') }),
  ];
}

/** Spawns a bench helper (bench/lib/<name>) as its own Node.js process. */
function spawnHelper(name: string, args: readonly string[], nodeArgs: readonly string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, fileURLToPath(new URL(`../lib/${name}`, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Sets the priority of every thread of `pid`, once its runtime has started them (threads it starts later inherit it from theirs). */
async function niceThreads(pid: number, priority: number): Promise<void> {
  setPriority(pid, priority);
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const thread of await readdir(`/proc/${pid}/task`)) {
    try {
      setPriority(Number(thread), priority);
    } catch (error) {
      // A thread that ended after the listing is skipped.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** Resolves once `path` accepts a connection (the server child is up). */
async function accepting(path: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(path);
      socket.once('connect', () => resolve(socket.destroy() !== undefined));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${path} never accepted`);
}

/** Peak RSS (VmHWM) of a process, in bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Pools the rounds of one phase. */
function pooled(results: readonly LoadResult[]): LoadResult {
  return {
    concurrency: results[0]?.concurrency ?? 0,
    completed: results.reduce((sum, result) => sum + result.completed, 0),
    failed: results.reduce((sum, result) => sum + result.failed, 0),
    latenciesMs: results.flatMap((result) => result.latenciesMs),
    elapsedMs: results.reduce((sum, result) => sum + result.elapsedMs, 0),
  };
}

export async function run(): Promise<BenchCase> {
  const root = await makeStore();
  const dir = await mkdtemp(join(tmpdir(), 'courier-bench-noisy-sock-'));
  const socketPath = join(dir, 'courier.sock');
  const requestsFile = join(dir, 'neighbour.json');
  await writeFile(requestsFile, JSON.stringify(neighbourRequests()));
  // Courier, the victim's client (this process) and the neighbour's clients are three processes, as
  // the driver and Courier are on a node.
  // The server runs with the image's node options (heap limits), as it ships.
  const server = spawnHelper('noisy-server.ts', [dir, root], await imageNodeOptions());
  try {
    await accepting(socketPath);
    await driveMounts({ socketPath, request: VICTIM, concurrency: 16, count: 1_000 });
    // Back to back the victim alone keeps Courier's thread busy; paced at a fraction of that rate it leaves room.
    const calibration = await driveMounts({ socketPath, request: VICTIM, concurrency: 16, count: VICTIM_MOUNTS / ROUNDS, maxMs: 60_000 });
    const rate = Math.round((PACED_SHARE * calibration.completed) / (calibration.elapsedMs / 1000));
    const backToBack = { socketPath, request: VICTIM, concurrency: 16, count: VICTIM_MOUNTS / ROUNDS, maxMs: 60_000 };
    const paced = { socketPath, request: VICTIM, concurrency: 16, count: Math.round((rate * PACED_SECONDS) / ROUNDS), ratePerSecond: rate, maxMs: 60_000 };
    const load = spawnHelper('noisy-load.ts', [socketPath, requestsFile]);
    // The neighbour's client stands in for its share of the driver; on a two-core machine it would
    // otherwise take a core from Courier, and the case would measure the operating system's fairness.
    // Every thread of it: setpriority on Linux sets one thread, and V8's own (its garbage collector's) would
    // otherwise keep this process's priority.
    await niceThreads(load.pid ?? 0, 19);
    let output = '';
    load.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const loadDone = new Promise((resolve) => load.once('exit', resolve));
    // The control is a second paced phase alone in every round (before or after the first, alternately): its p99
    // against the first one's is what the ratio moves by with no neighbour at all, this run's noise floor.
    const phases = { alone: [] as LoadResult[], beside: [] as LoadResult[], pacedAlone: [] as LoadResult[], pacedBeside: [] as LoadResult[], control: [] as LoadResult[] };
    // Rounds alternate the victim alone (the neighbour's client stopped) and beside it, so that both
    // see the same machine: on a shared host the load drifts within seconds, and one long run of each
    // would measure the drift.
    const neighbour = async (running: boolean) => {
      load.kill(running ? 'SIGCONT' : 'SIGSTOP');
      // Once it is stopped, its Mounts in flight finish before the victim's next ones start.
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    };
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let index = 0; index < ROUNDS; index += 1) {
        for (const running of index % 2 === 0 ? [false, true] : [true, false]) {
          await neighbour(running);
          (running ? phases.beside : phases.alone).push(await driveMounts(backToBack));
          if (running) phases.pacedBeside.push(await driveMounts(paced));
          else for (const phase of index % 4 < 2 ? [phases.pacedAlone, phases.control] : [phases.control, phases.pacedAlone]) phase.push(await driveMounts(paced));
        }
      }
    } finally {
      load.kill('SIGCONT');
      load.kill('SIGTERM');
      await loadDone;
    }
    const [alone, beside, pacedAlone, pacedBeside, control] = [pooled(phases.alone), pooled(phases.beside), pooled(phases.pacedAlone), pooled(phases.pacedBeside), pooled(phases.control)];
    const { mounts, failed } = JSON.parse(output.trim() || '{"mounts":0,"failed":0}') as { mounts: number; failed: number };
    const peak = mebibytes(await peakRss(server.pid ?? 0));
    const ratio = (after: LoadResult, before: LoadResult) => round(percentile(after.latenciesMs, 99) / percentile(before.latenciesMs, 99));
    const saturated = ratio(beside, alone);
    const shared = ratio(pacedBeside, pacedAlone);
    const row = (phase: string, result: LoadResult, base: LoadResult) => ({ phase, mounts: result.completed, failed: result.failed, 'p50 ms': round(percentile(result.latenciesMs, 50)), 'p99 ms': round(percentile(result.latenciesMs, 99)), 'p99 / alone': ratio(result, base), 'mounts/s': Math.round(result.completed / (result.elapsedMs / 1000)) });
    return {
      title: `${title} (neighbour: ${mounts} Mounts, ${failed} of them refused or failed)`,
      rows: [
        row('back to back, alone', alone, alone),
        row('back to back, beside the neighbour', beside, alone),
        row(`${rate}/s, alone`, pacedAlone, pacedAlone),
        row(`${rate}/s, beside the neighbour`, pacedBeside, pacedAlone),
        row(`${rate}/s, alone again (control: no neighbour either)`, control, pacedAlone),
      ],
      targets: [
        { metric: 'victim p99 back to back (concurrency 16), beside the neighbour / alone (ratio)', target: '<= 1.5', value: saturated, met: saturated <= 1.5 },
        // Paced, the victim's p99 is made of a few rare stalls (collections of the old generation, the machine's own), so
        // the control row's ratio, with no neighbour at all, shows how far this one moves by chance in the same run.
        { metric: `victim p99 paced at ${rate} Mounts/s (${PACED_SHARE * 100}% of its rate alone), beside the neighbour / alone (ratio)`, target: '<= 1.5', value: shared, met: shared <= 1.5 },
        { metric: 'victim Mounts failed beside the neighbour', target: '0', value: beside.failed + pacedBeside.failed, met: beside.failed + pacedBeside.failed === 0 },
        { metric: 'peak RSS of Courier (MiB)', target: `< ${CONTAINER_LIMIT_MIB} MiB (the chart's limit)`, value: peak, met: peak < CONTAINER_LIMIT_MIB },
      ],
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(root, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
