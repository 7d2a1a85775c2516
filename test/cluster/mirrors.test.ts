import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { tempDir } from '../helpers/temp-dir.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { createNamespace, createServiceAccount, deletePod, poll } from './harness/kube-objects.ts';
import { applySpc, contents, publish, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Item 4 of the cluster tier: Courier's mirror Secrets against the real API server, owned by real pods and
// collected by the real garbage collector, beside the driver's own secretObjects sync.

const NS = 'mirrors';
const PROVIDER = 'courier-mirrors';
const OBJECTS = '- {source: "file:user.txt", path: user.txt}\n- {source: "file:password.txt", path: password.txt}';

let stack: Stack;
let core: CoreV1Api;

test.before(async () => {
  stack = await useStack();
  core = stack.admin.makeApiClient(CoreV1Api);
  await createNamespace(stack.admin, NS);
  await createServiceAccount(stack.admin, NS, 'app');
});

test.after.always(async () => {
  await stack?.stop();
});

/** Courier with the mirror-secrets overlay's RBAC and --mirror-secrets, serving a store of two files. */
async function startCourier(t: ExecutionContext): Promise<void> {
  const store = await tempDir(t, 'courier-mirrors-store-');
  await writeFile(join(store, 'user.txt'), 'orders');
  await writeFile(join(store, 'password.txt'), 'mirrored-password');
  await startInstalledCourier(t, stack, { providerName: PROVIDER, kubeconfigDir: store, manifests: { kustomize: 'manifests/overlays/mirror-secrets' }, args: ['--local-store', store, '--mirror-secrets'] });
}

function mirror(secretName: string, type = 'kubernetes.io/basic-auth'): string {
  return `- secretName: ${secretName}\n  type: ${type}\n  data:\n    - {objectName: user.txt, key: username}\n    - {objectName: password.txt, key: password}`;
}

async function readSecret(name: string): Promise<V1Secret | undefined> {
  return core.readNamespacedSecret({ namespace: NS, name }).catch((error: unknown) => {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  });
}

function decoded(secret: V1Secret | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString()]));
}

const owners = (secret: V1Secret | undefined) => (secret?.metadata?.ownerReferences ?? []).map((owner) => `${owner.apiVersion}/${owner.kind}/${owner.name}/${owner.uid}`).sort();

test('a mirror is created with its type, Courier\'s label and the real pod as owner', async (t) => {
  await startCourier(t);
  await applySpc(stack, { namespace: NS, name: 'basic', provider: PROVIDER, parameters: { objects: OBJECTS, mirror: mirror('orders-db') } });
  const volume = await startPod(t, stack, { namespace: NS, name: 'basic-0', serviceAccount: 'app', secretProviderClass: 'basic' });
  const { result } = await publish(stack, volume);
  t.true(result.ok, result.error);
  const secret = await readSecret('orders-db');
  t.is(secret?.type, 'kubernetes.io/basic-auth');
  t.deepEqual(decoded(secret), { username: 'orders', password: 'mirrored-password' });
  t.is(secret?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'courier');
  t.deepEqual(owners(secret), [`v1/Pod/basic-0/${volume.pod.metadata?.uid ?? ''}`]);
});

test('the garbage collector drops a deleted owner while another pod remains, and deletes the mirror with the last one', async (t) => {
  await startCourier(t);
  await applySpc(stack, { namespace: NS, name: 'shared', provider: PROVIDER, parameters: { objects: OBJECTS, mirror: mirror('shared-db') } });
  const first = await startPod(t, stack, { namespace: NS, name: 'shared-0', serviceAccount: 'app', secretProviderClass: 'shared' });
  const second = await startPod(t, stack, { namespace: NS, name: 'shared-1', serviceAccount: 'app', secretProviderClass: 'shared' });
  t.true((await publish(stack, first)).result.ok);
  t.true((await publish(stack, second)).result.ok);
  t.deepEqual(owners(await readSecret('shared-db')), [`v1/Pod/shared-0/${first.pod.metadata?.uid ?? ''}`, `v1/Pod/shared-1/${second.pod.metadata?.uid ?? ''}`].sort());

  await deletePod(stack.admin, NS, 'shared-0');
  await poll('the deleted pod dropped from the mirror\'s owners', 60_000, async () => owners(await readSecret('shared-db')).length === 1);
  t.deepEqual(owners(await readSecret('shared-db')), [`v1/Pod/shared-1/${second.pod.metadata?.uid ?? ''}`]);

  await deletePod(stack.admin, NS, 'shared-1');
  await poll('the mirror deleted by the garbage collector', 60_000, async () => (await readSecret('shared-db')) === undefined);
  t.pass();
});

test('a Secret Courier did not create is left alone, and the Mount fails naming it', async (t) => {
  await startCourier(t);
  const existing = await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'hand-made' }, type: 'kubernetes.io/basic-auth', stringData: { username: 'someone', password: 'theirs' } } });
  await applySpc(stack, { namespace: NS, name: 'clash', provider: PROVIDER, parameters: { objects: OBJECTS, mirror: mirror('hand-made') } });
  const { result } = await publish(stack, await startPod(t, stack, { namespace: NS, name: 'clash-0', serviceAccount: 'app', secretProviderClass: 'clash' }));
  t.false(result.ok);
  t.true(result.error.includes(`desc = mirror[0].secretName: Secret ${NS}/hand-made exists and is not managed by courier`), result.error);
  const after = await readSecret('hand-made');
  t.is(after?.metadata?.resourceVersion, existing.metadata?.resourceVersion);
  t.deepEqual(decoded(after), { username: 'someone', password: 'theirs' });
  t.deepEqual(owners(after), []);
});

test('the driver\'s own secretObjects sync works beside Courier\'s mirror of the same mount', async (t) => {
  await startCourier(t);
  const secretObjects = [{ secretName: 'driver-synced', type: 'Opaque', data: [{ objectName: 'password.txt', key: 'pw' }] }];
  await applySpc(stack, { namespace: NS, name: 'both', provider: PROVIDER, parameters: { objects: OBJECTS, mirror: mirror('courier-mirrored') }, secretObjects });
  const volume = await startPod(t, stack, { namespace: NS, name: 'both-0', serviceAccount: 'app', secretProviderClass: 'both' });
  const { result, files } = await publish(stack, volume);
  t.true(result.ok, result.error);
  t.deepEqual(contents(files), { 'user.txt': 'orders', 'password.txt': 'mirrored-password' });
  await poll('the driver\'s synced Secret', 60_000, async () => (await readSecret('driver-synced')) !== undefined);
  const synced = await readSecret('driver-synced');
  t.deepEqual(decoded(synced), { pw: 'mirrored-password' });
  t.is(synced?.metadata?.labels?.['secrets-store.csi.k8s.io/managed'], 'true');
  const mirrored = await readSecret('courier-mirrored');
  t.deepEqual(decoded(mirrored), { username: 'orders', password: 'mirrored-password' });
  t.is(mirrored?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'courier');
  t.is(mirrored?.metadata?.labels?.['secrets-store.csi.k8s.io/managed'], undefined, 'the driver left Courier\'s mirror alone');
});
