import test from 'ava';
import { status } from '@grpc/grpc-js';
import type { FetchRequest, FetchResult } from '../../../src/stores/backend.ts';
import { createSecretAccessClient, SecretAccessClients } from '../../../src/stores/gcp/client.ts';
import { GcpSecretManagerStore } from '../../../src/stores/gcp/secret-manager.ts';
import { startFakeSecretManager } from '../../fakes/gcp-secret-manager.ts';
import { startGcpWorld, staticServiceAccounts, TEST_POOL, TEST_PROJECT } from '../../fakes/gcp-world.ts';

const SECRET = `projects/${TEST_PROJECT}/secrets/db`;
const GSA = 'reader@courier-test.iam.gserviceaccount.com';
const request = (locator: string, storeParams: Record<string, string> = {}): FetchRequest => ({ locator, storeParams });
const text = (result: FetchResult | undefined) => (result?.ok ? Buffer.from(result.contents).toString() : `${status[result?.error.grpcCode ?? 0]}: ${result?.error.message}`);

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
  t.deepEqual(world.sts.calls.map((call) => [call.audience, call.subject]), [[world.identity.stsAudience, 'system:serviceaccount:team-a:app']]);
  t.is(world.iam.calls.length, 0);
});

test('impersonates the annotated Google service account and sends its token to Secret Manager', async (t) => {
  const world = await startGcpWorld(t);
  world.secretManager.addVersion(SECRET, 'pw');
  world.secretManager.grant(`serviceAccount:${GSA}`, SECRET);
  world.iam.allow(world.principalOf('team-a', 'app'), GSA);
  const store = world.store(staticServiceAccounts({ 'team-a/app': { 'iam.gke.io/gcp-service-account': GSA } }));
  const context = world.context({});
  t.is(await store.identityKey(request(`${SECRET}/versions/1`), context), `pod-adc:team-a/app:${GSA}`);
  const [result] = await store.fetch([request(`${SECRET}/versions/1`)], context);
  t.is(text(result), 'pw');
  t.deepEqual(world.iam.calls.map((call) => [call.serviceAccount, call.caller, call.scope.join(' ')]), [[GSA, world.principalOf('team-a', 'app'), 'https://www.googleapis.com/auth/cloud-platform']]);
  const sent = world.secretManager.calls[0]?.authorization ?? '';
  t.regex(sent, /^Bearer impersonated-/);
  t.is(world.iam.serviceAccountOf(sent.slice('Bearer '.length)), GSA);
});

test('exchanges once for many pods of one service account and again for another', async (t) => {
  const world = await startGcpWorld(t);
  world.secretManager.addVersion(SECRET, 'v');
  world.secretManager.grant(world.principalOf('team-a', 'app'), SECRET);
  world.secretManager.grant(world.principalOf('team-a', 'other'), SECRET);
  const store = world.store(staticServiceAccounts({}));
  await Promise.all(Array.from({ length: 20 }, (_, index) => store.fetch([request(`${SECRET}/versions/1`)], world.context({ name: `app-${index}` }))));
  await store.fetch([request(`${SECRET}/versions/1`)], world.context({ serviceAccount: 'other' }));
  t.deepEqual(world.sts.calls.map((call) => call.subject), ['system:serviceaccount:team-a:app', 'system:serviceaccount:team-a:other']);
  t.is(world.secretManager.calls.length, 21);
});

test('reads a batch in parallel and answers each request in order', async (t) => {
  const world = await startGcpWorld(t);
  for (const name of ['a', 'b', 'c']) world.secretManager.addVersion(`projects/${TEST_PROJECT}/secrets/${name}`, name.toUpperCase());
  world.secretManager.grant(world.principalOf('team-a', 'app'), '*');
  world.secretManager.latencyMs = 100;
  const store = world.store(staticServiceAccounts({}));
  const results = await store.fetch(['a', 'missing', 'c'].map((name) => request(`projects/${TEST_PROJECT}/secrets/${name}/versions/latest`)), world.context({}));
  t.deepEqual(results.map(text), ['A', `NOT_FOUND: Secret Manager has no projects/${TEST_PROJECT}/secrets/missing/versions/latest: the secret does not exist or has no such version (Secret Manager said: Secret Version [projects/${TEST_PROJECT}/secrets/missing/versions/latest] not found.)`, 'C']);
  t.is(world.secretManager.maxInFlight, 3, 'the three calls ran in parallel');
});

