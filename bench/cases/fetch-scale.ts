/** The fetch layer at scale: rollout, steady rotation, identity isolation and overload, over the real socket. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../../src/stores/backend.ts';
import { systemClock, type Clock } from '../../src/fetch/clock.ts';
import { createObjectFetcher, type ObjectFetcher } from '../../src/fetch/fetch-objects.ts';
import { createScaledFetcher, DEFAULT_FETCH_LAYER_OPTIONS, type FetchLayerOptions } from '../../src/fetch/fetch-layer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { loadProviderProto } from '../../src/server/proto-client.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';
import { createStoreRegistry, STORE_MODULES } from '../../src/stores/registry.ts';
import type { StoreModule } from '../../src/stores/store-module.ts';

export const title = 'Fetch layer at scale: store calls and Mount latency with single-flight, cache and queues';

type Row = Record<string, string | number>;
type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null, value?: { files: Array<{ contents: Uint8Array }> }) => void) => void;

const OBJECTS = 10;
const TTL_MS = DEFAULT_FETCH_LAYER_OPTIONS.cacheTtlMs;

/** An in-process store: answers `<namespace>/<serviceAccount>:<locator>` after `latencyMs`, counting calls and requests. */
function countingStore(latencyMs: number) {
  const stats = { calls: 0, requests: 0 };
  const backend: Backend = {
    store: 'bench',
    maxBatchSize: 10,
    identityKey: (_request, context) => Promise.resolve(`${context.pod.namespace}/${context.pod.serviceAccount}`),
    async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
      stats.calls += 1;
      stats.requests += requests.length;
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return requests.map((request) => ({ ok: true, contents: Buffer.from(`${context.pod.namespace}/${context.pod.serviceAccount}:${request.locator}`), version: 'v1' }));
    },
  };
  return { backend, stats };
}

/** The production stores plus the counting store, registered under its own source name `bench`. */
function benchCatalog(backend: Backend) {
  const module: StoreModule = { name: 'bench', title: 'the counting bench store', docs: 'bench/README.md', sources: [{ name: 'bench', locatorHelp: 'anything', enableHint: 'registered by the bench' }], dialects: [], flags: [], enabled: () => true, start: () => Promise.resolve([backend]) };
  return createStoreRegistry([...STORE_MODULES, module]).catalog;
}

/** A Courier on a temporary socket in this process, with the fetch layer (or the plain fetcher) in front of a counting store. */
async function startBench(latencyMs: number, layer: Partial<FetchLayerOptions> | 'plain') {
  const dir = await mkdtemp(join(tmpdir(), 'courier-fetch-bench-'));
  const { backend, stats } = countingStore(latencyMs);
  const backends = new Map([['bench', backend]]);
  const metrics = createMetrics();
  const fetcher: ObjectFetcher = layer === 'plain' ? createObjectFetcher(backends, metrics) : createScaledFetcher(backends, metrics, { ...DEFAULT_FETCH_LAYER_OPTIONS, ...layer });
  const options = { ...DEFAULT_SERVE_OPTIONS, socketDir: dir, metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 5_000 };
  const courier = await startCourier(options, { logger: createLogger('silent'), metrics, backends, fetcher, catalog: benchCatalog(backend) });
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${join(dir, 'courier.sock')}`, credentials.createInsecure()) as unknown as Client & { Mount: Unary };
  const stop = async () => {
    client.close();
    await courier.shutdown();
    await rm(dir, { recursive: true, force: true });
  };
  return { client, stats, metrics, stop };
}

/** The driver's MountRequest for a pod of `namespace`/`serviceAccount` mounting `locators`. */
function mountRequest(namespace: string, serviceAccount: string, locators: readonly string[]) {
  const objects = locators.map((locator, index) => `- source: bench:${locator}\n  path: file-${index}\n`).join('');
  const attributes = {
    objects,
    secretProviderClass: 'bench',
    'csi.storage.k8s.io/pod.name': `${serviceAccount}-pod`,
    'csi.storage.k8s.io/pod.namespace': namespace,
    'csi.storage.k8s.io/pod.uid': `uid-${namespace}-${serviceAccount}`,
    'csi.storage.k8s.io/serviceAccount.name': serviceAccount,
  };
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/unused', permission: '420', currentObjectVersion: [] };
}

interface MountRun {
  readonly latenciesMs: number[];
  readonly failures: number;
  readonly firstError: string;
  /** The first file of each successful Mount, in request order ('' for failures). */
  readonly firstFiles: string[];
}

/** Sends every request at once and waits for all answers. */
async function mountAll(client: Client & { Mount: Unary }, requests: ReadonlyArray<ReturnType<typeof mountRequest>>, deadlineMs = 60_000): Promise<MountRun> {
  const latenciesMs: number[] = [];
  const firstFiles: string[] = [];
  let failures = 0;
  let firstError = '';
  await Promise.all(
    requests.map(
      (request, index) =>
        new Promise<void>((resolve) => {
          const begin = performance.now();
          client.Mount(request, { deadline: Date.now() + deadlineMs }, (error, value) => {
            if (error) {
              failures += 1;
              firstError ||= `${error.code}: ${error.details}`;
            } else latenciesMs.push(performance.now() - begin);
            firstFiles[index] = error ? '' : Buffer.from(value?.files[0]?.contents ?? new Uint8Array()).toString('utf8');
            resolve();
          });
        }),
    ),
  );
  return { latenciesMs, failures, firstError, firstFiles };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] ?? Number.NaN) * 10) / 10;
}

const locators = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}/secret-${index}`);

