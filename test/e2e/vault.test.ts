import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { convertManifests } from '../../src/convert/convert-manifests.ts';
import { JwtIssuer, startFakeVault, type FakeVault } from '../fakes/vault/index.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessMount, type HarnessMountResult } from './helpers/driver-harness.ts';

// Courier as a process, the fake Vault on loopback, and Mounts made by the Secrets Store CSI driver's
// own client and writer (the harness): the vault dialect (current and legacy), OpenBao's names and
// the native dialect.

const APP = { name: 'orders-0', namespace: 'demo', serviceAccount: 'orders', uid: 'e2e-uid-orders-0' };

let vault: FakeVault;
let issuer: JwtIssuer;

test.before(async () => {
  await buildHarness();
  vault = await startFakeVault();
  issuer = new JwtIssuer();
  const kv2 = vault.kvV2('secret');
  kv2.put('orders/db', { username: 'orders', password: 'first' });
  kv2.put('orders/db', { username: 'orders', password: 's3cret' });
  vault.kvV1('kv').put('orders/config', { host: 'db.internal' });
  vault.kvV2('secrets').put('db/creds', { username: 'orders_app', password: 'Xk9#p$2!q' });
  vault.database('database', { orders: { defaultTtl: 3600 } });
  vault.pki('pki', { orders: { allowedDomains: ['demo.svc'], allowSubdomains: true } });
  const bound = { boundServiceAccountNames: ['orders'], boundServiceAccountNamespaces: ['demo', 'shop'], tokenPolicies: ['orders'], tokenTtl: 1200 };
  vault.enableKubernetesAuth({ publicKeys: [issuer.publicKeyPem], roles: { orders: { ...bound, audience: 'vault' }, 'orders-bao': { ...bound, audience: 'openbao' } } });
  vault.writePolicy('orders', 'path "secret/data/orders/*" { capabilities = ["read"] }\npath "kv/orders/*" { capabilities = ["read"] }\npath "database/creds/orders" { capabilities = ["read"] }\npath "pki/issue/orders" { capabilities = ["update"] }\npath "secrets/data/db/*" { capabilities = ["read"] }');
});

test.after.always(async () => {
  await vault?.close();
});

function startCourier(t: ExecutionContext): Promise<CourierProcess> {
  return startCourierProcess(t, { args: ['--compat', 'vault,openbao', '--cache-ttl', '0', '--vault-addr', vault.url, '--vault-allowed-addrs', 'https://vault-dr.example:8200'] });
}

/** Mounts a class on `provider`'s socket through the harness and reads the files back as the pod would. */
async function mount(t: ExecutionContext, courier: CourierProcess, provider: string, parameters: Record<string, string>, pod: Partial<typeof APP> = {}): Promise<{ result: HarnessMountResult; files: Record<string, string> }> {
  const who = { ...APP, ...pod };
  const tokens = await Promise.all(['vault', 'openbao'].map(async (audience) => ({ audience, token: await issuer.podToken({ namespace: who.namespace, serviceAccount: who.serviceAccount, audience, podName: who.name }) })));
  const target = await mkdtemp(join(tmpdir(), 'courier-e2e-vault-'));
  t.teardown(() => rm(target, { recursive: true, force: true }));
  const result = await harnessMount({ socketDir: courier.socketDir, providerName: provider }, { attributes: driverAttributes({ name: 'orders', parameters }, who, tokens), target });
  const files: Record<string, string> = {};
  for (const file of result.files) files[file.path] = await readFile(join(target, file.path), 'utf8');
  return { result, files };
}

test('mounts a Vault-provider class unchanged on vault.sock, one login for every Mount', async (t) => {
  const courier = await startCourier(t);
  vault.counters.reset();
  const objects = `
- objectName: "db-password"
  secretPath: "secret/data/orders/db"
  secretKey: "password"
- objectName: "db.json"
  secretPath: "/v1/secret/data/orders/db?version=1"
- objectName: "dbUsername"
  secretPath: "database/creds/orders"
  secretKey: "username"
- objectName: "dbPassword"
  secretPath: "database/creds/orders"
  secretKey: "password"
  filePermission: 0400
- objectName: "tls/cert.pem"
  secretPath: "pki/issue/orders"
  method: "PUT"
  secretArgs:
    common_name: "orders.demo.svc"
  secretKey: "certificate"
`;
  const parameters = { roleName: 'orders', vaultAddress: vault.url, vaultKubernetesMountPath: 'kubernetes', objects };
  const { result, files } = await mount(t, courier, 'vault', parameters);
  t.true(result.ok, result.error);
  t.is(files['db-password'], 's3cret');
  t.deepEqual((JSON.parse(files['db.json'] ?? '{}') as { data?: { data?: unknown } }).data?.data, { username: 'orders', password: 'first' });
  const credentials = vault.database('database').credentials;
  t.is(credentials.length, 1);
  t.is(files['dbUsername'], credentials[0]?.username);
  t.is(files['dbPassword'], credentials[0]?.password);
  t.true(files['tls/cert.pem']?.startsWith('-----BEGIN CERTIFICATE-----'));
  t.is(result.files.find((file) => file.path === 'dbPassword')?.mode, '0400');
  t.is(result.objectVersions['db-password'], '2');
  // A republish of the same pod: no new login, the same credential and certificate.
  const again = await mount(t, courier, 'vault', parameters);
  t.true(again.result.ok, again.result.error);
  t.is(again.files['dbPassword'], files['dbPassword']);
  t.is(again.files['tls/cert.pem'], files['tls/cert.pem']);
  t.is(vault.counters.logins('orders'), 1);
  t.is(vault.database('database').credentials.length, 1);
  t.is(vault.pki('pki').issued.length, 1);
});

