import test from 'ava';
import { CourierError, PermissionError, ThrottledError, UnavailableError } from '../../src/errors/courier-error.ts';
import { KubeApiError } from '../../src/kube/kube-api-error.ts';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { reasonOf, statusMessageOf, statusOf, toKubeError } from '../../src/kube/kube-errors.ts';
import { kubePath } from '../../src/kube/kube-http.ts';
import { MAX_SOCKETS } from '../../src/kube/kube-connection.ts';
import { useFakeKubeApi } from '../fakes/kube-api.ts';

// One call through Courier's client against the fake over HTTP: timeouts, aborts, what a failure becomes,
// the headers and the connections it uses.

const SECRET = kubePath`/api/v1/namespaces/${'team-a'}/secrets/${'db'}`;
const CALL = { verb: 'get', resource: 'secrets', namespace: 'team-a', name: 'db' };
const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

test('names in a path are escaped as one segment each', (t) => {
  t.is(kubePath`/api/v1/namespaces/${'team a'}/secrets/${'db/../x'}`, '/api/v1/namespaces/team%20a/secrets/db%2F..%2Fx');
});

test('a call that outlasts the call timeout fails as not answered in time', async (t) => {
  const api = await useFakeKubeApi(t);
  api.slowDown(2_000);
  const kube = createKubeClient({ kubeconfig: api.kubeconfig, callTimeoutMs: 100 });
  const started = performance.now();
  const error = await t.throwsAsync(kube.request({ method: 'GET', path: SECRET }));
  t.is(error.name, 'TimeoutError');
  t.true(performance.now() - started < 1_500);
  t.is(toKubeError(error, CALL).message, 'the Kubernetes API did not answer get secrets team-a/db in time');
});

test('the caller\'s signal ends a call before the call timeout', async (t) => {
  const api = await useFakeKubeApi(t);
  api.slowDown(2_000);
  const kube = createKubeClient({ kubeconfig: api.kubeconfig });
  const error = await t.throwsAsync(kube.request({ method: 'GET', path: SECRET }, AbortSignal.timeout(50)));
  t.is(error.name, 'TimeoutError');
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const aborted = await t.throwsAsync(kube.request({ method: 'GET', path: SECRET }, controller.signal));
  t.is(aborted.name, 'AbortError');
  t.is(toKubeError(aborted, CALL).message, 'the Kubernetes API did not answer get secrets team-a/db in time');
});

test('a signal that has already aborted sends nothing', async (t) => {
  const api = await useFakeKubeApi(t);
  const controller = new AbortController();
  controller.abort();
  await t.throwsAsync(createKubeClient({ kubeconfig: api.kubeconfig }).request({ method: 'GET', path: SECRET }, controller.signal), { name: 'AbortError' });
  t.is(api.count(), 0);
});

const classifies = test.macro({
  async exec(t, code: number, body: string, expected: { type: new (...args: never[]) => CourierError; message: string; reason?: string; statusMessage?: string }) {
    const api = await useFakeKubeApi(t);
    api.failNext('GET', code, body);
    const error = await t.throwsAsync(createKubeClient({ kubeconfig: api.kubeconfig }).request({ method: 'GET', path: SECRET }), { instanceOf: KubeApiError });
    t.is(statusOf(error), code);
    t.is(reasonOf(error), expected.reason);
    t.is(statusMessageOf(error), expected.statusMessage);
    const mapped = toKubeError(error, CALL);
    t.true(mapped instanceof expected.type);
    t.is(mapped.message, expected.message);
  },
  title: (title = '') => `classifies ${title}`,
});

test('403 as missing RBAC', classifies, 403, status(403, 'Forbidden', 'secrets "db" is forbidden'), {
  type: PermissionError,
  message: 'the Kubernetes API refused to let courier get secrets team-a/db; grant courier\'s service account a ClusterRole rule {apiGroups: [""], resources: ["secrets"], verbs: ["get"]}',
  reason: 'Forbidden',
  statusMessage: 'secrets "db" is forbidden',
});
test('401 as courier\'s own credentials', classifies, 401, status(401, 'Unauthorized', 'Unauthorized'), { type: UnavailableError, message: 'the Kubernetes API rejected courier\'s own credentials (401) on get secrets team-a/db', reason: 'Unauthorized', statusMessage: 'Unauthorized' });
test('429 as throttling', classifies, 429, status(429, 'TooManyRequests', 'the server has received too many requests'), { type: ThrottledError, message: 'the Kubernetes API throttled get secrets team-a/db', reason: 'TooManyRequests', statusMessage: 'the server has received too many requests' });
test('500 with its Status reason', classifies, 500, status(500, 'InternalError', 'etcdserver: request timed out'), { type: UnavailableError, message: 'the Kubernetes API answered 500 (InternalError) to get secrets team-a/db', reason: 'InternalError', statusMessage: 'etcdserver: request timed out' });
test('a proxy\'s 502 page by its code alone', classifies, 502, '<html><body>Bad Gateway</body></html>', { type: UnavailableError, message: 'the Kubernetes API answered 502 to get secrets team-a/db' });

