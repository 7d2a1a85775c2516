/** Vault at rollout and on republish over the fake Vault, beside the Vault provider's cost (one login per pod, one read per secret per Mount). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { Registry } from 'prom-client';
import { systemClock, type Clock } from '../../src/fetch/clock.ts';
import { createScaledFetcher, DEFAULT_FETCH_LAYER_OPTIONS } from '../../src/fetch/fetch-layer.ts';
import { NO_SIGNATURE_CHECK } from '../../src/identity/token-verifier.ts';
import { noKubernetesApi } from '../../src/kube/service-accounts.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createContentVersion, randomVersionKey } from '../../src/output/content-version.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { loadProviderProto } from '../../src/server/proto-client.ts';
import { createVaultStore } from '../../src/stores/vault/create.ts';
import { readVaultOptions } from '../../src/stores/vault/flags.ts';
import { JwtIssuer, startFakeVault, type FakeVault } from '../../test/fakes/vault/index.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';

export const title = 'Vault: 100 pods of one role x 10 KV secrets (logins, reads, second wave), and 100 pods x 1 dynamic credential over 10 republishes (leases)';

type Unary = (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null) => void) => void;

const PODS = 100;
const SECRETS = 10;
const REPUBLISHES = 10;
/** What the fake adds to every answer, roughly a Vault in the same region. */
const LATENCY_MS = 5;

/** The Vault-provider class of the KV rollout: ten keys of ten KV v2 secrets. */
const KV_OBJECTS = Array.from({ length: SECRETS }, (_, index) => `- objectName: s${index}\n  secretPath: secret/data/orders/s${index}\n  secretKey: value\n`).join('');
/** The native class of the republish scenario: one dynamic database credential. */
const DYNAMIC_OBJECTS = '- {source: "vault:database/creds/orders", path: db.json}\n';

/** Counts that matter here, from the fake's request log. */
function counts(vault: FakeVault) {
  const requests = vault.counters.requests;
  return {
    logins: vault.counters.logins(),
    reads: vault.counters.reads(),
    mountLookups: requests.filter((request) => request.path.startsWith('sys/internal/ui/mounts/')).length,
    renewals: requests.filter((request) => request.path === 'auth/token/renew-self').length,
    calls: requests.length,
    leases: vault.stats().leases.issued,
  };
}

interface World {
  readonly vault: FakeVault;
  readonly issuer: JwtIssuer;
  /** Mounts every pod once, all at once, on `socket`; returns the failures and the latencies. */
  rollout(socket: 'vault' | 'courier', parameters: Record<string, string>): Promise<{ failures: number; firstError: string; latencies: number[] }>;
  stop(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const vault = await startFakeVault({ latencyMs: LATENCY_MS });
  const issuer = new JwtIssuer();
  for (let index = 0; index < SECRETS; index += 1) vault.kvV2('secret').put(`orders/s${index}`, { value: `value-${index}` });
  vault.database('database', { orders: { defaultTtl: 3600 } });
  vault.enableKubernetesAuth({ publicKeys: [issuer.publicKeyPem], roles: { orders: { boundServiceAccountNames: ['orders'], boundServiceAccountNamespaces: ['demo'], audience: 'vault', tokenPolicies: ['orders'], tokenTtl: 3600 } } });
  vault.writePolicy('orders', 'path "secret/data/orders/*" { capabilities = ["read"] }\npath "database/creds/orders" { capabilities = ["read"] }');
  // Courier, its fetch layer and the fake share one clock, so a republish a minute later is one advance() away.
  const real = systemClock();
  const now = () => vault.clock.now();
  const clock: Clock = { now, sleep: (ms, signal) => real.sleep(ms, signal) };
  const shared = { serviceAccounts: noKubernetesApi('vault', 'nothing'), allowProviderIdentity: false, tokenVerifier: NO_SIGNATURE_CHECK, contentVersion: createContentVersion(randomVersionKey()), metricsRegistry: new Registry() };
  const store = createVaultStore(readVaultOptions({ addr: vault.url }), shared, { now });
  const backends = new Map([['vault', store]]);
  const metrics = createMetrics();
  const fetcher = createScaledFetcher(backends, metrics, { ...DEFAULT_FETCH_LAYER_OPTIONS, clock });
  const dir = await mkdtemp(join(tmpdir(), 'courier-vault-bench-'));
  const courier = await startCourier({ ...DEFAULT_SERVE_OPTIONS, socketDir: dir, compat: ['vault'], metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 5_000 }, { logger: createLogger('silent'), metrics, backends, fetcher });
  const { Client } = loadProviderProto();
  const clients = { vault: new Client(`unix:${join(dir, 'vault.sock')}`, credentials.createInsecure()), courier: new Client(`unix:${join(dir, 'courier.sock')}`, credentials.createInsecure()) } as unknown as Record<'vault' | 'courier', Client & { Mount: Unary }>;
  const request = async (pod: number, parameters: Record<string, string>) => {
    const token = await issuer.podToken({ namespace: 'demo', serviceAccount: 'orders', podName: `orders-${pod}` }, vault.clock.nowSeconds());
    const attributes = {
      ...parameters,
      secretProviderClass: 'orders',
      'csi.storage.k8s.io/pod.name': `orders-${pod}`,
      'csi.storage.k8s.io/pod.namespace': 'demo',
      'csi.storage.k8s.io/pod.uid': `uid-${pod}`,
      'csi.storage.k8s.io/serviceAccount.name': 'orders',
      'csi.storage.k8s.io/serviceAccount.tokens': JSON.stringify({ vault: { token, expirationTimestamp: '' } }),
    };
    return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/unused', permission: '420', currentObjectVersion: [] };
  };
  return {
    vault,
    issuer,
    async rollout(socket, parameters) {
      const requests = await Promise.all(Array.from({ length: PODS }, (_, pod) => request(pod, parameters)));
      const latencies: number[] = [];
      let failures = 0;
      let firstError = '';
      await Promise.all(requests.map((mount) => new Promise<void>((resolve) => {
        const begin = performance.now();
        clients[socket].Mount(mount, { deadline: Date.now() + 60_000 }, (error) => {
          if (error) {
            failures += 1;
            firstError ||= `${error.code}: ${error.details}`;
          } else latencies.push(performance.now() - begin);
          resolve();
        });
      })));
      return { failures, firstError, latencies };
    },
    async stop() {
      clients.vault.close();
      clients.courier.close();
      await courier.shutdown();
      await vault.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function p99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)] ?? Number.NaN) * 10) / 10;
}

