import test from 'ava';
import { AuthError, PermissionError, UnavailableError } from '../../src/errors/courier-error.ts';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { createServiceAccountReader } from '../../src/kube/service-account-reader.ts';
import { useFakeKubeApi } from '../fakes/kube-api.ts';

const ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' };

test('reads the annotations of a service account through the real client', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  t.deepEqual(await reader.annotations('team-a', 'app'), ROLE);
});

test('a service account without annotations reads as an empty mapping', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'plain');
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  t.deepEqual(await reader.annotations('team-a', 'plain'), {});
});

test('annotations are served from the cache until the TTL passes', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  let clock = 1_000;
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }), { ttlMs: 30_000, now: () => clock });
  await reader.annotations('team-a', 'app');
  clock += 29_999;
  await reader.annotations('team-a', 'app');
  t.is(api.count('GET', 'serviceaccounts'), 1);
  clock += 1;
  await reader.annotations('team-a', 'app');
  t.is(api.count('GET', 'serviceaccounts'), 2);
});

test('concurrent lookups of one service account share one API call', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  const answers = await Promise.all(Array.from({ length: 10 }, async () => reader.annotations('team-a', 'app')));
  t.is(api.count('GET', 'serviceaccounts'), 1);
  t.true(answers.every((annotations) => annotations === answers[0]));
});

test('different service accounts are cached separately', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  api.addServiceAccount('team-b', 'app', { other: 'yes' });
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  t.deepEqual(await reader.annotations('team-a', 'app'), ROLE);
  t.deepEqual(await reader.annotations('team-b', 'app'), { other: 'yes' });
});

test('a missing service account is an AuthError and is not cached', async (t) => {
  const api = await useFakeKubeApi(t);
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  const error = await t.throwsAsync(reader.annotations('team-a', 'ghost'), { instanceOf: AuthError });
  t.is(error.message, 'service account team-a/ghost does not exist');
  api.addServiceAccount('team-a', 'ghost', ROLE);
  t.deepEqual(await reader.annotations('team-a', 'ghost'), ROLE);
});

test('a refused lookup names the RBAC rule courier needs', async (t) => {
  const api = await useFakeKubeApi(t);
  api.forbid('get', 'serviceaccounts');
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  const error = await t.throwsAsync(reader.annotations('team-a', 'app'), { instanceOf: PermissionError });
  t.is(
    error.message,
    'the Kubernetes API refused to let courier get serviceaccounts team-a/app; grant courier\'s service account a ClusterRole rule {apiGroups: [""], resources: ["serviceaccounts"], verbs: ["get"]}',
  );
});

test('an unreachable API is UnavailableError and the next lookup retries', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  await api.goDown();
  const error = await t.throwsAsync(reader.annotations('team-a', 'app'), { instanceOf: UnavailableError });
  t.is(error.message, 'cannot reach the Kubernetes API to get serviceaccounts team-a/app: ECONNREFUSED');
  await api.comeBack();
  t.deepEqual(await reader.annotations('team-a', 'app'), ROLE);
});

test('without a cluster or kubeconfig the reader fails only when used, saying why', async (t) => {
  const reader = createServiceAccountReader(createKubeClient({}));
  const error = await t.throwsAsync(reader.annotations('team-a', 'app'));
  t.is(error.message, 'the Kubernetes API is not configured: courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given');
});

test('a caller whose deadline passes stops waiting with DeadlineError', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('team-a', 'app', ROLE);
  const reader = createServiceAccountReader(createKubeClient({ kubeconfig: api.kubeconfig }));
  const controller = new AbortController();
  controller.abort();
  const error = await t.throwsAsync(reader.annotations('team-a', 'app', controller.signal));
  t.is(error.message, "the Mount's deadline passed while reading service account team-a/app");
});
