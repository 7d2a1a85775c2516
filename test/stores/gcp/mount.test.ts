import { join } from 'node:path';
import test from 'ava';
import { status, type ServiceError } from '@grpc/grpc-js';
import { DRIVER_KEYS } from '../../../src/spc/decode-request.ts';
import { startGcpWorld, staticServiceAccounts, TEST_POOL, TEST_PROJECT, type GcpWorld } from '../../fakes/gcp-world.ts';
import { fakePodToken, tokensAttribute } from '../../helpers/pod-token.ts';
import { connectProvider, type ProviderClient } from '../../helpers/provider-client.ts';
import { driverAttributes, startTestCourier } from '../../server/courier-fixture.ts';

const GSA = 'web@courier-test.iam.gserviceaccount.com';
const DB = `projects/${TEST_PROJECT}/secrets/db`;
const REGIONAL = `projects/${TEST_PROJECT}/locations/europe-west1/secrets/api`;

/** Courier in-process with the gcp-sm store over the fakes, a client on gcp.sock, and the pod's attributes. */
async function setup(t: Parameters<typeof startGcpWorld>[0]): Promise<{ world: GcpWorld; gcp: ProviderClient; attributes: (parameters: Record<string, string>) => Record<string, string> }> {
  const world = await startGcpWorld(t);
  world.secretManager.addVersion(DB, JSON.stringify({ user: 'admin', password: 'old' }));
  world.secretManager.addVersion(DB, JSON.stringify({ user: 'admin', password: 's3cret' }));
  world.secretManager.addVersion(REGIONAL, 'eu-key');
  world.secretManager.grant(`serviceAccount:${GSA}`, DB);
  world.secretManager.grant(`serviceAccount:${GSA}`, REGIONAL);
  world.iam.allow(world.principalOf('team-a', 'app'), GSA);
  const store = world.store(staticServiceAccounts({ 'team-a/app': { 'iam.gke.io/gcp-service-account': GSA } }));
  const fixture = await startTestCourier(t, { backends: [['gcp-sm', store]], options: { compat: ['gcp'] } });
  const gcp = connectProvider(join(fixture.dir, 'sockets', 'gcp.sock'));
  t.teardown(() => gcp.close());
  const token = fakePodToken({ namespace: 'team-a', serviceAccount: 'app', audience: TEST_POOL });
  const attributes = (parameters: Record<string, string>) => ({ ...driverAttributes(parameters), [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: TEST_POOL, token }]) });
  return { world, gcp, attributes };
}

test('mounts a Google-provider SecretProviderClass: pod token, federated token, impersonated token, Secret Manager', async (t) => {
  const { world, gcp, attributes } = await setup(t);
  const secrets = `
- resourceName: ${DB}/versions/latest
  path: db.json
- resourceName: ${DB}/versions/latest
  fileName: config/password
  extractJSONKey: password
  mode: 0400
- resourceName: ${REGIONAL}/versions/1
  path: api-key
`;
  const response = await gcp.mount({ attributes: attributes({ secrets }) });
  const files = Object.fromEntries(response.files.map((file) => [file.path, [Buffer.from(file.contents).toString(), file.mode]]));
  t.deepEqual(files, {
    'db.json': [JSON.stringify({ user: 'admin', password: 's3cret' }), 0o644],
    'config/password': ['s3cret', 0o400],
    'api-key': ['eu-key', 0o644],
  });
  t.deepEqual(Object.fromEntries(response.objectVersion.map((version) => [version.id, version.version])), {
    'db.json': `${DB}/versions/2`,
    'config/password': `${DB}/versions/2`,
    'api-key': `${REGIONAL}/versions/1`,
  });
  t.is(world.sts.calls.length, 1);
  t.deepEqual(world.iam.calls.map((call) => call.serviceAccount), [GSA]);
  t.deepEqual(world.secretManager.calls.map((call) => call.name).sort(), [`${REGIONAL}/versions/1`, `${DB}/versions/latest`], 'one read per distinct secret version');
  t.true(world.secretManager.calls.every((call) => world.iam.serviceAccountOf(call.authorization?.replace('Bearer ', '') ?? '') === GSA));
});