function row(scenario: string, variant: string, mounts: number, latencyMs: number, stats: { calls: number; requests: number }, run: MountRun | undefined, naive: number): Row {
  return {
    scenario,
    variant,
    mounts,
    storeMs: latencyMs,
    storeCalls: stats.calls,
    objectRequests: stats.requests,
    perSecretPerMount: naive,
    p50Ms: run ? percentile(run.latenciesMs, 50) : '-',
    p99Ms: run ? percentile(run.latenciesMs, 99) : '-',
    failures: run ? run.failures : 0,
  };
}

/** 200 concurrent Mounts of one 10-object class by one identity. */
async function rollout(latencyMs: number, variant: string, layer: Partial<FetchLayerOptions> | 'plain', rows: Row[]): Promise<{ calls: number; p99: number }> {
  const bench = await startBench(latencyMs, layer);
  try {
    const request = mountRequest('shop', 'web', locators('shop', OBJECTS));
    const run = await mountAll(bench.client, Array.from({ length: 200 }, () => request));
    rows.push(row('rollout', variant, 200, latencyMs, bench.stats, run, 200 * OBJECTS));
    return { calls: bench.stats.calls, p99: percentile(run.latenciesMs, 99) };
  } finally {
    await bench.stop();
  }
}

/** 200 concurrent Mounts by one identity, each of its own single-object class: batching across Mounts. */
async function spread(rows: Row[]): Promise<void> {
  const bench = await startBench(50, {});
  try {
    const requests = locators('team', 200).map((locator) => mountRequest('team', 'app', [locator]));
    const run = await mountAll(bench.client, requests);
    rows.push(row('200 classes, 1 identity', 'fetch layer', 200, 50, bench.stats, run, 200));
  } finally {
    await bench.stop();
  }
}

/** The rollout without gRPC and the Mount pipeline: 200 concurrent fetchObjects calls, to show the layer's own latency. */
async function fetchOnly(latencyMs: number, rows: Row[]): Promise<void> {
  const { backend, stats } = countingStore(latencyMs);
  const fetcher = createScaledFetcher(new Map([['bench', backend]]), createMetrics(), DEFAULT_FETCH_LAYER_OPTIONS);
  const objects = locators('shop', OBJECTS).map((locator, index) => ({ id: `objects[${index}]`, store: 'bench', locator, storeParams: {}, path: `file-${index}`, mode: 0o644, encoding: 'utf-8' as const, optional: false }));
  const pod = { name: 'web-pod', namespace: 'shop', uid: 'uid', serviceAccount: 'web' };
  const latenciesMs: number[] = [];
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      const begin = performance.now();
      await fetcher.fetchObjects(objects, { signal: AbortSignal.timeout(60_000), pod, tokens: new Map() });
      latenciesMs.push(performance.now() - begin);
    }),
  );
  fetcher.close();
  rows.push(row('rollout', 'fetch layer, in-process only', 200, latencyMs, stats, { latenciesMs, failures: 0, firstError: '', firstFiles: [] }, 200 * OBJECTS));
}

/** 200 volumes re-mounting once a minute, spread over the minute, for 5 simulated minutes. */
async function rotation(rows: Row[]): Promise<number> {
  let simulatedMs = 0;
  const real = systemClock();
  const clock: Clock = { now: () => simulatedMs, sleep: (ms, signal) => real.sleep(ms, signal) };
  const bench = await startBench(0, { clock });
  try {
    const request = mountRequest('shop', 'web', locators('shop', OBJECTS));
    let failures = 0;
    for (let minute = 0; minute < 5; minute += 1) {
      for (let volume = 0; volume < 200; volume += 1) {
        simulatedMs = minute * 60_000 + volume * 300;
        failures += (await mountAll(bench.client, [request])).failures;
      }
    }
    const perMinute = Math.round((bench.stats.requests / 5) * 10) / 10;
    rows.push({ ...row('rotation, 5 sim. min', 'per minute', 200, 0, { calls: bench.stats.calls / 5, requests: perMinute }, undefined, 200 * OBJECTS), failures });
    return perMinute;
  } finally {
    await bench.stop();
  }
}