test('mounts a legacy Vault-provider class on vault.sock', async (t) => {
  const courier = await startCourier(t);
  const objects = 'array:\n  - |\n    objectPath: "/secret/orders/db"\n    objectName: "password"\n    objectVersion: ""\n  - |\n    objectPath: "/kv/orders/config"\n    objectName: "host"\n';
  const { result, files } = await mount(t, courier, 'vault', { roleName: 'orders', vaultAddress: vault.url, vaultSkipTLSVerify: 'false', objects });
  t.true(result.ok, result.error);
  t.deepEqual(files, { password: 's3cret', host: 'db.internal' });
});

test('mounts an OpenBao-provider class on openbao.sock with the bao names and the openbao audience', async (t) => {
  const courier = await startCourier(t);
  vault.counters.reset();
  const objects = '- objectName: "password"\n  secretPath: "secret/data/orders/db"\n  secretKey: "password"\n';
  const { result, files } = await mount(t, courier, 'openbao', { roleName: 'orders-bao', baoAddress: vault.url, baoAuthMountPath: 'kubernetes', objects });
  t.true(result.ok, result.error);
  t.deepEqual(files, { password: 's3cret' });
  t.is(vault.counters.logins('orders-bao'), 1);
});

test('mounts native vault: sources on courier.sock, and gives each pod its own credential', async (t) => {
  const courier = await startCourier(t);
  const objects = '- {source: "vault:secret/orders/db", path: db/password, jsonKey: password}\n- {source: "vault:secret/orders/db", version: 1, path: db/first.json}\n- {source: "vault:database/creds/orders", path: db/dynamic.json}\n';
  const first = await mount(t, courier, 'courier', { 'vault.role': 'orders', objects });
  t.true(first.result.ok, first.result.error);
  t.is(first.files['db/password'], 's3cret');
  t.is(first.files['db/first.json'], '{"username":"orders","password":"first"}');
  const other = await mount(t, courier, 'courier', { 'vault.role': 'orders', objects }, { name: 'orders-1', uid: 'e2e-uid-orders-1' });
  t.true(other.result.ok, other.result.error);
  t.not(other.files['db/dynamic.json'], first.files['db/dynamic.json']);
});

test('refuses a vaultAddress the administrator did not allow, naming it, before any token leaves', async (t) => {
  const courier = await startCourier(t);
  vault.counters.reset();
  const { result } = await mount(t, courier, 'vault', { roleName: 'orders', vaultAddress: 'https://vault.attacker.example', objects: '- {objectName: p, secretPath: secret/data/orders/db, secretKey: password}' });
  t.is(result.grpcCode, 'InvalidArgument');
  t.true(result.error.includes(`objects[0]: vaultAddress: "https://vault.attacker.example" is not a Vault address this Courier may send pod tokens to (allowed: ${vault.url}, https://vault-dr.example:8200)`), result.error);
  t.is(vault.counters.requests.length, 0);
});

test('reports a role Vault does not bind to the pod\'s service account, naming the role', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, 'vault', { roleName: 'orders', objects: '- {objectName: p, secretPath: secret/data/orders/db, secretKey: password}' }, { serviceAccount: 'billing' });
  t.is(result.grpcCode, 'Unauthenticated');
  t.true(result.error.includes('objects[0]: Vault refused the login of role "orders" (auth/kubernetes) for demo/billing (HTTP 403: service account name not authorized)'), result.error);
});

test('the Vault Agent Injector\'s JDBC example converts with courier convert and mounts the same line byte for byte', async (t) => {
  const fixture = fileURLToPath(new URL('../convert/fixtures/jdbc-deployment.yaml', import.meta.url));
  const converted = convertManifests([{ name: 'jdbc-deployment.yaml', text: await readFile(fixture, 'utf8') }], { vaultAddress: vault.url });
  const spc = parse(converted.documents[0] ?? '') as { metadata: { name: string }; spec: { provider: string; parameters: Record<string, string> } };
  t.is(spc.spec.provider, 'courier');
  const courier = await startCourier(t);
  const { result, files } = await mount(t, courier, 'courier', spc.spec.parameters, { name: 'orders-7d9f-abcde', namespace: 'shop', serviceAccount: 'orders' });
  t.true(result.ok, `${result.errorCode} ${result.grpcCode}`);
  // The injector renders the template with its trim markers: the line and one newline.
  t.deepEqual(files, { 'db-creds': 'jdbc:oracle:thin:orders_app/Xk9#p$2!q@//192.168.34.212:4464/app\n' });
});
