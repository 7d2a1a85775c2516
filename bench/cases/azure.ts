/** Azure Key Vault at rollout: 100 pods of one ServiceAccount mounting 10 secrets, against the Azure provider's per-Mount credential and client, over the Entra ID and Key Vault fakes. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { ClientAssertionCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { Registry } from 'prom-client';
import { createScaledFetcher, DEFAULT_FETCH_LAYER_OPTIONS } from '../../src/fetch/fetch-layer.ts';
import { NO_SIGNATURE_CHECK } from '../../src/identity/token-verifier.ts';
import { createContentVersion } from '../../src/output/content-version.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { loadProviderProto } from '../../src/server/proto-client.ts';
import { createAzureStore } from '../../src/stores/azure/create.ts';
import { azureOptions } from '../../src/stores/azure/options.ts';
import { createAzureWorld, type AzureWorld } from '../../test/fakes/azure/azure-world.ts';
import type { FakeVault } from '../../test/fakes/azure/key-vault-vault.ts';
import { tokensAttribute } from '../../test/helpers/pod-token.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';

export const title = 'Azure Key Vault: 100 pods of one ServiceAccount, 10 secrets each (Entra ID token requests, Key Vault GETs and challenges, latency)';

type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null) => void) => void;

const PODS = 100;
const SECRETS = 10;
const VAULT = 'bench-kv';
const AUDIENCE = 'api://AzureADTokenExchange';
/** Latencies the fakes add, roughly those of the real services from inside a region. */
const LATENCY = { entraMs: 40, keyVaultMs: 15 };

/** The Azure-provider SecretProviderClass every pod mounts. */
const OBJECTS = `array:\n${Array.from({ length: SECRETS }, (_, index) => `  - |\n    objectName: s${index}\n    objectType: secret\n`).join('')}`;

type Row = Record<string, string | number>;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN) * 10) / 10;
}

/** Runs `mountOne` for every pod at once; each Mount's latency and the failures. */
async function wave(mountOne: (pod: number) => Promise<void>): Promise<{ latencies: number[]; failures: number; firstError: string }> {
  const latencies: number[] = [];
  let failures = 0;
  let firstError = '';
  await Promise.all(Array.from({ length: PODS }, async (_, pod) => {
    const begin = performance.now();
    try {
      await mountOne(pod);
      latencies.push(performance.now() - begin);
    } catch (error) {
      failures += 1;
      firstError ||= error instanceof Error ? error.message : String(error);
    }
  }));
  return { latencies, failures, firstError };
}

/** One row: what the fakes counted during `run`, and its latencies. */
async function measure(world: AzureWorld, variant: string, round: string, run: () => ReturnType<typeof wave>): Promise<Row> {
  world.resetCounts();
  const begin = performance.now();
  const result = await run();
  const counts = world.counts();
  return {
    variant,
    round,
    mounts: PODS,
    failures: result.failures,
    tokenRequests: counts.tokenRequests,
    keyVaultGets: counts.vaultReads,
    challenges: counts.challenges,
    p50Ms: percentile(result.latencies, 50),
    p99Ms: percentile(result.latencies, 99),
    wallMs: Math.round(performance.now() - begin),
    ...(result.firstError === '' ? {} : { firstError: result.firstError.slice(0, 120) }),
  };
}

