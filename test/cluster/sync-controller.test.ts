import test from 'ava';
import { CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { connectProvider } from '../helpers/provider-client.ts';
import { startGoogleFakes, type GoogleFakes } from './harness/google.ts';
import { createNamespace, createServiceAccount, requestToken } from './harness/kube-objects.ts';
import { useStack, type Stack, AUDIENCES } from './harness/stack.ts';
import { ACCOUNTS, prepareTokenScenario, startTokenCourier } from './harness/token-scenario.ts';

// Item 6 of the cluster tier. The Secrets Store Sync Controller (sigs.k8s.io/secrets-store-sync-controller)
// is not served by the Go module proxy this project reaches (403 for its version list), so it cannot be
// built here. These tests send Courier the Mount the controller sends for a SecretSync instead, with real
// tokens: the SecretProviderClass parameters plus the controller's own pod name and UID, the SecretSync's
// namespace and ServiceAccount, that ServiceAccount's tokens (600 s, bound to the controller's Node, one
// per configured audience), secrets "{}", permission "420" and target path /mnt/secrets-store; no
// secretProviderClass key and no ephemeral key. The files come back in the response; nothing is written.

const NS = 'sync-app';
const CONTROLLER_NS = 'secrets-store-sync-system';
const PROVIDER = 'courier-sync';

let stack: Stack;
let google: GoogleFakes | undefined;
let controllerPod: V1Pod;
let node: V1Node;

test.before(async () => {
  stack = await useStack();
  google = await startGoogleFakes();
  await prepareTokenScenario(stack, google, NS, PROVIDER);
  const core = stack.admin.makeApiClient(CoreV1Api);
  node = await core.createNode({ body: { metadata: { name: stack.node.nodeName } } });
  await createNamespace(stack.admin, CONTROLLER_NS);
  await createServiceAccount(stack.admin, CONTROLLER_NS, 'secrets-store-sync-controller');
  controllerPod = await core.createNamespacedPod({
    namespace: CONTROLLER_NS,
    body: { metadata: { name: 'secrets-store-sync-controller-0' }, spec: { nodeName: stack.node.nodeName, serviceAccountName: 'secrets-store-sync-controller', containers: [{ name: 'manager', image: 'registry.invalid/sync:1' }] } },
  });
});

test.after.always(async () => {
  await stack?.admin.makeApiClient(CoreV1Api).deleteNode({ name: stack.node.nodeName }).catch(() => undefined);
  await stack?.stop();
  await google?.stop();
});

/** The attributes the sync controller sends for a SecretSync in NS naming `serviceAccount`, with `tokenOf`'s token. */
async function syncControllerAttributes(serviceAccount: string, tokenOf: string): Promise<Record<string, string>> {
  const issued = await requestToken(stack.admin, NS, tokenOf, { audiences: [AUDIENCES.gcp], expirationSeconds: 600, boundTo: { kind: 'Node', name: node.metadata?.name ?? '', uid: node.metadata?.uid ?? '' } });
  return {
    objects: `- {source: "gcp-sm:projects/${google?.project ?? ''}/secrets/token-test/versions/latest", path: value}`,
    'csi.storage.k8s.io/pod.name': controllerPod.metadata?.name ?? '',
    'csi.storage.k8s.io/pod.uid': controllerPod.metadata?.uid ?? '',
    'csi.storage.k8s.io/pod.namespace': NS,
    'csi.storage.k8s.io/serviceAccount.name': serviceAccount,
    'csi.storage.k8s.io/serviceAccount.tokens': JSON.stringify({ [AUDIENCES.gcp]: { token: issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString() } }),
  };
}

test('a Mount shaped as the sync controller sends it, with the SecretSync\'s node-bound token, is accepted', async (t) => {
  if (!google) throw new Error('no Google fakes');
  const courier = await startTokenCourier(t, stack, google, PROVIDER);
  const client = connectProvider(courier.socketPath);
  t.teardown(() => client.close());
  const response = await client.mount({ attributes: await syncControllerAttributes(ACCOUNTS.app, ACCOUNTS.app), secrets: '{}', targetPath: '/mnt/secrets-store', permission: '420' });
  t.deepEqual(response.files.map((file) => [file.path, Buffer.from(file.contents).toString()]), [['value', 'token-test-value']]);
  t.deepEqual(response.objectVersion.map((version) => version.id), ['value'], 'the controller fails a response without object versions');
  t.deepEqual(google.sts.calls.slice(-1).map((call) => call.subject), [`system:serviceaccount:${NS}:${ACCOUNTS.app}`]);
});

test('a sync-controller Mount whose token belongs to another ServiceAccount than the SecretSync names is refused', async (t) => {
  if (!google) throw new Error('no Google fakes');
  const courier = await startTokenCourier(t, stack, google, PROVIDER);
  const client = connectProvider(courier.socketPath);
  t.teardown(() => client.close());
  const error = await t.throwsAsync(client.mount({ attributes: await syncControllerAttributes(ACCOUNTS.app, ACCOUNTS.other), secrets: '{}', targetPath: '/mnt/secrets-store' }));
  t.true(error?.message.includes(`the token for audience "${AUDIENCES.gcp}" belongs to ${NS}/${ACCOUNTS.other}, but the request is for ${NS}/${ACCOUNTS.app}`), error?.message);
});
