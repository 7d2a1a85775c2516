import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import test from 'ava';
import { CourierError } from '../../src/errors/courier-error.ts';
import { createKubeClient, createKubeClientAtStartup, kubeEnvironment } from '../../src/kube/kube-client.ts';
import { useFakeKubeApi } from '../fakes/kube-api.ts';

test('creating a client loads nothing, so a missing kubeconfig fails only on first use', (t) => {
  const kube = createKubeClient({ kubeconfig: '/nonexistent/kubeconfig' });
  t.is(kube.source, 'kubeconfig /nonexistent/kubeconfig');
  const error = t.throws(() => kube.check(), { instanceOf: CourierError });
  t.is(error.grpcCode, status.FAILED_PRECONDITION);
  t.regex(error.message, /^the Kubernetes API is not configured: cannot load --kubeconfig \/nonexistent\/kubeconfig: /);
});

test('a kubeconfig without a current context is refused on first use', async (t) => {
  const api = await useFakeKubeApi(t);
  const file = join(api.kubeconfig, '..', 'empty-kubeconfig');
  await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] }));
  const error = t.throws(() => createKubeClient({ kubeconfig: file }).check());
  t.is(error.message, `the Kubernetes API is not configured: --kubeconfig ${file} has no current context with a cluster`);
});

test('without a kubeconfig the in-cluster config is used when the service variables are set', (t) => {
  const kube = createKubeClientAtStartup(undefined, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' });
  t.is(kube.source, 'in-cluster');
  t.notThrows(() => kube.check());
});

test('outside a cluster and without a kubeconfig the error says what to do', (t) => {
  const error = t.throws(() => createKubeClientAtStartup(undefined, {}).check());
  t.is(error.message, 'the Kubernetes API is not configured: courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given');
});

test('the service variables are read from the environment given', (t) => {
  t.deepEqual(kubeEnvironment({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443', OTHER: 'x' }), { serviceHost: 'fd00::1', servicePort: '6443' });
  t.deepEqual(kubeEnvironment({}), {});
});

test('the client reads its configuration once', async (t) => {
  const api = await useFakeKubeApi(t);
  const file = join(api.kubeconfig, '..', 'moved-kubeconfig');
  await writeFile(file, await readFile(api.kubeconfig));
  const kube = createKubeClient({ kubeconfig: file });
  kube.check();
  await rm(file);
  t.notThrows(() => kube.check());
  t.deepEqual(await kube.request({ method: 'GET', path: '/version' }), { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
});

test('a kubeconfig\'s tokenFile is read relative to the kubeconfig\'s directory and sent as the bearer token', async (t) => {
  const api = await useFakeKubeApi(t);
  await writeFile(join(api.dir, 'token'), `${api.token}\n`);
  const file = join(api.dir, 'token-file-kubeconfig');
  const config = JSON.parse(await readFile(api.kubeconfig, 'utf8')) as { users: Array<{ user: Record<string, unknown> }> };
  config.users[0] = { ...config.users[0], user: { tokenFile: 'token' } };
  await writeFile(file, JSON.stringify(config));
  await createKubeClient({ kubeconfig: file }).request({ method: 'GET', path: '/version' });
  t.is(api.requests.at(-1)?.authorization, `Bearer ${api.token}`);
});