test('fails the Mount naming the object when access is denied', async (t) => {
  const { gcp, attributes } = await setup(t);
  const secrets = `- {resourceName: "projects/${TEST_PROJECT}/secrets/other/versions/1", path: other}`;
  const error = await t.throwsAsync<ServiceError>(gcp.mount({ attributes: attributes({ secrets }) }));
  t.is(error?.details, `secrets[0]: Secret Manager denied serviceAccount:${GSA} access to projects/${TEST_PROJECT}/secrets/other/versions/1; grant it roles/secretmanager.secretAccessor on the secret (Secret Manager said: Permission 'secretmanager.versions.access' denied for resource 'projects/${TEST_PROJECT}/secrets/other/versions/1' (or it may not exist).)`);
});

test('refuses provider-adc when Courier was not started with --allow-provider-identity', async (t) => {
  const { world, gcp, attributes } = await setup(t);
  const error = await t.throwsAsync<ServiceError>(gcp.mount({ attributes: attributes({ secrets: `- {resourceName: "${DB}/versions/1", path: db}`, auth: 'provider-adc' }) }));
  t.is(error?.details, 'secrets[0]: auth "provider-adc" reads secrets with Courier\'s own Google identity, which would let any pod read what Courier can; this Courier does not allow it (the administrator can start it with --allow-provider-identity); remove "auth" to use the pod\'s workload identity');
  t.is(world.secretManager.calls.length, 0);
});

test('mounts gcp-sm objects from the native dialect', async (t) => {
  const { gcp, attributes } = await setup(t);
  const objects = `- {source: "gcp-sm:${DB}", version: 1, path: old.json, jsonKey: password}`;
  const response = await gcp.mount({ attributes: attributes({ dialect: 'native', objects, 'gcp.auth': 'pod-adc' }) });
  t.deepEqual(response.files.map((file) => [file.path, Buffer.from(file.contents).toString()]), [['old.json', 'old']]);
});

test('retries UNAVAILABLE and RESOURCE_EXHAUSTED from Secret Manager and mounts', async (t) => {
  const { world, gcp, attributes } = await setup(t);
  world.secretManager.failNext(status.UNAVAILABLE, 'backend unavailable', 1);
  world.secretManager.failNext(status.RESOURCE_EXHAUSTED, 'Quota exceeded', 1);
  const response = await gcp.mount({ attributes: attributes({ secrets: `- {resourceName: "${DB}/versions/1", path: db}` }) });
  t.deepEqual(response.files.map((file) => Buffer.from(file.contents).toString()), [JSON.stringify({ user: 'admin', password: 'old' })]);
  t.is(world.secretManager.calls.length, 3);
});

test('does not retry a missing version', async (t) => {
  const { world, gcp, attributes } = await setup(t);
  const error = await t.throwsAsync<ServiceError>(gcp.mount({ attributes: attributes({ secrets: `- {resourceName: "${DB}/versions/9", path: db}` }) }));
  t.is(error?.code, status.NOT_FOUND);
  t.is(error?.details, `secrets[0]: Secret Manager has no ${DB}/versions/9: the secret does not exist or has no such version (Secret Manager said: Secret Version [${DB}/versions/9] not found.)`);
  t.is(world.secretManager.calls.length, 1);
});

test('fails with DEADLINE_EXCEEDED naming the object when Secret Manager is too slow', async (t) => {
  const { world, gcp, attributes } = await setup(t);
  world.secretManager.latencyMs = 8_000;
  const error = await t.throwsAsync<ServiceError>(gcp.mount({ attributes: attributes({ secrets: `- {resourceName: "${DB}/versions/1", path: db}` }) }, 5_000));
  t.is(error?.code, status.DEADLINE_EXCEEDED);
  t.is(error?.details, 'the Mount\'s deadline passed with 1 object(s) still being fetched: secrets[0]');
});
