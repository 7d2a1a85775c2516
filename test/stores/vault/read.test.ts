import test from 'ava';
import { createContentVersion } from '../../../src/output/content-version.ts';
import { TEST_VERSION_KEY } from '../../helpers/shared-parts.ts';
import { APP_POLICY, errorOf, startVaultWorld, textOf, vaultRequest, type VaultWorld } from './vault-world.ts';

const version = createContentVersion(TEST_VERSION_KEY);

test('reads a KV v2 secret as its data map, with metadata.version as the object version', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('secret/app/db')]);
  t.is(textOf(t, result), '{"user":"app","password":"s3cret"}');
  t.like(result, { ok: true, version: '2' });
  t.is(world.vault.counters.reads('secret/data/app/db'), 1, 'Courier added data/ after the mount');
  t.is(world.vault.counters.calls({ path: 'sys/internal/ui/mounts/secret/app/db' }), 1, 'the mount was looked up as the Vault CLI does');
});

test('pins a KV v2 version with version', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('secret/app/db', {}, { version: '1' })]);
  t.is(textOf(t, result), '{"password":"old"}');
  t.like(result, { ok: true, version: '1' });
});

test('reads a KV v1 secret as its data map, with a keyed hash of it as the version', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('kv/app/config')]);
  const text = textOf(t, result);
  t.is(text, '{"host":"db.internal","port":5432}');
  t.like(result, { ok: true, version: version(Buffer.from(text)) });
});

test('keeps data/ of a KV v2 path written with it', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('secret/data/app/db')]);
  t.is(textOf(t, result), '{"user":"app","password":"s3cret"}');
});

test('sends a Vault-provider secretPath as written and writes the whole response as the provider does', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'response' })]);
  const document = JSON.parse(textOf(t, result)) as Record<string, unknown>;
  t.deepEqual(Object.keys(document), ['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'mount_type']);
  t.like(document, { lease_id: '', lease_duration: 0, renewable: false, warnings: null, mount_type: 'kv', data: { data: { user: 'app', password: 's3cret' }, metadata: { version: 2 } } });
  t.like(result, { ok: true, version: '2' });
});

test('answers the provider\'s secretKey lookup from data.data of a KV v2 read', async (t) => {
  const world = await startVaultWorld(t);
  const [kv2, kv1] = await world.fetch([vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'provider' }), vaultRequest('kv/app/config', { pathStyle: 'api', shape: 'provider' })]);
  t.is(textOf(t, kv2), '{"user":"app","password":"s3cret"}');
  t.is(textOf(t, kv1), '{"host":"db.internal","port":5432}');
});

test('sends a query written in the secretPath, and args of a GET as query parameters', async (t) => {
  const world = await startVaultWorld(t);
  const [query, args] = await world.fetch([
    vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'provider', query: 'version=1' }),
    vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'provider', args: JSON.stringify({ version: 1 }) }),
  ]);
  t.is(textOf(t, query), '{"password":"old"}');
  t.is(textOf(t, args), '{"password":"old"}');
});

test('issues a certificate with PUT, sending args as the JSON body', async (t) => {
  const world = await startVaultWorld(t);
  const [result] = await world.fetch([vaultRequest('pki/issue/web', { method: 'PUT', args: JSON.stringify({ common_name: 'api.example.com', ttl: '1h' }) })]);
  const data = JSON.parse(textOf(t, result)) as { certificate?: string; private_key?: string; serial_number?: string };
  t.true(data.certificate?.startsWith('-----BEGIN CERTIFICATE-----'));
  t.true(data.private_key?.includes('PRIVATE KEY'));
  t.deepEqual(world.vault.pki('pki').issued.map((issued) => issued.commonName), ['api.example.com']);
});

test('makes one Vault call per distinct path, method and body within a batch', async (t) => {
  const world = await startVaultWorld(t);
  const results = await world.fetch([
    vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'response' }),
    vaultRequest('secret/data/app/db', { pathStyle: 'api', shape: 'provider' }),
    vaultRequest('database/creds/app', { pathStyle: 'api', shape: 'provider' }),
    vaultRequest('database/creds/app', { pathStyle: 'api', shape: 'response' }),
  ]);
  t.true(results.every((result) => result.ok));
  t.is(world.vault.counters.reads('secret/data/app/db'), 1);
  t.is(world.vault.database('database').credentials.length, 1, 'both files of the class hold the same credential');
  const [, , provider, response] = results.map((result) => (result.ok ? JSON.parse(Buffer.from(result.contents).toString()) as Record<string, unknown> : {}));
  t.is(provider?.['username'], (response?.['data'] as Record<string, unknown>)['username']);
});

