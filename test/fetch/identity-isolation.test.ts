import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { connectProvider, type ProviderClient } from '../helpers/provider-client.ts';
import { gatedBackend } from './gated-backend.ts';
import { registryWith } from '../helpers/test-store-module.ts';

async function startWithCountingStore(t: { teardown(fn: () => Promise<void> | void): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'courier-isolation-'));
  const backend = gatedBackend({ latencyMs: 20 });
  const metrics = createMetrics();
  const options = { ...DEFAULT_SERVE_OPTIONS, socketDir: dir, metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 2_000 };
  const courier = await startCourier(options, { logger: createLogger('silent'), metrics, backends: new Map([['scripted', backend]]), catalog: registryWith([backend]).catalog });
  const client = connectProvider(join(dir, 'courier.sock'));
  t.teardown(async () => {
    client.close();
    await courier.shutdown();
    await rm(dir, { recursive: true, force: true });
  });
  return { backend, client, metrics };
}

/** A Mount of `scripted:db/password` by a pod running as `serviceAccount` in `team`. */
async function mountAs(client: ProviderClient, serviceAccount: string, pod: string): Promise<string> {
  const response = await client.mount({
    attributes: {
      objects: '- source: scripted:db/password\n  path: password\n',
      secretProviderClass: 'db',
      'csi.storage.k8s.io/pod.name': pod,
      'csi.storage.k8s.io/pod.namespace': 'team',
      'csi.storage.k8s.io/pod.uid': `uid-${pod}`,
      'csi.storage.k8s.io/serviceAccount.name': serviceAccount,
    },
  });
  return Buffer.from(response.files[0]?.contents ?? new Uint8Array()).toString('utf8');
}

test('two service accounts mounting the same secret name never share a cached value', async (t) => {
  const { backend, client, metrics } = await startWithCountingStore(t);
  const concurrent = await Promise.all([
    ...Array.from({ length: 5 }, (_, index) => mountAs(client, 'reader', `reader-${index}`)),
    ...Array.from({ length: 5 }, (_, index) => mountAs(client, 'writer', `writer-${index}`)),
  ]);
  t.deepEqual(concurrent, [...Array<string>(5).fill('team/reader:db/password'), ...Array<string>(5).fill('team/writer:db/password')]);
  t.deepEqual(backend.calls.map((call) => call.context.pod.serviceAccount).sort(), ['reader', 'writer']);
  // Later Mounts come from the cache, and still each identity gets only what it fetched itself.
  t.is(await mountAs(client, 'writer', 'writer-late'), 'team/writer:db/password');
  t.is(await mountAs(client, 'reader', 'reader-late'), 'team/reader:db/password');
  t.is(backend.calls.length, 2);
  const hits = (await metrics.cacheHits.get()).values.find((entry) => entry.labels.store === 'scripted')?.value;
  t.is(hits, 2);
});

test('a new identity is never answered from another identity\'s cache entry', async (t) => {
  const { backend, client } = await startWithCountingStore(t);
  t.is(await mountAs(client, 'reader', 'reader-0'), 'team/reader:db/password');
  t.is(await mountAs(client, 'intruder', 'intruder-0'), 'team/intruder:db/password');
  t.deepEqual(backend.calls.map((call) => call.context.pod.serviceAccount), ['reader', 'intruder']);
});
