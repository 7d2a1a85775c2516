import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { EventsV1Api, type EventsV1Event } from '@kubernetes/client-node';
import { tempDir } from '../helpers/temp-dir.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { createNamespace, poll } from './harness/kube-objects.ts';
import { applySpc, publish, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Pod events against the real API server: written with the RBAC the kustomize base grants, on the real pod,
// through the driver's own node binary (which hides a failed republish from kubelet: the event is all there is).

const NS = 'events';
const PROVIDER = 'courier-events';

let stack: Stack;

test.before(async () => {
  stack = await useStack();
  await createNamespace(stack.admin, NS);
});

test.after.always(async () => {
  await stack?.stop();
});

async function startCourier(t: ExecutionContext): Promise<string> {
  const store = await tempDir(t, 'courier-events-store-');
  await writeFile(join(store, 'db.txt'), 'db-password-1');
  await startInstalledCourier(t, stack, { providerName: PROVIDER, kubeconfigDir: store, args: ['--local-store', store] });
  return store;
}

/** Courier's Events on `pod`, as the API server stores them. */
async function eventsOn(pod: string): Promise<EventsV1Event[]> {
  const list = await stack.admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: NS, fieldSelector: `regarding.name=${pod}` });
  return list.items.filter((event) => event.reportingController === 'courier');
}

test('a failed first mount puts one SecretMountFailed event on the real pod, however often kubelet retries', async (t) => {
  await startCourier(t);
  await applySpc(stack, { namespace: NS, name: 'missing', provider: PROVIDER, parameters: { objects: '- {source: "file:gone.txt", path: gone.txt}' } });
  const volume = await startPod(t, stack, { namespace: NS, name: 'missing-0', serviceAccount: 'default', secretProviderClass: 'missing' });
  const first = await publish(stack, volume);
  t.false(first.result.ok);
  await poll('a SecretMountFailed event', 10_000, async () => (await eventsOn('missing-0')).length > 0);
  const events = await eventsOn('missing-0');
  t.is(events.length, 1);
  t.like(events[0], { type: 'Warning', reason: 'SecretMountFailed', action: 'Mount', regarding: { kind: 'Pod', name: 'missing-0', namespace: NS }, related: { kind: 'SecretProviderClass', name: 'missing' } });
  t.regex(events[0]?.note ?? '', /^SecretProviderClass missing: .*gone\.txt/);
  // Kubelet retries the volume; each try reaches Courier and fails the same way (the same message is counted, not written again).
  for (let attempt = 0; attempt < 3; attempt++) await publish(stack, volume);
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.like(await eventsOn('missing-0'), [{ reason: 'SecretMountFailed', metadata: { name: events[0]?.metadata?.name } }]);
  t.is((await eventsOn('missing-0')).length, 1);
});

test('a republish that fails leaves the pod its files and the event SecretRotationFailed; a new version is SecretRotated', async (t) => {
  const store = await startCourier(t);
  const objects = (file: string) => ({ objects: `- {source: "file:${file}", path: db.txt}` });
  await applySpc(stack, { namespace: NS, name: 'rotating', provider: PROVIDER, parameters: objects('db.txt') });
  const volume = await startPod(t, stack, { namespace: NS, name: 'rotating-0', serviceAccount: 'default', secretProviderClass: 'rotating' });
  t.true((await publish(stack, volume)).result.ok);

  await applySpc(stack, { namespace: NS, name: 'rotating', provider: PROVIDER, parameters: objects('gone.txt') });
  // The driver acts on a republish once its poll interval (1 s here) has passed; it reports success to kubelet either way.
  await poll('a SecretRotationFailed event', 20_000, async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const again = await publish(stack, volume);
    t.true(again.result.ok, 'the driver hides the failed rotation from kubelet');
    t.is(again.files['db.txt']?.content, 'db-password-1');
    return (await eventsOn('rotating-0')).some((event) => event.reason === 'SecretRotationFailed');
  });
  const failed = await eventsOn('rotating-0');
  t.regex(failed.find((event) => event.reason === 'SecretRotationFailed')?.note ?? '', /^SecretProviderClass rotating: the pod keeps its previous files; rotation failed: .*gone\.txt/);

  await writeFile(join(store, 'db.txt'), 'db-password-2');
  await applySpc(stack, { namespace: NS, name: 'rotating', provider: PROVIDER, parameters: objects('db.txt') });
  await poll('a SecretRotated event', 20_000, async () => {
    await new Promise((resolve) => setTimeout(resolve, 500));
    await publish(stack, volume);
    return (await eventsOn('rotating-0')).some((event) => event.reason === 'SecretRotated');
  });
  const rotated = await eventsOn('rotating-0');
  t.like(rotated.find((event) => event.reason === 'SecretRotated'), { type: 'Normal', note: 'SecretProviderClass rotating: new versions of db.txt' });
});
