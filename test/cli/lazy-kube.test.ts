import { status } from '@grpc/grpc-js';
import test from 'ava';
import { CourierError } from '../../src/errors/courier-error.ts';
import { lazyKube } from '../../src/cli/lazy-kube.ts';

test('names where its configuration comes from without loading anything', (t) => {
  t.is(lazyKube(undefined, {}).source, 'in-cluster');
  t.is(lazyKube('/etc/kubeconfig', {}).source, 'kubeconfig /etc/kubeconfig');
});

test('a ServiceAccount lookup outside a cluster fails with what to do', async (t) => {
  const error = await t.throwsAsync(lazyKube(undefined, {}).serviceAccounts.annotations('team-a', 'app'), { instanceOf: CourierError });
  t.is(error?.grpcCode, status.FAILED_PRECONDITION);
  t.is(error?.message, 'the Kubernetes API is not configured: courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given');
});

test('uses the environment captured when it was created, and one client for every caller', async (t) => {
  const kube = lazyKube(undefined, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '1' });
  // In a "cluster" now: the lookup gets as far as the in-cluster credentials instead of refusing.
  const error = await t.throwsAsync(kube.serviceAccounts.annotations('team-a', 'app'), { instanceOf: CourierError });
  t.is(error?.grpcCode, status.UNAVAILABLE);
  t.is(await kube.client(), await kube.client());
});