type World = Awaited<ReturnType<typeof startGcpWorld>>;
const failure = test.macro(async (t, setup: (world: World) => void, locator: string, expected: string) => {
  const world = await startGcpWorld(t);
  world.secretManager.addVersion(SECRET, 'one');
  setup(world);
  const [result] = await world.store(staticServiceAccounts({})).fetch([request(locator)], world.context({}));
  t.is(text(result), expected);
  t.is(world.secretManager.calls.length, 1, 'the library itself did not retry');
});
const granted = (world: World) => world.secretManager.grant(world.principalOf('team-a', 'app'), SECRET);
test('reports a denied read naming the secret and the principal', failure, () => undefined, `${SECRET}/versions/1`,
  `PERMISSION_DENIED: Secret Manager denied serviceAccount:${TEST_POOL}[team-a/app] access to ${SECRET}/versions/1; grant it roles/secretmanager.secretAccessor on the secret (Secret Manager said: Permission 'secretmanager.versions.access' denied for resource '${SECRET}/versions/1' (or it may not exist).)`);
test('reports a missing version as not found', failure, granted, `${SECRET}/versions/7`,
  `NOT_FOUND: Secret Manager has no ${SECRET}/versions/7: the secret does not exist or has no such version (Secret Manager said: Secret Version [${SECRET}/versions/7] not found.)`);
test('reports a disabled version as a failed precondition', failure, (world) => { granted(world); world.secretManager.setState(SECRET, 1, 'DISABLED'); }, `${SECRET}/versions/1`,
  `FAILED_PRECONDITION: Secret Manager cannot serve ${SECRET}/versions/1: the version is disabled or destroyed; enable it or choose another version (Secret Manager said: Secret Version [${SECRET}/versions/1] is in DISABLED state.)`);
test('reports a destroyed version as a failed precondition', failure, (world) => { granted(world); world.secretManager.setState(SECRET, 1, 'DESTROYED'); }, `${SECRET}/versions/1`,
  `FAILED_PRECONDITION: Secret Manager cannot serve ${SECRET}/versions/1: the version is disabled or destroyed; enable it or choose another version (Secret Manager said: Secret Version [${SECRET}/versions/1] is in DESTROYED state.)`);
test('returns UNAVAILABLE for the fetch layer to retry', failure, (world) => { granted(world); world.secretManager.failNext(status.UNAVAILABLE, 'try again'); }, `${SECRET}/versions/1`,
  `UNAVAILABLE: Secret Manager is unavailable for ${SECRET}/versions/1 (Secret Manager said: try again)`);
test('returns RESOURCE_EXHAUSTED as throttling', failure, (world) => { granted(world); world.secretManager.failNext(status.RESOURCE_EXHAUSTED, 'Quota exceeded'); }, `${SECRET}/versions/1`,
  `RESOURCE_EXHAUSTED: Secret Manager throttled the read of ${SECRET}/versions/1 (quota exhausted)`);
test('refuses a payload whose CRC32C does not match', failure, (world) => { granted(world); world.secretManager.corruptCrc = true; }, `${SECRET}/versions/1`,
  `DATA_LOSS: the payload of ${SECRET}/versions/1 does not match the CRC32C Secret Manager sent; it was corrupted in transit`);
test('accepts a payload without a CRC32C', failure, (world) => { granted(world); world.secretManager.omitCrc = true; }, `${SECRET}/versions/1`, 'one');

test('sends regional names to the regional endpoint', async (t) => {
  const world = await startGcpWorld(t);
  const regional = await startFakeSecretManager(t, { principalOf: () => 'anyone' });
  const name = `projects/${TEST_PROJECT}/locations/europe-west1/secrets/db`;
  regional.addVersion(name, 'eu');
  regional.grant('anyone', name);
  const store = new GcpSecretManagerStore({
    clients: new SecretAccessClients((endpoint) => createSecretAccessClient(endpoint, true)),
    endpoints: { global: world.secretManager.endpoint, regional: regional.endpoint },
    providerCredentials: { getAccessToken: () => Promise.resolve({ token: 'courier-own' }) },
  });
  t.teardown(() => store.close());
  const [result] = await store.fetch([request(`${name}/versions/latest`, { auth: 'provider-adc' })], world.context({}));
  t.is(text(result), 'eu');
  t.deepEqual(regional.calls, [{ name: `${name}/versions/latest`, authorization: 'Bearer courier-own' }]);
  t.is(world.secretManager.calls.length, 0);
});

