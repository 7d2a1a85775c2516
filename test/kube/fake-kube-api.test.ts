import test from 'ava';
import { ApiException, AuthenticationV1Api, CoreV1Api, KubeConfig, OpenidApi, PatchStrategy, setHeaderOptions, type V1Secret } from '@kubernetes/client-node';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';

function client(api: FakeKubeApi): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(api.kubeconfig);
  return config.makeApiClient(CoreV1Api);
}

const SECRET: V1Secret = { metadata: { name: 'db', namespace: 'team-a' }, type: 'Opaque', data: { password: Buffer.from('pw').toString('base64') } };

/** The Status object the API answered with. */
async function statusOf(promise: Promise<unknown>): Promise<{ code: number; reason: unknown; message: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) {
      const body = (typeof error.body === 'string' ? JSON.parse(error.body) : error.body) as { reason?: unknown; message?: unknown; kind?: unknown };
      if (body.kind !== 'Status') throw new Error('not a Status object');
      return { code: error.code, reason: body.reason, message: body.message };
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

test('create stores the Secret with uid, resourceVersion and ownerReferences as sent', async (t) => {
  const api = await useFakeKubeApi(t);
  const owners = [{ apiVersion: 'v1', kind: 'Pod', name: 'app-0', uid: 'uid-0' }];
  const created = await client(api).createNamespacedSecret({ namespace: 'team-a', body: { ...SECRET, metadata: { ...SECRET.metadata, ownerReferences: owners } } });
  t.truthy(created.metadata?.uid);
  t.truthy(created.metadata?.resourceVersion);
  t.deepEqual(api.secret('team-a', 'db')?.metadata?.ownerReferences, owners);
  t.is(api.count('POST', 'secrets'), 1);
});

test('a second create answers 409 AlreadyExists', async (t) => {
  const api = await useFakeKubeApi(t);
  await client(api).createNamespacedSecret({ namespace: 'team-a', body: SECRET });
  t.deepEqual(await statusOf(client(api).createNamespacedSecret({ namespace: 'team-a', body: SECRET })), { code: 409, reason: 'AlreadyExists', message: 'secrets "db" already exists' });
});

test('reading a missing Secret answers 404 NotFound', async (t) => {
  const api = await useFakeKubeApi(t);
  t.deepEqual(await statusOf(client(api).readNamespacedSecret({ name: 'db', namespace: 'team-a' })), { code: 404, reason: 'NotFound', message: 'secrets "db" not found' });
});

test('an update with a stale resourceVersion answers 409 Conflict', async (t) => {
  const api = await useFakeKubeApi(t);
  const created = await client(api).createNamespacedSecret({ namespace: 'team-a', body: SECRET });
  await client(api).replaceNamespacedSecret({ name: 'db', namespace: 'team-a', body: created });
  t.deepEqual(await statusOf(client(api).replaceNamespacedSecret({ name: 'db', namespace: 'team-a', body: created })), {
    code: 409,
    reason: 'Conflict',
    message: 'Operation cannot be fulfilled on secrets "db": the object has been modified; please apply your changes to the latest version and try again',
  });
});

test('a Secret missing what its type needs answers 422 Invalid', async (t) => {
  const api = await useFakeKubeApi(t);
  const body: V1Secret = { metadata: { name: 'web', namespace: 'team-a' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Yw==' } };
  t.deepEqual(await statusOf(client(api).createNamespacedSecret({ namespace: 'team-a', body })), { code: 422, reason: 'Invalid', message: 'Secret "web" is invalid: data[tls.key]: Required value' });
});

test('a merge patch changes only what it names', async (t) => {
  const api = await useFakeKubeApi(t);
  await client(api).createNamespacedSecret({ namespace: 'team-a', body: { ...SECRET, metadata: { ...SECRET.metadata, labels: { a: '1', b: '2' } } } });
  await client(api).patchNamespacedSecret({ name: 'db', namespace: 'team-a', body: { metadata: { labels: { b: null, c: '3' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  const stored = api.secret('team-a', 'db');
  t.deepEqual(stored?.metadata?.labels, { a: '1', c: '3' });
  t.deepEqual(stored?.data, SECRET.data);
  t.is(api.requests.at(-1)?.contentType, 'application/merge-patch+json');
});

test('a forbidden verb answers 403 Forbidden', async (t) => {
  const api = await useFakeKubeApi(t);
  api.forbid('get', 'secrets');
  const status = await statusOf(client(api).readNamespacedSecret({ name: 'db', namespace: 'team-a' }));
  t.is(status.code, 403);
  t.is(status.reason, 'Forbidden');
});

const base64 = (text: string) => Buffer.from(text).toString('base64');

test('over HTTPS the fake presents a certificate its CA signed and takes its client certificate as credentials', async (t) => {
  const api = await useFakeKubeApi(t, { tls: true });
  api.addServiceAccount('team-a', 'app');
  const tls = api.tls;
  if (!tls) throw new Error('no TLS material');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'fake', server: api.url, caData: base64(tls.caPem), skipTLSVerify: false }],
    users: [{ name: 'admin', certData: base64(tls.clientCertificatePem), keyData: base64(tls.clientKeyPem) }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'admin' }],
    currentContext: 'fake',
  });
  const account = await config.makeApiClient(CoreV1Api).readNamespacedServiceAccount({ name: 'app', namespace: 'team-a' });
  t.is(account.metadata?.name, 'app');
  t.is(api.requests.at(-1)?.authorization, '');
});

test('a token the fake no longer accepts answers 401 Unauthorized', async (t) => {
  const api = await useFakeKubeApi(t);
  api.acceptTokens(['rotated']);
  // client-node keeps no body of a 401 (its OpenAPI spec declares none); the fake sends the Status the API server sends.
  const error = await t.throwsAsync(client(api).readNamespacedSecret({ name: 'db', namespace: 'team-a' }), { instanceOf: ApiException });
  t.is((error as ApiException<unknown>).code, 401);
});

test('a TokenReview is authenticated only for a trusted token and one of its audiences', async (t) => {
  const api = await useFakeKubeApi(t);
  api.trustToken('pod-token', 'system:serviceaccount:team-a:app', ['sts.amazonaws.com']);
  const config = new KubeConfig();
  config.loadFromFile(api.kubeconfig);
  const reviews = config.makeApiClient(AuthenticationV1Api);
  const review = async (token: string, audience: string) => (await reviews.createTokenReview({ body: { spec: { token, audiences: [audience] } } })).status;
  const accepted = await review('pod-token', 'sts.amazonaws.com');
  t.true(accepted?.authenticated);
  t.is(accepted?.user?.username, 'system:serviceaccount:team-a:app');
  t.false((await review('pod-token', 'vault'))?.authenticated);
  t.false((await review('forged', 'sts.amazonaws.com'))?.authenticated);
});

test('the issuer keys are served at /openid/v1/jwks', async (t) => {
  const api = await useFakeKubeApi(t);
  const jwks = { keys: [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: 'AQAB', e: 'AQAB' }] };
  api.setJwks(jwks);
  const config = new KubeConfig();
  config.loadFromFile(api.kubeconfig);
  const text: unknown = await config.makeApiClient(OpenidApi).getServiceAccountIssuerOpenIDKeyset();
  t.deepEqual(typeof text === 'string' ? JSON.parse(text) : text, jwks);
});
