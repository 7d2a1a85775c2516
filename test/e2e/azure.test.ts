// Courier as a process serving Azure Key Vault: the driver's own client mounts azure-dialect classes on azure.sock and native classes on courier.sock,
// while the Entra ID and Key Vault fakes run in this process under their real host names (--azure-connect-to, --azure-ca-file).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createAzureWorld, type AzureWorld } from '../fakes/azure/azure-world.ts';
import { generateChain, toPemBundle, type CertificateChain } from '../fakes/azure/material-chain.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessMount, type DriverPod, type HarnessMountResult } from './helpers/driver-harness.ts';

const AUDIENCE = 'api://AzureADTokenExchange';
const VAULT = 'orders-kv';
const APP: DriverPod = { name: 'web-0', namespace: 'team-a', serviceAccount: 'app' };
const OTHER: DriverPod = { name: 'api-0', namespace: 'team-b', serviceAccount: 'api' };

let world: (AzureWorld & { stop(): Promise<void> }) | undefined;
let kube: FakeKubeApi | undefined;
let caDir = '';
let chain: CertificateChain;
const versions: Record<string, string> = {};

test.before(async () => {
  await buildHarness();
  world = await createAzureWorld();
  const app = world.workloadIdentity(APP.namespace, APP.serviceAccount ?? '');
  const vault = world.vault(VAULT);
  vault.allow({ objectId: app.objectId, secrets: ['get', 'list'], keys: ['get'], certificates: ['get'] });
  versions['db'] = vault.setSecret('db-password', 'hunter2').version;
  vault.setSecret('api-token', 'token-1');
  vault.setSecret('api-token', 'token-2');
  vault.setSecret('binary', Buffer.from([0, 1, 2, 254, 255]).toString('base64'));
  chain = generateChain({ commonName: 'orders.example.test' });
  versions['tls'] = vault.importCertificate('orders-tls', chain, { order: 'root-first' }).version;
  kube = await startFakeKubeApi();
  kube.addServiceAccount(APP.namespace, APP.serviceAccount ?? '', { 'azure.workload.identity/client-id': app.clientId, 'azure.workload.identity/tenant-id': app.tenantId });
  kube.addServiceAccount(OTHER.namespace, OTHER.serviceAccount ?? '', {});
  caDir = await mkdtemp(join(tmpdir(), 'courier-e2e-azure-ca-'));
  await writeFile(join(caDir, 'ca.pem'), world.caCertificate);
});

test.after.always(async () => {
  await world?.stop();
  await kube?.close();
  if (caDir !== '') await rm(caDir, { recursive: true, force: true });
});

/** Courier with the azure dialect on azure.sock, routed to the fakes; no value cache, so each Mount reads. */
function startCourier(t: ExecutionContext): Promise<CourierProcess> {
  if (!world || !kube) throw new Error('no world');
  const entra = world.agent.routeFor('login.microsoftonline.com')?.port;
  const vaults = world.agent.routeFor(`${VAULT}.vault.azure.net`)?.port;
  return startCourierProcess(t, {
    args: [
      '--kubeconfig', kube.kubeconfig, '--compat', 'azure', '--cache-ttl', '0',
      '--azure-connect-to', `login.microsoftonline.com=127.0.0.1:${entra ?? 0},*.vault.azure.net=127.0.0.1:${vaults ?? 0}`,
      '--azure-ca-file', join(caDir, 'ca.pem'),
    ],
  });
}

/** Mounts through the driver's client and writer on `socket`, and reads the files back. */
async function mount(t: ExecutionContext, courier: CourierProcess, socket: 'azure' | 'courier', parameters: Record<string, string>, pod: DriverPod = APP): Promise<{ result: HarnessMountResult; files: Record<string, string> }> {
  if (!world) throw new Error('no world');
  const token = await world.podToken(pod.namespace, pod.serviceAccount ?? '');
  const target = await mkdtemp(join(tmpdir(), 'courier-e2e-azure-'));
  t.teardown(() => rm(target, { recursive: true, force: true }));
  const attributes = driverAttributes({ name: 'azure-spc', parameters }, pod, [{ audience: AUDIENCE, token }]);
  const result = await harnessMount({ socketDir: courier.socketDir, providerName: socket }, { attributes, target });
  const files: Record<string, string> = {};
  for (const file of result.files) files[file.path] = await readFile(join(target, file.path), 'latin1');
  return { result, files };
}

