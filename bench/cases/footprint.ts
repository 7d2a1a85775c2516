/**
 * Footprint of the DaemonSet: start-up, memory, first Mount and CPU per Mount of Courier (every store
 * switched on as the chart does, metrics and health served) beside the null provider (bench/lib/null-provider.mjs:
 * the same runtime on grpc-js, answering a fixed set of files) and the same null provider on Courier's own gRPC
 * server, measured interleaved in one run.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../../test/fakes/kube-api.ts';
import { startMoto } from '../../test/e2e/moto/moto-server.ts';
import { fakePodToken, tokensAttribute } from '../../test/helpers/pod-token.ts';
import { connectProvider } from '../../test/helpers/provider-client.ts';
import { imageNodeOptions, startCourierProcess, type CourierProcess, type CourierProcessOptions } from '../lib/courier-process.ts';
import { driveMounts, type WireRequest } from '../lib/load.ts';
import { mebibytes, percentile, round } from '../lib/stats.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';

export const title = 'footprint: Courier (every store on, as the chart starts it) beside the null provider, interleaved, both with the image\'s node options';

const NULL_PROVIDER = fileURLToPath(new URL('../lib/null-provider.mjs', import.meta.url));
const STARTS = 5;
const FIRST_MOUNTS = 3;
/**
 * Mounts at concurrency 16 before anything is measured. V8's optimising compiler was still compiling
 * Courier's hot code 10,000 Mounts after start (30-110 ms of compile time per 1,000 Mounts, then a
 * few ms): a DaemonSet serves for days, so the warm figures are taken once it has settled. The CPU of
 * the warm-up itself is shown beside them.
 */
const WARM_UP = 20_000;
/** Warm Mounts measured, at concurrency 1 and 16, split over ROUNDS rounds. */
const WARM = { c1: 2_000, c16: 8_000 };
const ROUNDS = 4;
const OVERLOAD = 2_000;
const IDLE_SETTLE_MS = 2_000;

interface Provider {
  readonly name: 'courier' | 'null' | 'null-own-server';
  readonly options: CourierProcessOptions;
}

/** Ten JSON secrets of about 200 bytes on the local store; the class returns each whole, as the null provider does. */
async function makeStore(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'courier-bench-footprint-'));
  await mkdir(join(root, 'app'));
  for (let index = 0; index < 10; index += 1) {
    await writeFile(join(root, 'app', `secret-${index}.json`), JSON.stringify({ user: `user-${index}`, password: 'x'.repeat(40), note: 'y'.repeat(100) }));
  }
  return root;
}

function localRequest(): WireRequest {
  const objects = Array.from({ length: 10 }, (_, index) => `- source: file:app/secret-${index}.json\n  path: config/secret-${index}.json`).join('\n');
  const attributes = {
    objects,
    [DRIVER_KEYS.secretProviderClass]: 'bench',
    [DRIVER_KEYS.podName]: 'bench-0',
    [DRIVER_KEYS.podNamespace]: 'bench',
    [DRIVER_KEYS.podUid]: '00000000-0000-4000-8000-000000000000',
    [DRIVER_KEYS.serviceAccount]: 'default',
  };
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/courier-bench-target', permission: '420' };
}

/** An AWS-provider class of two Secrets Manager secrets, read with IRSA from moto. */
function awsAttributes(): Record<string, string> {
  return {
    dialect: 'aws',
    region: 'us-east-1',
    objects: '- {objectName: footprint-0, objectType: secretsmanager}\n- {objectName: footprint-1, objectType: secretsmanager}',
    [DRIVER_KEYS.secretProviderClass]: 'bench-aws',
    [DRIVER_KEYS.podName]: 'web-0',
    [DRIVER_KEYS.podNamespace]: 'bench',
    [DRIVER_KEYS.podUid]: '00000000-0000-4000-8000-000000000001',
    [DRIVER_KEYS.serviceAccount]: 'app',
    [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: 'sts.amazonaws.com', token: fakePodToken({ namespace: 'bench', serviceAccount: 'app', audience: 'sts.amazonaws.com' }) }]),
  };
}