/** Courier over the fakes: the azure store with the world's agent, the default fetch layer (30 s TTL), azure.sock. */
async function courierRounds(world: AzureWorld, vault: FakeVault): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-azure-bench-'));
  const accounts = { annotations: () => Promise.resolve({}) };
  const shared = { serviceAccounts: accounts, allowProviderIdentity: false, tokenVerifier: NO_SIGNATURE_CHECK, contentVersion: createContentVersion(Buffer.alloc(32, 1)), metricsRegistry: new Registry() };
  const store = createAzureStore(azureOptions({}), undefined, shared, { agent: world.agent });
  const backends = new Map([['azure-kv', store]]);
  const metrics = createMetrics();
  const fetcher = createScaledFetcher(backends, metrics, DEFAULT_FETCH_LAYER_OPTIONS);
  const courier = await startCourier({ ...DEFAULT_SERVE_OPTIONS, socketDir: dir, compat: ['azure'], metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 5_000 }, { logger: createLogger('silent'), metrics, backends, fetcher });
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${join(dir, 'azure.sock')}`, credentials.createInsecure()) as unknown as Client & { Mount: Unary };
  const app = world.workloadIdentity('team-a', 'web');
  vault.allow({ objectId: app.objectId, secrets: ['get'] });
  // Tokens are signed before the waves, so the latencies are Courier's, not the bench's RS256 signing.
  const tokens = await Promise.all(Array.from({ length: PODS }, () => world.podToken('team-a', 'web')));
  const mountOne = async (pod: number) => {
    const token = tokens[pod] ?? '';
    const attributes = {
      keyvaultName: VAULT,
      tenantID: app.tenantId,
      clientID: app.clientId,
      objects: OBJECTS,
      secretProviderClass: 'bench-azure',
      'csi.storage.k8s.io/pod.name': `web-${pod}`,
      'csi.storage.k8s.io/pod.namespace': 'team-a',
      'csi.storage.k8s.io/pod.uid': `uid-${pod}`,
      'csi.storage.k8s.io/serviceAccount.name': 'web',
      'csi.storage.k8s.io/serviceAccount.tokens': tokensAttribute([{ audience: AUDIENCE, token }]),
    };
    const request = { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/unused', permission: '420', currentObjectVersion: [] };
    await new Promise<void>((resolve, reject) => client.Mount(request, { deadline: Date.now() + 60_000 }, (error) => (error ? reject(new Error(`${error.code}: ${error.details}`)) : resolve())));
  };
  try {
    return [
      await measure(world, 'Courier', 'rollout (cold process)', () => wave(mountOne)),
      await measure(world, 'Courier', 'remount inside the cache TTL (rotation)', () => wave(mountOne)),
    ];
  } finally {
    client.close();
    await courier.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The Azure provider's pattern, replayed with the same SDKs: every Mount builds a new credential and a
 * new Key Vault client and reads its objects one after the other.
 */
async function providerPattern(world: AzureWorld): Promise<Row> {
  const app = world.workloadIdentity('team-a', 'legacy');
  const vault = world.vault(`${VAULT}-2`);
  vault.allow({ objectId: app.objectId, secrets: ['get'] });
  for (let index = 0; index < SECRETS; index += 1) vault.setSecret(`s${index}`, `value-${index}`);
  const options = { ...world.clientOptions, retryOptions: { maxRetries: 0 } };
  return measure(world, 'Azure provider pattern', 'rollout (new credential and client per Mount)', () =>
    wave(async () => {
      const credential = new ClientAssertionCredential(app.tenantId, app.clientId, () => world.podToken('team-a', 'legacy'), options);
      const client = new SecretClient(`https://${VAULT}-2.vault.azure.net`, credential, options);
      for (let index = 0; index < SECRETS; index += 1) await client.getSecret(`s${index}`);
    }),
  );
}

export async function run(): Promise<BenchCase> {
  const world = await createAzureWorld();
  try {
    world.entra.faults.inject({ delayMs: LATENCY.entraMs, times: Infinity });
    world.keyVault.faults.inject({ delayMs: LATENCY.keyVaultMs, times: Infinity });
    const vault = world.vault(VAULT);
    for (let index = 0; index < SECRETS; index += 1) vault.setSecret(`s${index}`, `value-${index}`);
    const rows = [...(await courierRounds(world, vault)), await providerPattern(world)];
    const [rollout, remount, provider] = rows;
    const targets: BenchTarget[] = [
      { metric: 'Entra ID token requests for 100 pods of one identity', target: '= 1', value: rollout?.['tokenRequests'] ?? 'n/a', met: rollout?.['tokenRequests'] === 1 },
      { metric: 'Key Vault GETs for 100 pods x 10 secrets', target: `= ${SECRETS}`, value: rollout?.['keyVaultGets'] ?? 'n/a', met: rollout?.['keyVaultGets'] === SECRETS },
      { metric: 'token requests + GETs of a second wave inside the TTL', target: '= 0', value: Number(remount?.['tokenRequests']) + Number(remount?.['keyVaultGets']), met: remount?.['tokenRequests'] === 0 && remount['keyVaultGets'] === 0 },
      { metric: 'the Azure provider\'s pattern replayed (the baseline): token requests / GETs / challenges', target: `${PODS} / ${PODS * SECRETS} / ${PODS}`, value: `${String(provider?.['tokenRequests'])} / ${String(provider?.['keyVaultGets'])} / ${String(provider?.['challenges'])}`, met: provider?.['tokenRequests'] === PODS && provider['keyVaultGets'] === PODS * SECRETS && provider['challenges'] === PODS },
      { metric: 'failed Mounts', target: '= 0', value: rows.reduce((sum, row) => sum + Number(row['failures']), 0), met: rows.every((row) => row['failures'] === 0) },
    ];
    return { title, rows, targets };
  } finally {
    await world.stop();
  }
}