test('reads from a namespace named by the setting, and from a child namespace a secretPath names', async (t) => {
  const world = await startVaultWorld(t);
  const team = world.vault.namespace('team-a');
  team.kvV2('secret').put('app/db', { password: 'team' });
  world.vault.namespace('team-a/child').kvV2('secret').put('app/db', { password: 'child' });
  team.enableKubernetesAuth({ publicKeys: [world.issuer.publicKeyPem], roles: { app: { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], tokenPolicies: ['app'] } } });
  team.writePolicy('app', `${APP_POLICY}\npath "child/secret/data/app/*" { capabilities = ["read"] }`);
  const [own, child] = await world.fetch([vaultRequest('secret/app/db', { namespace: 'team-a' }), vaultRequest('child/secret/data/app/db', { namespace: 'team-a', pathStyle: 'api', shape: 'provider' })]);
  t.is(textOf(t, own), '{"password":"team"}');
  t.is(textOf(t, child), '{"password":"child"}');
  t.is(world.vault.counters.logins('app', { namespace: 'team-a' }), 1);
  t.is(world.vault.counters.reads('secret/data/app/db', 'team-a/child'), 1);
});

test('uses --vault-namespace for classes that name none', async (t) => {
  const world = await startVaultWorld(t, { flags: { namespace: 'team-a' } });
  const team = world.vault.namespace('team-a');
  team.kvV1('kv').put('app/config', { where: 'team-a' });
  team.enableKubernetesAuth({ publicKeys: [world.issuer.publicKeyPem], roles: { app: { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], tokenPolicies: ['app'] } } });
  team.writePolicy('app', APP_POLICY);
  const [result] = await world.fetch([vaultRequest('kv/app/config')]);
  t.is(textOf(t, result), '{"where":"team-a"}');
});

/** A failing read: `prepare` sets the fake up after the login (identity keys resolved), `request` is read. */
const fails = test.macro(async (t, prepare: (world: VaultWorld) => void, request: ReturnType<typeof vaultRequest>, expected: string, seams: { callTimeoutMs?: number } = {}) => {
  const world = await startVaultWorld(t, { seams });
  const context = await world.context();
  await world.store.identityKey(request, context);
  prepare(world);
  const [result] = await world.store.fetch([request], context);
  t.is(errorOf(t, result).replaceAll(world.vault.url, 'VAULT'), expected);
});

test('a missing secret is not found', fails, () => undefined, vaultRequest('secret/app/missing'), 'NotFoundError: Vault has no secret at "secret/data/app/missing"');
test('a deleted version is not found, and says so', fails, (world) => world.vault.kvV2('secret').softDelete('app/db', [2]), vaultRequest('secret/app/db'), 'NotFoundError: version 2 of "secret/data/app/db" is deleted; undelete it or pin another version');
test('a destroyed version is not found, and says so', fails, (world) => world.vault.kvV2('secret').destroy('app/db', [1]), vaultRequest('secret/app/db', {}, { version: '1' }), 'NotFoundError: version 1 of "secret/data/app/db" is destroyed; pin another version or write a new one');
test('a v1-style path on a KV v2 mount says where KV v2 secrets are', fails, (world) => world.vault.writePolicy('app', `${APP_POLICY}\npath "secret/app/*" { capabilities = ["read"] }`), vaultRequest('secret/app/db', { pathStyle: 'api' }), 'NotFoundError: Vault has nothing at "secret/app/db": its mount is KV version 2, whose secrets are read at <mount>/data/<path>; write the path with data/, or use the native vault: source, which adds it');
test('a path the policies do not grant is denied, naming the capability to grant', fails, (world) => world.vault.kvV2('secret').put('other/db', { x: '1' }), vaultRequest('secret/other/db'), 'PermissionError: Vault denied role "app" (auth/kubernetes) for team-a/app the read of "secret/data/other/db" (HTTP 403: permission denied); grant the role\'s policies "read" on "secret/data/other/db"');
test('throttling is retried after Retry-After', fails, (world) => world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'rate-limit', retryAfterSeconds: 2 } }), vaultRequest('secret/app/db'), 'ThrottledError: Vault at VAULT throttled the read of "secret/data/app/db" (HTTP 429: request path "secret/data/app/db": rate limit quota exceeded)');
test('a sealed Vault is unavailable', fails, (world) => world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'sealed' } }), vaultRequest('secret/app/db'), 'UnavailableError: Vault at VAULT could not serve the read of "secret/data/app/db" (HTTP 503: Vault is sealed); it may be sealed, in standby or overloaded');
test('a standby without an active node is unavailable', fails, (world) => world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'standby' } }), vaultRequest('secret/app/db'), 'UnavailableError: Vault at VAULT could not serve the read of "secret/data/app/db" (HTTP 500: local node not active but active cluster node not found); it may be sealed, in standby or overloaded');
test('a hung Vault times out within the call timeout', fails, (world) => world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'hang' } }), vaultRequest('secret/app/db'), 'UnavailableError: Vault at VAULT did not answer the read of "secret/data/app/db" in time (no answer within 2000 ms)', { callTimeoutMs: 2000 });
test('a dropped connection is unavailable', fails, (world) => world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'reset' } }), vaultRequest('secret/app/db'), 'UnavailableError: Vault at VAULT could not be reached for the read of "secret/data/app/db" (ECONNRESET); check the address and the network path');
test('a bad request names the read and what to check', fails, (world) => world.vault.inject({ path: 'pki/issue/web', fault: { kind: 'status', status: 400, errors: ['common name a.invalid not allowed by this role'] } }), vaultRequest('pki/issue/web', { method: 'PUT', args: '{"common_name":"a.invalid"}' }), 'ConfigError: Vault refused the PUT of "pki/issue/web" (HTTP 400: common name a.invalid not allowed by this role); check the path, the method and its arguments');