function ratio(baseline: number, measured: number): string {
  return measured === 0 ? `all ${baseline} avoided` : `${Math.round((baseline / measured) * 10) / 10}x fewer`;
}

export async function run(): Promise<BenchCase> {
  const world = await startWorld();
  const rows: Array<Record<string, string | number>> = [];
  try {
    const kv = { roleName: 'orders', objects: KV_OBJECTS };
    const waves: Array<[string, number]> = [['KV rollout (cold process)', 0], ['KV second wave (inside --cache-ttl)', 5]];
    for (const [scenario, afterSeconds] of waves) {
      world.vault.clock.advance(afterSeconds);
      world.vault.counters.reset();
      const begin = performance.now();
      const run = await world.rollout('vault', kv);
      const seen = counts(world.vault);
      const baseline = { logins: PODS, reads: PODS * SECRETS };
      rows.push({
        scenario, mounts: PODS, failures: run.failures, logins: seen.logins, reads: seen.reads, mountLookups: seen.mountLookups, vaultCalls: seen.calls,
        'baseline logins': baseline.logins, 'baseline reads': baseline.reads, 'logins ratio': ratio(baseline.logins, seen.logins), 'reads ratio': ratio(baseline.reads, seen.reads),
        leases: '-', 'baseline leases': '-', p99Ms: p99(run.latencies), wallMs: Math.round(performance.now() - begin), ...(run.firstError === '' ? {} : { firstError: run.firstError }),
      });
    }
    world.vault.counters.reset();
    const leasesBefore = world.vault.stats().leases.issued;
    let failures = 0;
    let firstError = '';
    const latencies: number[] = [];
    const begin = performance.now();
    for (let republish = 0; republish < REPUBLISHES; republish += 1) {
      // kubelet republishes about once a minute: past the value cache's 30 s, well inside the lease.
      world.vault.clock.advance(60);
      const round = await world.rollout('courier', { 'vault.role': 'orders', objects: DYNAMIC_OBJECTS });
      failures += round.failures;
      firstError ||= round.firstError;
      latencies.push(...round.latencies);
    }
    const seen = counts(world.vault);
    const leases = world.vault.stats().leases.issued - leasesBefore;
    rows.push({
      scenario: `dynamic credential, ${REPUBLISHES} republishes a minute apart`, mounts: PODS * REPUBLISHES, failures, logins: seen.logins, reads: seen.reads, mountLookups: seen.mountLookups, vaultCalls: seen.calls,
      'baseline logins': PODS, 'baseline reads': PODS * REPUBLISHES, 'logins ratio': ratio(PODS, seen.logins), 'reads ratio': ratio(PODS * REPUBLISHES, seen.reads),
      leases, 'baseline leases': PODS * REPUBLISHES, p99Ms: p99(latencies), wallMs: Math.round(performance.now() - begin), ...(firstError === '' ? {} : { firstError }),
    });
  } finally {
    await world.stop();
  }
  const [cold, warm, dynamic] = rows;
  const targets: BenchTarget[] = [
    { metric: 'Vault logins for 100 pods of one role', target: '<= 1', value: cold?.['logins'] ?? 'n/a', met: Number(cold?.['logins']) <= 1 },
    { metric: 'Vault reads for 100 pods x 10 KV secrets', target: `<= ${SECRETS}`, value: cold?.['reads'] ?? 'n/a', met: Number(cold?.['reads']) <= SECRETS },
    { metric: 'Vault calls of a second wave inside the cache TTL', target: '= 0', value: warm?.['vaultCalls'] ?? 'n/a', met: warm?.['vaultCalls'] === 0 },
    { metric: 'leases for 100 pods x 1 dynamic credential over 10 republishes', target: `= ${PODS}`, value: dynamic?.['leases'] ?? 'n/a', met: dynamic?.['leases'] === PODS },
    { metric: 'failed Mounts', target: '= 0', value: rows.reduce((sum, row) => sum + Number(row['failures']), 0), met: rows.every((row) => row['failures'] === 0) },
  ];
  return { title, rows, targets };
}