/** The flags the chart starts Courier with by default, plus the gcp and vault stores switched on. */
function courierOptions(store: string, kube: FakeKubeApi, motoUrl: string, nodeArgs: readonly string[]): CourierProcessOptions {
  return {
    nodeArgs,
    args: ['--local-store', store, '--kubeconfig', kube.kubeconfig, '--metrics-addr', '127.0.0.1:0', '--health-addr', '127.0.0.1:0', '--gcp-project', 'bench-project', '--gcp-cluster-location', 'europe-west1', '--gcp-cluster-name', 'bench', '--vault-addr', 'https://127.0.0.1:1'],
    env: { AWS_ENDPOINT_URL: motoUrl, AWS_REGION: 'us-east-1' },
  };
}

async function measureStarts(providers: readonly Provider[]): Promise<Map<string, number[]>> {
  const times = new Map<string, number[]>(providers.map((provider) => [provider.name, []]));
  for (let round = 0; round < STARTS; round += 1) {
    for (const provider of providers) {
      const process = await startCourierProcess(provider.options);
      times.get(provider.name)?.push(process.readyMs);
      await process.stop();
    }
  }
  return times;
}

/** Milliseconds of the first Mount sent the moment the socket accepts. */
async function firstMount(process: CourierProcess, attributes: Record<string, string>): Promise<number> {
  const client = connectProvider(process.socketPath);
  try {
    const started = performance.now();
    await client.mount({ attributes }, 30_000);
    return performance.now() - started;
  } finally {
    client.close();
  }
}

async function measureFirstMounts(providers: readonly Provider[]): Promise<Map<string, { local: number[]; aws: number[] }>> {
  const times = new Map(providers.map((provider) => [provider.name, { local: [] as number[], aws: [] as number[] }]));
  const local = JSON.parse(localRequest().attributes) as Record<string, string>;
  for (let round = 0; round < FIRST_MOUNTS; round += 1) {
    for (const provider of providers) {
      for (const kind of ['local', 'aws'] as const) {
        const process = await startCourierProcess(provider.options);
        try {
          times.get(provider.name)?.[kind].push(await firstMount(process, kind === 'aws' ? awsAttributes() : local));
        } finally {
          await process.stop();
        }
      }
    }
  }
  return times;
}

interface Steady {
  readonly idleRss: number;
  readonly p50c1: number;
  readonly cpuC1: number;
  readonly cpuC16: number;
  /** CPU per Mount over the warm-up, while V8 is still compiling the hot code. */
  readonly cpuWarming: number;
  readonly peak16: number;
  readonly peakOverload: number;
  readonly overloadFailed: number;
  readonly failed: number;
}

/** Resident memory IDLE_SETTLE_MS after start. */
async function measureIdle(options: CourierProcessOptions): Promise<number> {
  const process = await startCourierProcess(options);
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    return await process.rssBytes();
  } finally {
    await process.stop();
  }
}

/**
 * Idle RSS, a warm-up, then warm Mounts at concurrency 1 and 16 in ROUNDS rounds that alternate the
 * providers (all running at once, each idle while another is measured), then a burst of OVERLOAD
 * Mounts at once on each. One process each: on this machine the CPU of one process's Mounts moved
 * by a third from process to process and minute to minute, so each figure pools the rounds.
 */