/** 200 Mounts at once from 200 identities of one secret name; every identity must get its own call and value. */
async function isolation(rows: Row[]): Promise<{ calls: number; own: boolean }> {
  const bench = await startBench(50, {});
  try {
    const requests = Array.from({ length: 200 }, (_, index) => mountRequest(`ns-${index}`, 'app', ['shared/db-password']));
    const run = await mountAll(bench.client, requests);
    rows.push(row('isolation', '200 identities', 200, 50, bench.stats, run, 200));
    const own = run.firstFiles.every((file, index) => file === `ns-${index}/app:shared/db-password`);
    return { calls: bench.stats.calls, own };
  } finally {
    await bench.stop();
  }
}

/** 2,000 Mounts at once (200 identities x 10 pods, 10 objects each) against a 50 ms store. */
async function overload(rows: Row[]): Promise<{ failures: number; peakRssMiB: number; drained: boolean; peakQueue: number }> {
  const bench = await startBench(50, {});
  try {
    const requests = Array.from({ length: 2_000 }, (_, index) => mountRequest(`ns-${index % 200}`, 'app', locators('app', OBJECTS)));
    let peakRss = process.memoryUsage.rss();
    let peakQueue = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      void queueDepth(bench.metrics).then((depth) => (peakQueue = Math.max(peakQueue, depth)));
    }, 5);
    const run = await mountAll(bench.client, requests);
    clearInterval(sampler);
    const drained = (await queueDepth(bench.metrics)) === 0;
    const peakRssMiB = Math.round(peakRss / (1024 * 1024));
    rows.push({ ...row('overload', `peak RSS ${peakRssMiB} MiB, peak queue ${peakQueue}`, 2_000, 50, bench.stats, run, 2_000 * OBJECTS), failures: run.failures });
    return { failures: run.failures, peakRssMiB, drained, peakQueue };
  } finally {
    await bench.stop();
  }
}

async function queueDepth(metrics: Metrics): Promise<number> {
  return (await metrics.fetchQueueDepth.get()).values.reduce((sum, entry) => sum + entry.value, 0);
}

/** Runs the four scenarios of issue 3, plus the plain fetcher and a batch window for comparison. */
export async function run(): Promise<BenchCase> {
  const rows: Row[] = [];
  const targets: BenchTarget[] = [];
  // Warm up the JIT, proto loading and the gRPC stack so the first measured scenario is not the slowest.
  await rollout(0, 'warm-up', {}, []);
  for (const latencyMs of [0, 50]) {
    await rollout(latencyMs, 'no fetch layer', 'plain', rows);
    const layered = await rollout(latencyMs, 'fetch layer', {}, rows);
    await fetchOnly(latencyMs, rows);
    targets.push({ metric: `rollout @${latencyMs} ms: store calls`, target: `<= ${OBJECTS}`, value: layered.calls, met: layered.calls <= OBJECTS });
    targets.push({ metric: `rollout @${latencyMs} ms: p99`, target: `<= ${latencyMs + 10} ms`, value: layered.p99, met: layered.p99 <= latencyMs + 10 });
  }
  await spread(rows);
  const perMinute = await rotation(rows);
  const rotationTarget = OBJECTS * (60_000 / TTL_MS);
  targets.push({ metric: 'rotation: object requests per minute', target: `<= ${rotationTarget}`, value: perMinute, met: perMinute <= rotationTarget });
  const isolated = await isolation(rows);
  targets.push({ metric: 'isolation: store calls for 200 identities', target: '= 200', value: isolated.calls, met: isolated.calls === 200 });
  targets.push({ metric: 'isolation: every identity got its own value', target: 'yes', value: isolated.own ? 'yes' : 'no', met: isolated.own });
  const overloaded = await overload(rows);
  targets.push({ metric: 'overload: failed Mounts of 2,000', target: '= 0', value: overloaded.failures, met: overloaded.failures === 0 });
  targets.push({ metric: 'overload: queue drained', target: 'yes', value: overloaded.drained ? 'yes' : 'no', met: overloaded.drained });
  targets.push({ metric: 'overload: peak RSS of the bench process', target: '< 512 MiB', value: overloaded.peakRssMiB, met: overloaded.peakRssMiB < 512 });
  return { title, rows, targets };
}
