import test from 'ava';
import type { FetchRequest, FetchResult } from '../../src/backends/backend.ts';
import { startGcpWorld, staticServiceAccounts, TEST_PROJECT } from '../fakes/gcp-world.ts';

const SECRET = `projects/${TEST_PROJECT}/secrets/db`;
const request = (locator: string, storeParams: Record<string, string> = {}): FetchRequest => ({ locator, storeParams });
const text = (result: FetchResult | undefined) => (result?.ok ? Buffer.from(result.contents).toString() : `error: ${result?.error.message}`);

test('reads latest through the federated identity and reports the resolved version', async (t) => {
  const world = await startGcpWorld(t);
  world.secretManager.addVersion(SECRET, 'one');
  world.secretManager.addVersion(SECRET, 'two');
  world.secretManager.grant(world.principalOf('team-a', 'app'), SECRET);
  const store = world.store(staticServiceAccounts({}));
  const context = world.context({});
  const [result] = await store.fetch([request(`${SECRET}/versions/latest`)], context);
  t.is(text(result), 'two');
  t.is(result?.ok ? result.version : '', `${SECRET}/versions/2`);
  t.is(await store.identityKey(request(`${SECRET}/versions/latest`), context), 'pod-adc:team-a/app:');
  t.is(world.sts.calls.length, 1);
  t.is(world.iam.calls.length, 0);
});
