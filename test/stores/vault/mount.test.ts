import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { status, type ServiceError } from '@grpc/grpc-js';
import { DRIVER_KEYS } from '../../../src/spc/decode-request.ts';
import { tokensAttribute } from '../../helpers/pod-token.ts';
import { connectProvider, type ProviderClient } from '../../helpers/provider-client.ts';
import { driverAttributes, startTestCourier } from '../../server/courier-fixture.ts';
import { startVaultWorld, type VaultWorld } from './vault-world.ts';

/** Courier in-process with the vault store over the fake, and clients on courier.sock, vault.sock and openbao.sock. */
async function setup(t: ExecutionContext): Promise<{ world: VaultWorld; clients: Record<'courier' | 'vault' | 'openbao', ProviderClient>; attributes: (parameters: Record<string, string>, pod?: { name?: string; uid?: string }) => Promise<Record<string, string>> }> {
  const world = await startVaultWorld(t);
  world.kubernetes.role('bao', { boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: ['team-a'], audience: 'openbao', tokenPolicies: ['app'] });
  const fixture = await startTestCourier(t, { backends: [['vault', world.store]], options: { compat: ['vault', 'openbao'] } });
  const client = (name: string) => {
    const connected = connectProvider(join(fixture.dir, 'sockets', `${name}.sock`));
    t.teardown(() => connected.close());
    return connected;
  };
  const clients = { courier: fixture.client, vault: client('vault'), openbao: client('openbao') };
  const attributes = async (parameters: Record<string, string>, pod: { name?: string; uid?: string } = {}) => {
    const tokens = await Promise.all(['vault', 'openbao'].map(async (audience) => ({ audience, token: await world.issuer.podToken({ namespace: 'team-a', serviceAccount: 'app', audience }) })));
    return { ...driverAttributes(parameters, pod), ...(pod.uid === undefined ? {} : { [DRIVER_KEYS.podUid]: pod.uid }), [DRIVER_KEYS.tokens]: tokensAttribute(tokens) };
  };
  return { world, clients, attributes };
}

function filesOf(response: { files: ReadonlyArray<{ path: string; contents: Uint8Array }> }): Record<string, string> {
  return Object.fromEntries(response.files.map((file) => [file.path, Buffer.from(file.contents).toString('utf8')]));
}

test('mounts a Vault-provider class unchanged on vault.sock', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const objects = `
- objectName: "db-password"
  secretPath: "secret/data/app/db"
  secretKey: "password"
- objectName: "db.json"
  secretPath: "/v1/secret/data/app/db"
- objectName: "dbUsername"
  secretPath: "database/creds/app"
  secretKey: "username"
- objectName: "dbPassword"
  secretPath: "database/creds/app"
  secretKey: "password"
  filePermission: 0600
`;
  const response = await clients.vault.mount({ attributes: await attributes({ roleName: 'app', vaultAddress: world.vault.url, objects }) });
  const files = filesOf(response);
  t.is(files['db-password'], 's3cret');
  const envelope = JSON.parse(files['db.json'] ?? '{}') as { data?: { data?: unknown } };
  t.deepEqual(envelope.data?.data, { user: 'app', password: 's3cret' });
  const [credential] = world.vault.database('database').credentials;
  t.is(world.vault.database('database').credentials.length, 1, 'one read for both keys of the credential');
  t.is(files['dbUsername'], credential?.username);
  t.is(files['dbPassword'], credential?.password);
  t.is(response.files.find((file) => file.path === 'dbPassword')?.mode, 0o600);
  t.is(response.objectVersion.find((version) => version.id === 'db-password')?.version, '2');
});

test('mounts a legacy Vault-provider class on vault.sock', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const objects = 'array:\n  - |\n    objectPath: "/secret/app/db"\n    objectName: "password"\n    objectVersion: ""\n  - |\n    objectPath: "/kv/app/config"\n    objectName: "host"\n';
  const response = await clients.vault.mount({ attributes: await attributes({ roleName: 'app', vaultAddress: world.vault.url, vaultSkipTLSVerify: 'false', objects }) });
  t.deepEqual(filesOf(response), { password: 's3cret', host: 'db.internal' });
});

test('mounts an OpenBao-provider class on openbao.sock with the bao names and the openbao audience', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const objects = '- objectName: "password"\n  secretPath: "secret/data/app/db"\n  secretKey: "password"\n';
  const response = await clients.openbao.mount({ attributes: await attributes({ roleName: 'bao', baoAddress: world.vault.url, baoKubernetesMountPath: 'kubernetes', objects }) });
  t.deepEqual(filesOf(response), { password: 's3cret' });
  t.is(world.vault.counters.logins('bao'), 1);
});

test('mounts native vault: sources on courier.sock', async (t) => {
  const { clients, attributes } = await setup(t);
  const objects = '- {source: "vault:secret/app/db", path: db/password, jsonKey: password}\n- {source: "vault:secret/app/db", version: 1, path: db/old.json}\n- {source: "vault:kv/app/config", yamlKey: port}\n';
  const response = await clients.courier.mount({ attributes: await attributes({ 'vault.role': 'app', objects }) });
  t.deepEqual(filesOf(response), { 'db/password': 's3cret', 'db/old.json': '{"password":"old"}', config: '5432' });
});

test('a pod\'s leased credential stays its own through the value cache, and stays on its remounts', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const objects = '- {source: "vault:database/creds/app", path: creds.json}\n';
  const mount = async (pod: string) => filesOf(await clients.courier.mount({ attributes: await attributes({ 'vault.role': 'app', objects }, { name: pod, uid: `uid-${pod}` }) }))['creds.json'];
  const first = await mount('app-0');
  const second = await mount('app-1');
  t.not(first, second);
  t.is(await mount('app-0'), first);
  t.is(world.vault.database('database').credentials.length, 2);
});

test('refuses a vaultAddress the administrator did not allow, naming it, before any token leaves', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const objects = '- {objectName: p, secretPath: secret/data/app/db, secretKey: password}';
  const error = await t.throwsAsync<ServiceError>(clients.vault.mount({ attributes: await attributes({ roleName: 'app', vaultAddress: 'https://vault.attacker.example', objects }) }));
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.is(error?.details, `objects[0]: vaultAddress: "https://vault.attacker.example" is not a Vault address this Courier may send pod tokens to (allowed: ${world.vault.url}); remove it to use the default, or ask the administrator to add it to --vault-allowed-addrs`);
  t.is(world.vault.counters.requests.length, 0);
});

test('a secretKey the secret does not hold fails the Mount with NOT_FOUND', async (t) => {
  const { world, clients, attributes } = await setup(t);
  const error = await t.throwsAsync<ServiceError>(clients.vault.mount({ attributes: await attributes({ roleName: 'app', vaultAddress: world.vault.url, objects: '- {objectName: p, secretPath: secret/data/app/db, secretKey: nope}' }) }));
  t.is(error?.code, status.NOT_FOUND);
  t.is(error?.details, 'objects[0].secretKey: key "nope" is not in the secret');
});