async function measureSteady(providers: readonly Provider[]): Promise<Map<string, Steady>> {
  const request = localRequest();
  const processes: CourierProcess[] = [];
  try {
    for (const provider of providers) processes.push(await startCourierProcess(provider.options));
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const idle = await Promise.all(processes.map((process) => process.rssBytes()));
    const cpuOf = async (process: CourierProcess, concurrency: number, count: number) => {
      const cpu = await process.cpuSeconds();
      const result = await driveMounts({ socketPath: process.socketPath, request, concurrency, count, maxMs: 60_000 });
      return { result, cpuMs: ((await process.cpuSeconds()) - cpu) * 1000 };
    };
    const warming = processes.map(() => ({ cpuMs: 0, mounts: 0 }));
    for (const [index, process] of processes.entries()) {
      const { result, cpuMs } = await cpuOf(process, 16, WARM_UP);
      warming[index] = { cpuMs, mounts: result.completed + result.failed };
    }
    const pooled = processes.map(() => ({ c1: { cpuMs: 0, mounts: 0, latencies: [] as number[] }, c16: { cpuMs: 0, mounts: 0 }, failed: 0 }));
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = processes.map((_, index) => index);
      if (round % 2 === 1) order.reverse();
      for (const index of order) {
        const process = processes[index] as CourierProcess;
        const into = pooled[index] as (typeof pooled)[number];
        const one = await cpuOf(process, 1, WARM.c1 / ROUNDS);
        into.c1.cpuMs += one.cpuMs;
        into.c1.mounts += one.result.completed + one.result.failed;
        into.c1.latencies.push(...one.result.latenciesMs);
        const sixteen = await cpuOf(process, 16, WARM.c16 / ROUNDS);
        into.c16.cpuMs += sixteen.cpuMs;
        into.c16.mounts += sixteen.result.completed + sixteen.result.failed;
        into.failed += one.result.failed + sixteen.result.failed;
      }
    }
    const steady = new Map<string, Steady>();
    for (const [index, process] of processes.entries()) {
      const into = pooled[index] as (typeof pooled)[number];
      const warm = warming[index] as { cpuMs: number; mounts: number };
      const peak16 = await process.peakRssBytes();
      const overload = await driveMounts({ socketPath: process.socketPath, request, concurrency: OVERLOAD, count: OVERLOAD, deadlineMs: 60_000, maxMs: 90_000 });
      steady.set((providers[index] as Provider).name, {
        idleRss: idle[index] as number,
        p50c1: percentile(into.c1.latencies, 50),
        cpuC1: into.c1.cpuMs / Math.max(1, into.c1.mounts),
        cpuC16: into.c16.cpuMs / Math.max(1, into.c16.mounts),
        cpuWarming: warm.cpuMs / Math.max(1, warm.mounts),
        peak16,
        peakOverload: await process.peakRssBytes(),
        overloadFailed: overload.failed,
        failed: into.failed,
      });
    }
    return steady;
  } finally {
    await Promise.all(processes.map((process) => process.stop()));
  }
}

