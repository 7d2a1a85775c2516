/** Google Secret Manager at rollout: 100 pods of one service account mounting 10 secrets, over the STS/IAM/Secret Manager fakes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { createObjectFetcher, type ObjectFetcher } from '../../src/fetch/fetch-objects.ts';
import { createScaledFetcher, DEFAULT_FETCH_LAYER_OPTIONS } from '../../src/fetch/fetch-layer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { loadProviderProto } from '../../src/server/proto-client.ts';
import { createGcpWorld, staticServiceAccounts, TEST_POOL, TEST_PROJECT } from '../../test/fakes/gcp-world.ts';
import { fakePodToken, tokensAttribute } from '../../test/helpers/pod-token.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';

export const title = 'Google Secret Manager: 100 pods of one service account, 10 secrets each (STS, IAM and Secret Manager calls, latency)';

type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null) => void) => void;

const PODS = 100;
const SECRETS = 10;
const GSA = 'web@courier-test.iam.gserviceaccount.com';
/** Latencies the fakes add, roughly those of the real services from inside a region. */
const LATENCY = { stsMs: 30, iamMs: 30, secretManagerMs: 15 };

/** The Google-provider SecretProviderClass every pod mounts. */
const SECRETS_PARAMETER = Array.from({ length: SECRETS }, (_, index) => `- resourceName: projects/${TEST_PROJECT}/secrets/s${index}/versions/latest\n  path: s${index}\n`).join('');

function mountRequest(pod: number, serviceAccount: string): unknown {
  const token = fakePodToken({ namespace: 'team-a', serviceAccount, audience: TEST_POOL });
  const attributes = {
    secrets: SECRETS_PARAMETER,
    secretProviderClass: 'bench-gcp',
    'csi.storage.k8s.io/pod.name': `${serviceAccount}-${pod}`,
    'csi.storage.k8s.io/pod.namespace': 'team-a',
    'csi.storage.k8s.io/pod.uid': `uid-${pod}`,
    'csi.storage.k8s.io/serviceAccount.name': serviceAccount,
    'csi.storage.k8s.io/serviceAccount.tokens': tokensAttribute([{ audience: TEST_POOL, token }]),
  };
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/unused', permission: '420', currentObjectVersion: [] };
}

/** Every pod mounts at once; returns each Mount's latency and the failures. */
async function rollout(client: Client & { Mount: Unary }, serviceAccount: string): Promise<{ latencies: number[]; failures: number; firstError: string }> {
  const latencies: number[] = [];
  let failures = 0;
  let firstError = '';
  await Promise.all(Array.from({ length: PODS }, (_, pod) => new Promise<void>((resolve) => {
    const begin = performance.now();
    client.Mount(mountRequest(pod, serviceAccount), { deadline: Date.now() + 60_000 }, (error) => {
      if (error) {
        failures += 1;
        firstError ||= `${error.code}: ${error.details}`;
      } else latencies.push(performance.now() - begin);
      resolve();
    });
  })));
  return { latencies, failures, firstError };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN) * 10) / 10;
}

