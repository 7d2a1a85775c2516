// Azure classes mounted through Courier's real gRPC server: the azure dialect on azure.sock, the native dialect beside other stores, a service principal, and a tls mirror from a certificate.
import { join } from 'node:path';
import test from 'ava';
import { status, type ServiceError } from '@grpc/grpc-js';
import { createObjectFetcher } from '../../../src/fetch/fetch-objects.ts';
import { createMetrics } from '../../../src/observability/metrics.ts';
import { runMount } from '../../../src/pipeline/mount.ts';
import { DRIVER_KEYS } from '../../../src/spc/decode-request.ts';
import { generateChain } from '../../fakes/azure/material-chain.ts';
import { CATALOG } from '../../helpers/catalog.ts';
import { tokensAttribute } from '../../helpers/pod-token.ts';
import { connectProvider } from '../../helpers/provider-client.ts';
import { b64, POD_A, useMirrorRig } from '../../kube/mirror-helpers.ts';
import { driverAttributes, startTestCourier } from '../../server/courier-fixture.ts';
import { AUDIENCE, azureFixture, VAULT } from './azure-fixture.ts';
import { DEFAULT_BUDGETS } from '../../../src/spc/budgets.ts';
import { createAtomicWriter } from '../../../src/output/atomic-writer.ts';

const files = (response: { readonly files: ReadonlyArray<{ readonly path: string; readonly contents: Uint8Array }> }) => Object.fromEntries(response.files.map((file) => [file.path, Buffer.from(file.contents).toString()]));

test('mounts an Azure-provider class unchanged on azure.sock, with the Azure provider\'s object version ids', async (t) => {
  const fixture = await azureFixture(t);
  const { vault, store, world } = fixture;
  const db = vault.setSecret('db-password', 'aGVsbG8=');
  vault.setSecret('history', 'old');
  vault.setSecret('history', 'new');
  const chain = generateChain({ commonName: 'web.example.test' });
  vault.importCertificate('web', chain);
  const courier = await startTestCourier(t, { backends: [['azure-kv', store]], options: { compat: ['azure'] } });
  const azure = connectProvider(join(courier.dir, 'sockets', 'azure.sock'));
  t.teardown(() => azure.close());
  const objects = `array:
  - |
    objectName: db-password
    objectType: secret
    objectEncoding: base64
  - |
    objectName: web
    objectType: cert
    objectAlias: web.crt
    filePermission: 0400
  - |
    objectName: history
    objectType: secret
    objectVersionHistory: 3
`;
  const token = await world.podToken('team-a', 'app');
  const attributes = { ...driverAttributes({ keyvaultName: VAULT, tenantId: world.tenantId, objects }), [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: AUDIENCE, token }]) };
  const response = await azure.mount({ attributes });
  t.deepEqual(files(response), { 'db-password': 'hello', 'web.crt': chain.leaf.pem, 'history/0': 'new', 'history/1': 'old' });
  t.is(response.files.find((file) => file.path === 'web.crt')?.mode, 0o400);
  const versions = Object.fromEntries(response.objectVersion.map((entry) => [entry.id, entry.version]));
  t.deepEqual(Object.keys(versions), ['secret/db-password', 'cert/web', 'secret/history/0', 'secret/history/1']);
  t.is(versions['secret/db-password'], db.version);
  t.is(world.counts().tokenRequests, 1);
});

test('mounts azure-kv objects beside the local store in one native class', async (t) => {
  const { vault, store, world } = await azureFixture(t);
  vault.setSecret('api-key', 'from-azure');
  const courier = await startTestCourier(t, { backends: [['azure-kv', store]], localFiles: { 'demo/config': 'from-file' } });
  const token = await world.podToken('team-a', 'app');
  const objects = `- {source: "azure-kv:${VAULT}/secrets/api-key"}\n- {source: "file:demo/config", path: config}\n`;
  const response = await courier.client.mount({ attributes: { ...driverAttributes({ objects }), [DRIVER_KEYS.tokens]: tokensAttribute([{ audience: AUDIENCE, token }]) } });
  t.deepEqual(files(response), { 'api-key': 'from-azure', config: 'from-file' });
});

test('mounts with a service principal from the nodePublishSecretRef Secret, without a pod token', async (t) => {
  const { vault, store, world } = await azureFixture(t);
  const principal = world.servicePrincipal();
  vault.allow({ objectId: principal.objectId, secrets: ['get'] });
  vault.setSecret('db', 'sp-value');
  const courier = await startTestCourier(t, { backends: [['azure-kv', store]], options: { compat: ['azure'] } });
  const azure = connectProvider(join(courier.dir, 'sockets', 'azure.sock'));
  t.teardown(() => azure.close());
  const objects = 'array:\n  - |\n    objectName: db\n    objectType: secret\n';
  const secrets = JSON.stringify({ clientid: principal.clientId, clientsecret: principal.secret });
  const response = await azure.mount({ attributes: driverAttributes({ keyvaultName: VAULT, tenantID: principal.tenantId, objects }), secrets });
  t.deepEqual(files(response), { db: 'sp-value' });
});

test('fails the Mount naming the object and the fix when the class asks for AAD Pod Identity', async (t) => {
  const { store } = await azureFixture(t);
  const courier = await startTestCourier(t, { backends: [['azure-kv', store]], options: { compat: ['azure'] } });
  const azure = connectProvider(join(courier.dir, 'sockets', 'azure.sock'));
  t.teardown(() => azure.close());
  const objects = 'array:\n  - |\n    objectName: db\n    objectType: secret\n';
  const error = await t.throwsAsync<ServiceError>(azure.mount({ attributes: driverAttributes({ keyvaultName: VAULT, usePodIdentity: 'true', objects }) }));
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.true(error?.details.startsWith('usePodIdentity: AAD Pod Identity is retired and Courier does not support it; use Azure Workload Identity'));
});

test('mirrors an Azure certificate into a kubernetes.io/tls Secret: the chain in tls.crt, the PKCS#8 key in tls.key', async (t) => {
  const { vault, store, world } = await azureFixture(t);
  const chain = generateChain({ commonName: 'ingress.example.test', leafKey: { kty: 'EC', curve: 'P-384' } });
  vault.importCertificate('ingress', chain, { order: 'root-first' });
  const rig = await useMirrorRig(t);
  const backends = new Map([['azure-kv', store]]);
  const token = await world.podToken(POD_A.namespace, POD_A.serviceAccount);
  const request = {
    parameters: {
      objects: `- {source: "azure-kv:${VAULT}/secrets/ingress", path: tls.pem}\n`,
      mirror: '- {secretName: ingress-tls, type: kubernetes.io/tls, data: [{objectName: tls.pem, key: tls.crt}, {objectName: tls.pem, key: tls.key}]}',
    },
    secretProviderClass: 'ingress',
    pod: POD_A,
    tokens: new Map([[AUDIENCE, { audience: AUDIENCE, token, expirationTimestamp: '' }]]),
    permission: 0o644,
    targetPath: '',
  };
  await runMount(request, { fetcher: createObjectFetcher(backends, createMetrics()), catalog: CATALOG, backends, budgets: DEFAULT_BUDGETS, writer: createAtomicWriter(), writeFiles: false, mirror: rig.mirror }, AbortSignal.timeout(20_000));
  t.deepEqual(rig.api.secret('team-a', 'ingress-tls')?.data, {
    'tls.crt': b64(`${chain.certificates.map((item) => item.pem.trim()).join('\n')}\n`),
    'tls.key': b64(chain.leaf.key.privateKeyPem),
  });
});