export async function run(): Promise<BenchCase> {
  const store = await makeStore();
  const moto = await startMoto();
  const kube = await startFakeKubeApi();
  try {
    kube.addServiceAccount('bench', 'app', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/bench' });
    const seed = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' } });
    for (let index = 0; index < 2; index += 1) await seed.send(new CreateSecretCommand({ Name: `footprint-${index}`, SecretString: `value-${index}` }));
    // Both run with the image's node options, so the runtime is the same.
    const nodeArgs = await imageNodeOptions();
    const providers: Provider[] = [
      { name: 'null', options: { script: NULL_PROVIDER, nodeArgs } },
      { name: 'courier', options: courierOptions(store, kube, moto.url, nodeArgs) },
      { name: 'null-own-server', options: { script: NULL_PROVIDER, nodeArgs, args: ['--server', 'courier'] } },
    ];
    const starts = await measureStarts(providers);
    const firsts = await measureFirstMounts(providers);
    const steady = await measureSteady(providers);
    const courier = providers.find((provider) => provider.name === 'courier') as Provider;
    const unloaded = await measureIdle({ ...courier.options, args: [...(courier.options.args ?? []), '--preload-stores', 'none'] });
    return report(starts, firsts, steady, unloaded);
  } finally {
    await kube.close();
    await moto.close();
    await rm(store, { recursive: true, force: true });
  }
}

function report(starts: Map<string, number[]>, firsts: Map<string, { local: number[]; aws: number[] }>, steady: Map<string, Steady>, unloadedIdle: number): BenchCase {
  const of = (name: string) => steady.get(name) as Steady;
  const courier = of('courier');
  const nil = of('null');
  const own = of('null-own-server');
  const median = (values: readonly number[] | undefined) => percentile(values ?? [], 50);
  const figures = {
    ready: [median(starts.get('courier')), median(starts.get('null')), median(starts.get('null-own-server'))],
    firstLocal: [median(firsts.get('courier')?.local), median(firsts.get('null')?.local), median(firsts.get('null-own-server')?.local)],
    firstAws: [median(firsts.get('courier')?.aws), median(firsts.get('null')?.aws), median(firsts.get('null-own-server')?.aws)],
    idle: [mebibytes(courier.idleRss), mebibytes(nil.idleRss), mebibytes(own.idleRss)],
    peak16: [mebibytes(courier.peak16), mebibytes(nil.peak16), mebibytes(own.peak16)],
    peakOverload: [mebibytes(courier.peakOverload), mebibytes(nil.peakOverload), mebibytes(own.peakOverload)],
    cpu1: [courier.cpuC1, nil.cpuC1, own.cpuC1],
    cpu16: [courier.cpuC16, nil.cpuC16, own.cpuC16],
    cpuWarming: [courier.cpuWarming, nil.cpuWarming, own.cpuWarming],
    p50: [courier.p50c1, nil.p50c1, own.p50c1],
  } as const;
  // The ratio is to the null provider on grpc-js, the floor the targets are set against; the last
  // columns show the floor on Courier's own gRPC server.
  const row = (metric: string, [ours, floor, ownFloor]: readonly [number, number, number], digits: number, note = '') => ({
    metric,
    courier: round(ours, digits),
    'null provider': round(floor, digits),
    ratio: round(ours / floor, 2),
    'null, own server': round(ownFloor, digits),
    'ratio to it': round(ours / ownFloor, 2),
    note,
  });
  const rows = [
    row(`spawn to socket accepting, median of ${STARTS} (ms)`, figures.ready, 0),
    row(`first Mount after start, local store, median of ${FIRST_MOUNTS} (ms)`, figures.firstLocal, 0, 'courier: preloading the AWS and Google libraries meanwhile'),
    row(`first Mount after start, AWS with IRSA against moto, median of ${FIRST_MOUNTS} (ms)`, figures.firstAws, 0, 'null provider: its fixed answer'),
    row(`idle RSS ${IDLE_SETTLE_MS / 1000} s after start (MiB)`, figures.idle, 1, 'courier: the AWS and Google libraries preloaded'),
    row(`idle RSS ${IDLE_SETTLE_MS / 1000} s after start, --preload-stores none (MiB)`, [mebibytes(unloadedIdle), figures.idle[1], figures.idle[2]], 1),
    row('peak RSS after warm Mounts at concurrency 16 (MiB)', figures.peak16, 1),
    row(`peak RSS after ${OVERLOAD} Mounts at once (MiB)`, figures.peakOverload, 1, `failed: courier ${courier.overloadFailed}, null ${nil.overloadFailed}, null on own server ${own.overloadFailed}`),
    row('server CPU per warm Mount at concurrency 1 (ms)', figures.cpu1, 3),
    row('server CPU per warm Mount at concurrency 16 (ms)', figures.cpu16, 3, `pooled over ${ROUNDS} alternating rounds`),
    row(`server CPU per Mount over the first ${WARM_UP} at concurrency 16, the JIT warming (ms)`, figures.cpuWarming, 3),
    row('p50 warm Mount at concurrency 1 (ms)', figures.p50, 2),
  ];
  const ratio16 = figures.cpu16[0] / figures.cpu16[1];
  const ratioP50 = figures.p50[0] / figures.p50[1];
  const targets: BenchTarget[] = [
    { metric: 'idle RSS (MiB)', target: '<= 64', value: figures.idle[0], met: figures.idle[0] <= 64 },
    { metric: 'peak RSS, 16 concurrent Mounts (MiB)', target: '<= 96', value: figures.peak16[0], met: figures.peak16[0] <= 96 },
    { metric: `peak RSS, ${OVERLOAD} Mounts at once (MiB)`, target: '<= 128', value: figures.peakOverload[0], met: figures.peakOverload[0] <= 128 },
    { metric: 'spawn to socket accepting (ms)', target: '<= 150', value: round(figures.ready[0], 0), met: figures.ready[0] <= 150 },
    { metric: 'first Mount after start, AWS against moto (ms)', target: '<= 250', value: round(figures.firstAws[0], 0), met: figures.firstAws[0] <= 250 },
    { metric: 'server CPU per warm Mount at c16, ratio to the null provider', target: '<= 1.5', value: round(ratio16, 2), met: ratio16 <= 1.5 },
    { metric: 'p50 warm Mount at c1, ratio to the null provider', target: '<= 1.3', value: round(ratioP50, 2), met: ratioP50 <= 1.3 },
    { metric: 'warm Mounts that failed (courier)', target: '0', value: courier.failed, met: courier.failed === 0 },
  ];
  return { title, rows, targets };
}