test('uses Courier\'s own credentials for provider-adc only when allowed', async (t) => {
  const world = await startGcpWorld(t);
  const store = world.store(staticServiceAccounts({}));
  const error = await t.throwsAsync(store.identityKey(request(`${SECRET}/versions/1`, { auth: 'provider-adc' }), world.context({})));
  t.is(error?.message, 'auth "provider-adc" reads secrets with Courier\'s own Google identity, which would let any pod read what Courier can; this Courier does not allow it (the administrator can start it with --allow-provider-identity); remove "auth" to use the pod\'s workload identity');
  t.is((error as { grpcCode?: number } | undefined)?.grpcCode, status.INVALID_ARGUMENT);
  const allowed = world.store(staticServiceAccounts({}), { providerCredentials: { getAccessToken: () => Promise.resolve({ token: 'courier-own' }) } });
  t.is(await allowed.identityKey(request(`${SECRET}/versions/1`, { auth: 'provider-adc' }), world.context({})), 'provider-adc');
});

test('rejects an unknown auth value', async (t) => {
  const world = await startGcpWorld(t);
  const error = await t.throwsAsync(world.store(staticServiceAccounts({})).identityKey(request(`${SECRET}/versions/1`, { auth: 'key-file' }), world.context({})));
  t.is(error?.message, 'auth "key-file" is not one of pod-adc, provider-adc');
});

test('fails UNAUTHENTICATED naming the tokenRequests audience when the pod token is missing', async (t) => {
  const world = await startGcpWorld(t);
  const context = { ...world.context({}), tokens: new Map() };
  const error = await t.throwsAsync(world.store(staticServiceAccounts({})).identityKey(request(`${SECRET}/versions/1`), context));
  t.is(error?.message, `gcp-sm needs the pod's service-account token for audience "${TEST_POOL}", but the request carried no service-account tokens; add {audience: "${TEST_POOL}"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver`);
  t.is(world.sts.calls.length, 0);
});

test('explains a refused impersonation', async (t) => {
  const world = await startGcpWorld(t);
  const store = world.store(staticServiceAccounts({ 'team-a/app': { 'iam.gke.io/gcp-service-account': GSA } }));
  const error = await t.throwsAsync(store.fetch([request(`${SECRET}/versions/1`)], world.context({})));
  t.is(error?.message, `serviceAccount:${TEST_POOL}[team-a/app] may not impersonate ${GSA} (IAM Credentials answered 403: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).); grant it roles/iam.workloadIdentityUser on that service account, or fix the iam.gke.io/gcp-service-account annotation of ServiceAccount team-a/app`);
  t.is((error as { grpcCode?: number } | undefined)?.grpcCode, status.PERMISSION_DENIED);
});

test('creates one client per endpoint and shares it between concurrent fetches', async (t) => {
  const world = await startGcpWorld(t);
  const globalFake = await startFakeSecretManager(t, { principalOf: () => 'anyone' });
  const regional = await startFakeSecretManager(t, { principalOf: () => 'anyone' });
  const global = `projects/${TEST_PROJECT}/secrets/g`;
  const local = `projects/${TEST_PROJECT}/locations/us-east1/secrets/r`;
  globalFake.addVersion(global, 'g');
  globalFake.grant('anyone', global);
  regional.addVersion(local, 'r');
  regional.grant('anyone', local);
  const created: string[] = [];
  const store = new GcpSecretManagerStore({
    clients: new SecretAccessClients((endpoint) => {
      created.push(endpoint);
      return createSecretAccessClient(endpoint, true);
    }),
    endpoints: { global: globalFake.endpoint, regional: regional.endpoint },
    providerCredentials: { getAccessToken: () => Promise.resolve({ token: 'anyone' }) },
  });
  t.teardown(() => store.close());
  const batch = [request(`${global}/versions/1`, { auth: 'provider-adc' }), request(`${local}/versions/1`, { auth: 'provider-adc' })];
  const results = await Promise.all(Array.from({ length: 20 }, () => store.fetch(batch, world.context({}))));
  t.deepEqual(results.flat().map(text), Array.from({ length: 20 }, () => ['g', 'r']).flat());
  t.deepEqual(created.sort(), [globalFake.endpoint, regional.endpoint].sort());
});

test('reports Courier\'s own credentials failing to load as UNAUTHENTICATED', async (t) => {
  const world = await startGcpWorld(t);
  const store = world.store(staticServiceAccounts({}), { providerCredentials: { getAccessToken: () => Promise.reject(new Error('Could not load the default credentials.')) } });
  const error = await t.throwsAsync(store.fetch([request(`${SECRET}/versions/1`, { auth: 'provider-adc' })], world.context({})));
  t.is(error?.message, 'Courier\'s own Google credentials (auth: provider-adc) could not be loaded: Could not load the default credentials.');
  t.is((error as { grpcCode?: number } | undefined)?.grpcCode, status.UNAUTHENTICATED);
});
