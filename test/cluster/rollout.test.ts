import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { startCourierProcess } from '../e2e/helpers/courier-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { courierKubeconfig, installCourier } from './harness/courier.ts';
import { createNamespace } from './harness/kube-objects.ts';
import { kubeletVolumeContext, nodePublishLoop } from './harness/kubelet.ts';
import { applySpc, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Item 5 of the cluster tier: a DaemonSet rollout on one node. The driver binary keeps publishing (each
// NodePublishVolume a first mount, which calls Courier) while a new Courier replaces the old one on the
// same socket, new first, as the shipped maxSurge: 1 / maxUnavailable: 0 strategy does.

const NS = 'rollout';
const PROVIDER = 'courier-rollout';

let stack: Stack;

test.before(async () => {
  stack = await useStack();
  await createNamespace(stack.admin, NS);
});

test.after.always(async () => {
  await stack?.stop();
});

test('replacing Courier new-first while the driver publishes in a loop fails no NodePublishVolume', async (t) => {
  const store = await tempDir(t, 'courier-rollout-store-');
  await writeFile(join(store, 'config.txt'), 'rollout-config');
  const kubeconfig = await courierKubeconfig(t, stack, await installCourier(t, stack, { kustomize: 'manifests/base' }), store);
  const start = () => startCourierProcess(t, { socketDir: stack.node.providersDir, providerName: PROVIDER, args: ['--kubeconfig', kubeconfig, '--local-store', store] });
  await applySpc(stack, { namespace: NS, name: 'rollout', provider: PROVIDER, parameters: { objects: '- {source: "file:config.txt", path: config.txt}' } });
  const volume = await startPod(t, stack, { namespace: NS, name: 'rollout-0', serviceAccount: 'default', secretProviderClass: 'rollout' });
  const context = await kubeletVolumeContext(stack.admin, volume);

  const old = await start();
  const loop = nodePublishLoop(stack.node, volume, context, 8_000, 20);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const successor = await start();
  t.deepEqual(await old.stop('SIGTERM'), { code: 0, signal: null });
  const result = await loop;
  t.log(`${result.publishes} NodePublishVolume calls, ${result.failures} failed, slowest ${result.longestPublishMs} ms`);

  t.is(result.failures, 0, result.failureMessages.join('\n'));
  t.true(result.publishes > 20, `only ${result.publishes} publishes ran`);
  t.true((await stat(successor.socketPath)).isSocket(), 'the old Courier left the new one\'s socket in place');
  // Every publish reached a Courier (the driver does not skip first mounts), and both Couriers served some.
  const served = (courier: typeof old) => courier.lines().filter((line) => line.json?.['msg'] === 'mount' && line.json['outcome'] === 'ok').length;
  t.log(`old Courier served ${served(old)} Mounts, its successor ${served(successor)}`);
  t.true(served(old) > 0 && served(successor) > 0);
  t.is(served(old) + served(successor), result.publishes);
});
