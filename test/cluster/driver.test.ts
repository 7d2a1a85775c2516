import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { tempDir } from '../helpers/temp-dir.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { applyAll, createNamespace, readManifests } from './harness/kube-objects.ts';
import { mountTypeAt, nodeUnpublish } from './harness/kubelet.ts';
import { applySpc, contents, publish, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Item 3 of the cluster tier: NodePublishVolume through the Secrets Store CSI driver's own node binary,
// as kubelet calls it, with Courier (native dialect, local store) as its provider.

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(REPO_ROOT, 'manifests', 'examples', 'native-file.yaml');
const PROVIDER = 'courier';
const NS = 'demo';

let stack: Stack;

test.before(async () => {
  stack = await useStack();
  await createNamespace(stack.admin, NS);
  // The example's SecretProviderClass, exactly as shipped (its pod is created per test, bound to the node).
  const spc = (await readManifests(EXAMPLE)).filter((object) => object.kind === 'SecretProviderClass');
  await applyAll(stack.admin, spc);
});

test.after.always(async () => {
  await stack?.stop();
});

/** Courier on the driver's provider dir, serving a copy of examples/local-store, with the base's RBAC. */
async function startCourier(t: ExecutionContext): Promise<string> {
  const store = await tempDir(t, 'courier-driver-store-');
  await cp(join(REPO_ROOT, 'examples', 'local-store'), store, { recursive: true });
  await startInstalledCourier(t, stack, { providerName: PROVIDER, kubeconfigDir: store, args: ['--local-store', store] });
  return store;
}

test('the driver binary mounts the shipped local-store example into a tmpfs with the right contents and modes', async (t) => {
  const store = await startCourier(t);
  const volume = await startPod(t, stack, { namespace: NS, name: 'local-demo', serviceAccount: 'default', secretProviderClass: 'local-demo' });
  const { result, files, mountType } = await publish(stack, volume);
  t.true(result.ok, `${result.error}\n${await stack.logs()}`);
  t.is(mountType, 'tmpfs');
  const db = await readFile(join(store, 'demo', 'db.json'), 'utf8');
  t.deepEqual(contents(files), {
    'db/config.json': db,
    'db/password': 'local-demo-password',
    'api-key': 'demo-api-key-1234',
    'log-level': 'level: debug\n',
  });
  t.deepEqual(Object.fromEntries(Object.entries(files).map(([path, file]) => [path, file.mode])), { 'db/config.json': '0400', 'db/password': '0644', 'api-key': '0644', 'log-level': '0644' });
  // The driver recorded the mount, with Courier's object versions, in its SecretProviderClassPodStatus.
  const status = (await stack.admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: 'secrets-store.csi.x-k8s.io', version: 'v1', plural: 'secretproviderclasspodstatuses', namespace: NS, name: `local-demo-${NS}-local-demo`,
  })) as KubernetesObject & { status: { mounted: boolean; targetPath: string; objects: Array<{ id: string }> } };
  t.true(status.status.mounted);
  t.is(status.status.targetPath, volume.target);
  t.deepEqual(status.status.objects.map((object) => object.id).sort(), ['api-key', 'db/config.json', 'db/password', 'log-level']);
});

test('a bad class fails NodePublishVolume with Courier\'s message and leaves nothing mounted', async (t) => {
  await startCourier(t);
  await applySpc(stack, { namespace: NS, name: 'escape', provider: PROVIDER, parameters: { objects: '- {source: "file:demo/db.json", path: ../escape}' } });
  const volume = await startPod(t, stack, { namespace: NS, name: 'escape-0', serviceAccount: 'default', secretProviderClass: 'escape' });
  const { result, mountType } = await publish(stack, volume);
  t.false(result.ok);
  t.regex(result.error, /^failed to mount secrets store objects for pod demo\/escape-0, err: rpc error: code = InvalidArgument desc = objects\[0\]\.path: "\.\.\/escape" /);
  t.is(mountType, '', 'the driver unmounted its tmpfs after the failed Mount');
});

test('NodeUnpublishVolume unmounts the tmpfs and removes the target', async (t) => {
  await startCourier(t);
  const volume = await startPod(t, stack, { namespace: NS, name: 'unpublish-0', serviceAccount: 'default', secretProviderClass: 'local-demo' });
  t.true((await publish(stack, volume)).result.ok);
  const unpublished = await nodeUnpublish(stack.node, volume);
  t.true(unpublished.ok, unpublished.error);
  t.is(await mountTypeAt(volume.target), '');
  await t.throwsAsync(stat(volume.target), { code: 'ENOENT' });
});

test('a republish after a secret changed rewrites the files, and a file that left the class is removed', async (t) => {
  const store = await startCourier(t);
  const parameters = (extra: string) => ({ objects: `- {source: "file:demo/db.json", path: db.json, jsonKey: password}\n${extra}` });
  await applySpc(stack, { namespace: NS, name: 'rotating', provider: PROVIDER, parameters: parameters('- {source: "file:demo/app.yaml", path: app.yaml}') });
  const volume = await startPod(t, stack, { namespace: NS, name: 'rotating-0', serviceAccount: 'default', secretProviderClass: 'rotating' });
  const first = await publish(stack, volume);
  t.true(first.result.ok, first.result.error);
  t.deepEqual(Object.keys(first.files).sort(), ['app.yaml', 'db.json']);

  await writeFile(join(store, 'demo', 'db.json'), JSON.stringify({ password: 'rotated-password' }));
  await applySpc(stack, { namespace: NS, name: 'rotating', provider: PROVIDER, parameters: parameters('') });
  // With rotation on, the driver acts on a republish once its poll interval (1 s here) has passed since the last write.
  let files = first.files;
  for (let attempt = 0; attempt < 20 && files['db.json']?.content !== 'rotated-password'; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await publish(stack, volume);
    t.true(again.result.ok, again.result.error);
    files = again.files;
  }
  t.deepEqual(contents(files), { 'db.json': 'rotated-password' });
  t.is(await mountTypeAt(volume.target), 'tmpfs');
});