/** Runs `rounds` rollouts against a fresh world and Courier, with the fetch layer or the plain fetcher. */
async function scenario(layer: 'fetch layer' | 'plain fetcher', rounds: ReadonlyArray<{ readonly round: string; readonly serviceAccount: string }>): Promise<Array<Record<string, string | number>>> {
  const world = await createGcpWorld();
  const dir = await mkdtemp(join(tmpdir(), 'courier-gcp-bench-'));
  world.sts.latencyMs = LATENCY.stsMs;
  world.iam.latencyMs = LATENCY.iamMs;
  world.secretManager.latencyMs = LATENCY.secretManagerMs;
  for (let index = 0; index < SECRETS; index += 1) world.secretManager.addVersion(`projects/${TEST_PROJECT}/secrets/s${index}`, `value-${index}`);
  world.secretManager.grant(`serviceAccount:${GSA}`, '*');
  world.iam.allow(world.principalOf('team-a', 'web'), GSA);
  world.iam.allow(world.principalOf('team-a', 'api'), GSA);
  const annotations = { 'iam.gke.io/gcp-service-account': GSA };
  const serviceAccounts = staticServiceAccounts({ 'team-a/web': annotations, 'team-a/api': annotations });
  const backends = new Map([['gcp-sm' as const, world.store(serviceAccounts)]]);
  const metrics = createMetrics();
  const fetcher: ObjectFetcher = layer === 'plain fetcher' ? createObjectFetcher(backends, metrics) : createScaledFetcher(backends, metrics, DEFAULT_FETCH_LAYER_OPTIONS);
  const courier = await startCourier({ ...DEFAULT_SERVE_OPTIONS, socketDir: dir, compat: ['gcp'], metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 5_000 }, { logger: createLogger('silent'), metrics, backends, fetcher });
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${join(dir, 'gcp.sock')}`, credentials.createInsecure()) as unknown as Client & { Mount: Unary };
  const rows: Array<Record<string, string | number>> = [];
  try {
    for (const { round, serviceAccount } of rounds) {
      const before = { sts: world.sts.calls.length, iam: world.iam.calls.length, sm: world.secretManager.calls.length, reads: serviceAccounts.reads };
      const begin = performance.now();
      const run = await rollout(client, serviceAccount);
      rows.push({
        variant: layer,
        round,
        serviceAccount: `team-a/${serviceAccount}`,
        mounts: PODS,
        failures: run.failures,
        stsCalls: world.sts.calls.length - before.sts,
        iamCalls: world.iam.calls.length - before.iam,
        secretManagerCalls: world.secretManager.calls.length - before.sm,
        // Calls to the ServiceAccountReader; the real reader answers these from a 30 s cache.
        serviceAccountLookups: serviceAccounts.reads - before.reads,
        p50Ms: percentile(run.latencies, 50),
        p99Ms: percentile(run.latencies, 99),
        wallMs: Math.round(performance.now() - begin),
        ...(run.firstError === '' ? {} : { firstError: run.firstError }),
      });
    }
  } finally {
    client.close();
    await courier.shutdown();
    await world.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function run(): Promise<BenchCase> {
  const layered = await scenario('fetch layer', [
    { round: 'rollout (cold process)', serviceAccount: 'web' },
    { round: 'remount (rotation)', serviceAccount: 'web' },
    { round: 'rollout of a second service account (warm process)', serviceAccount: 'api' },
  ]);
  const plain = await scenario('plain fetcher', [{ round: 'rollout (cold process)', serviceAccount: 'web' }]);
  const rows = [...layered, ...plain];
  const first = layered[0] ?? {};
  const plainFirst = plain[0] ?? {};
  const targets: BenchTarget[] = [
    { metric: 'STS exchanges for 100 pods of one service account', target: '= 1', value: first['stsCalls'] ?? 'n/a', met: first['stsCalls'] === 1 },
    { metric: 'IAM generateAccessToken calls for 100 pods', target: '= 1', value: first['iamCalls'] ?? 'n/a', met: first['iamCalls'] === 1 },
    { metric: 'token exchanges without the value cache', target: '= 1', value: plainFirst['stsCalls'] ?? 'n/a', met: plainFirst['stsCalls'] === 1 },
    { metric: 'Secret Manager calls at rollout with the fetch layer', target: `<= ${SECRETS}`, value: first['secretManagerCalls'] ?? 'n/a', met: Number(first['secretManagerCalls']) <= SECRETS },
    { metric: 'p99 Mount latency at rollout, cold process (ms)', target: '< 2000', value: first['p99Ms'] ?? 'n/a', met: Number(first['p99Ms']) < 2000 },
    { metric: 'p99 Mount latency at rollout, warm process (ms)', target: '< 1000', value: layered[2]?.['p99Ms'] ?? 'n/a', met: Number(layered[2]?.['p99Ms']) < 1000 },
    { metric: 'failed Mounts', target: '= 0', value: rows.reduce((sum, row) => sum + Number(row['failures']), 0), met: rows.every((row) => row['failures'] === 0) },
  ];
  return { title, rows, targets };
}