test('mounts an Azure-provider class unchanged through the driver on azure.sock', async (t) => {
  const courier = await startCourier(t);
  const objects = `array:
  - |
    objectName: db-password
    objectType: secret
    objectVersion: ""
  - |
    objectName: orders-tls
    objectType: secret
    objectAlias: tls.pem
    filePermission: 0440
  - |
    objectName: orders-tls
    objectType: cert
    objectAlias: tls.crt
  - |
    objectName: api-token
    objectType: secret
    objectVersionHistory: 3
  - |
    objectName: binary
    objectType: secret
    objectEncoding: base64
`;
  const { result, files } = await mount(t, courier, 'azure', { keyvaultName: VAULT, usePodIdentity: 'false', objects });
  t.true(result.ok, result.error);
  t.deepEqual(files, {
    'db-password': 'hunter2',
    'tls.pem': toPemBundle(chain),
    'tls.crt': chain.leaf.pem,
    'api-token/0': 'token-2',
    'api-token/1': 'token-1',
    binary: Buffer.from([0, 1, 2, 254, 255]).toString('latin1'),
  });
  t.is(result.files.find((file) => file.path === 'tls.pem')?.mode, '0440');
  t.like(result.objectVersions, { 'secret/db-password': versions['db'], 'secret/orders-tls': versions['tls'], 'cert/orders-tls': versions['tls'] });
  t.deepEqual(Object.keys(result.objectVersions).sort(), ['cert/orders-tls', 'secret/api-token/0', 'secret/api-token/1', 'secret/binary', 'secret/db-password', 'secret/orders-tls']);
});

test('mounts native azure-kv sources through the driver on courier.sock, the certificate split into key and chain', async (t) => {
  const courier = await startCourier(t);
  const objects = `- {source: "azure-kv:${VAULT}/secrets/db-password", path: db/password, mode: "0400"}
- {source: "azure-kv:${VAULT}/secrets/orders-tls", path: tls/tls.key, part: key}
- {source: "azure-kv:${VAULT}/secrets/orders-tls", path: tls/tls.crt, part: chain}
- {source: "azure-kv:${VAULT}/secrets/api-token", path: previous-token, versionIndex: "1"}
`;
  const { result, files } = await mount(t, courier, 'courier', { objects });
  t.true(result.ok, result.error);
  t.deepEqual(files, {
    'db/password': 'hunter2',
    'tls/tls.key': chain.leaf.key.privateKeyPem,
    'tls/tls.crt': chain.certificates.map((item) => item.pem).join(''),
    'previous-token': 'token-1',
  });
  t.is(result.files.find((file) => file.path === 'db/password')?.mode, '0400');
});

test('fails a pod whose ServiceAccount has no workload identity with the fix in the message', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, 'azure', { keyvaultName: VAULT, objects: 'array:\n  - |\n    objectName: db-password\n    objectType: secret\n' }, OTHER);
  t.is(result.grpcCode, 'Unauthenticated');
  t.true(result.error.includes('objects.array[0]: azure-kv has no client ID for ServiceAccount team-b/api: set clientID in the SecretProviderClass, annotate the ServiceAccount with azure.workload.identity/client-id'), result.error);
});

test('reports a denied object as PermissionDenied naming the permission to grant', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, 'courier', { objects: `- {source: "azure-kv:${VAULT}/keys/orders-tls", path: k}\n- {source: "azure-kv:${VAULT}/certificates/orders-tls", path: c, versionIndex: "0"}\n` });
  t.is(result.grpcCode, 'PermissionDenied');
  t.true(result.error.includes('listing the versions of cert "orders-tls" in key vault orders-kv by its access policies; give it the certificates permission "List"'), result.error);
});