test('an error answer keeps only a Status object: other bodies are not repeated anywhere', async (t) => {
  const api = await useFakeKubeApi(t);
  api.failNext('GET', 500, JSON.stringify({ kind: 'Secret', data: { password: 'aHVudGVyMg==' }, message: 'hunter2' }));
  const error = await t.throwsAsync(createKubeClient({ kubeconfig: api.kubeconfig }).request({ method: 'GET', path: SECRET }), { instanceOf: KubeApiError });
  t.is(error.message, 'the Kubernetes API answered GET /api/v1/namespaces/team-a/secrets/db with HTTP 500');
  t.is(error.status, undefined);
  const everything = JSON.stringify({ error, mapped: toKubeError(error, CALL).message, text: String(error) });
  t.false(everything.includes('hunter2'));
  t.false(everything.includes('aHVudGVyMg=='));
});

test('a successful answer that is not JSON fails without repeating it', async (t) => {
  const api = await useFakeKubeApi(t);
  api.failNext('GET', 200, 'password=hunter2');
  const error = await t.throwsAsync(createKubeClient({ kubeconfig: api.kubeconfig }).request({ method: 'GET', path: SECRET }));
  t.is(toKubeError(error, CALL).message, 'cannot reach the Kubernetes API to get secrets team-a/db: the answer to GET /api/v1/namespaces/team-a/secrets/db (HTTP 200) is not JSON');
});

test('a call carries courier\'s user agent, its own headers, the query and a merge patch\'s content type', async (t) => {
  const api = await useFakeKubeApi(t);
  const kube = createKubeClient({ kubeconfig: api.kubeconfig });
  await kube.request({ method: 'GET', path: '/apis/apps/v1/daemonsets', query: { limit: '500', labelSelector: 'app in (a,b)' }, headers: { 'Impersonate-User': 'system:serviceaccount:courier-system:courier' } });
  const list = api.requests.at(-1);
  t.is(list?.query, 'limit=500&labelSelector=app+in+%28a%2Cb%29');
  t.is(list?.headers['impersonate-user'], 'system:serviceaccount:courier-system:courier');
  t.is(list?.headers['user-agent'], 'courier/0.1.0');
  await kube.request({ method: 'POST', path: kubePath`/api/v1/namespaces/${'team-a'}/secrets`, body: { metadata: { name: 'db', namespace: 'team-a' }, data: {} } });
  await kube.request({ method: 'PATCH', path: SECRET, body: { metadata: { labels: { a: '1' } } }, contentType: 'application/merge-patch+json' });
  t.deepEqual(api.requests.slice(-2).map((request) => request.contentType), ['application/json', 'application/merge-patch+json']);
  t.deepEqual(api.secret('team-a', 'db')?.metadata?.labels, { a: '1' });
});

test('calls reuse kept-alive connections, at most MAX_SOCKETS at once', async (t) => {
  const api = await useFakeKubeApi(t);
  const kube = createKubeClient({ kubeconfig: api.kubeconfig });
  for (let index = 0; index < 10; index++) await kube.request({ method: 'GET', path: '/version' });
  t.is(api.connections(), 1);
  api.slowDown(50);
  await Promise.all(Array.from({ length: 3 * MAX_SOCKETS }, () => kube.request({ method: 'GET', path: '/version' })));
  t.is(api.connections(), MAX_SOCKETS);
});

test('the reply carries the status and headers', async (t) => {
  const api = await useFakeKubeApi(t);
  const reply = await createKubeClient({ kubeconfig: api.kubeconfig }).reply<{ gitVersion: string }>({ method: 'GET', path: '/version' });
  t.is(reply.status, 200);
  t.is(reply.body.gitVersion, 'v1.33.0');
  t.false(Number.isNaN(Date.parse(reply.headers.date ?? '')));
});