const refusedPin = test.macro(async (t, locator: string, expected: string) => {
  const world = await startVaultWorld(t);
  const context = await world.context();
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest(locator, {}, { version: '2' }), context));
  t.is(error?.message, expected);
});
test('refuses a version pin on a KV v1 mount', refusedPin, 'kv/app/config', 'version: only KV version 2 secrets have versions, and "kv/" is a KV version 1 mount');
test('refuses a version pin on a database mount', refusedPin, 'database/creds/app', 'version: only KV version 2 secrets have versions, and "database/" is a database mount');

test('refuses a method Vault reads do not use, before any call', async (t) => {
  const world = await startVaultWorld(t);
  const error = await t.throwsAsync(async () => world.store.identityKey(vaultRequest('secret/app/db', { method: 'DELETE' }), await world.context()));
  t.is(error?.message, 'method: "DELETE" is not one of GET, PUT, POST');
});

test('a Mount whose deadline passes during a read fails with DEADLINE_EXCEEDED', async (t) => {
  const world = await startVaultWorld(t);
  const context = await world.context();
  const request = vaultRequest('secret/app/db');
  await world.store.identityKey(request, context);
  world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'hang' } });
  const controller = new AbortController();
  const pending = world.store.fetch([request], { ...context, signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  const [result] = await pending;
  t.is(errorOf(t, result).replaceAll(world.vault.url, 'VAULT'), 'DeadlineError: the Mount\'s deadline passed during the read of "secret/data/app/db" at VAULT');
});

test('looks up a mount once for every secret under it', async (t) => {
  const world = await startVaultWorld(t);
  for (let index = 0; index < 10; index += 1) world.vault.kvV2('secret').put(`app/s${index}`, { value: `v${index}` });
  const results = await world.fetch(Array.from({ length: 10 }, (_, index) => vaultRequest(`secret/app/s${index}`)));
  t.deepEqual(results.map((result) => textOf(t, result)), Array.from({ length: 10 }, (_, index) => `{"value":"v${index}"}`));
  t.is(world.vault.counters.requests.filter((request) => request.path.startsWith('sys/internal/ui/mounts/')).length, 1);
});

test('a throttled read carries Vault\'s Retry-After for the fetch layer\'s retry', async (t) => {
  const world = await startVaultWorld(t);
  const context = await world.context();
  const request = vaultRequest('secret/app/db');
  await world.store.identityKey(request, context);
  world.vault.inject({ path: 'secret/data/app/db', fault: { kind: 'rate-limit', retryAfterSeconds: 3 } });
  const [result] = await world.store.fetch([request], context);
  t.like(result, { ok: false, error: { name: 'ThrottledError', retryAfterMs: 3000 } });
});
