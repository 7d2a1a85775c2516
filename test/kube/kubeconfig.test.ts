import { status } from '../../src/errors/status-codes.ts';
import test from 'ava';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { CourierError } from '../../src/errors/courier-error.ts';
import { parseKubeconfig } from '../../src/kube/kubeconfig.ts';
import type { KubeTarget, Material } from '../../src/kube/kube-target.ts';

const FILE = '/home/dev/.kube/config';
const PREFIX = `the Kubernetes API is not configured: --kubeconfig ${FILE}: `;
const USE_INSTEAD = 'use a kubeconfig whose user has a token (kubectl create token), a tokenFile or a client certificate';
const b64 = (text: string) => Buffer.from(text).toString('base64');

type Fields = Record<string, unknown>;

/** A kubeconfig whose current context `dev` joins cluster `dev` and user `me`, as YAML. */
function kubeconfig(cluster: Fields, user?: Fields, extra: Fields = {}): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'other', cluster: { server: 'https://other.example' } }, { name: 'dev', cluster: { server: 'https://api.dev.example:6443', ...cluster } }],
    users: user === undefined ? [] : [{ name: 'me', user }],
    contexts: [{ name: 'dev', context: { cluster: 'dev', ...(user === undefined ? {} : { user: 'me' }) } }],
    'current-context': 'dev',
    ...extra,
  });
}

/** The target as plain data: URLs as strings, inline material as its text. */
function plain(target: KubeTarget): Record<string, unknown> {
  const material = (value: Material | undefined) => (value === undefined ? undefined : 'data' in value ? { data: value.data.toString('utf8') } : value);
  return JSON.parse(JSON.stringify({ ...target, server: target.server.href, ca: material(target.ca), clientCertificate: material(target.clientCertificate), clientKey: material(target.clientKey) })) as Record<string, unknown>;
}

const parses = test.macro({
  exec(t, cluster: Fields, user: Fields | undefined, expected: Record<string, unknown>) {
    t.deepEqual(plain(parseKubeconfig(kubeconfig(cluster, user), FILE)), { server: 'https://api.dev.example:6443/', insecureSkipTlsVerify: false, credentials: { kind: 'none' }, ...expected });
  },
  title: (title = '') => `reads ${title}`,
});

test('the server of the current context, without a user', parses, {}, undefined, {});
test('a server with a path prefix', parses, { server: 'https://rancher.example/k8s/clusters/c-1' }, undefined, { server: 'https://rancher.example/k8s/clusters/c-1' });
test('certificate-authority-data', parses, { 'certificate-authority-data': b64('CA PEM') }, undefined, { ca: { data: 'CA PEM' } });
test('certificate-authority-data split over lines', parses, { 'certificate-authority-data': `${b64('CA PEM, a longer one').slice(0, 8)}\n${b64('CA PEM, a longer one').slice(8)}` }, undefined, { ca: { data: 'CA PEM, a longer one' } });
test('a relative certificate-authority against the kubeconfig\'s directory', parses, { 'certificate-authority': 'certs/ca.crt' }, undefined, {
  ca: { file: '/home/dev/.kube/certs/ca.crt', field: 'clusters[name=dev].cluster.certificate-authority' },
});
test('an absolute certificate-authority as it is', parses, { 'certificate-authority': '/etc/kubernetes/pki/ca.crt' }, undefined, { ca: { file: '/etc/kubernetes/pki/ca.crt', field: 'clusters[name=dev].cluster.certificate-authority' } });
test('certificate-authority-data before certificate-authority, as kubectl does', parses, { 'certificate-authority': 'ca.crt', 'certificate-authority-data': b64('inline') }, undefined, { ca: { data: 'inline' } });
test('insecure-skip-tls-verify', parses, { 'insecure-skip-tls-verify': true }, undefined, { insecureSkipTlsVerify: true });
test('tls-server-name', parses, { 'tls-server-name': 'kubernetes.default.svc' }, undefined, { tlsServerName: 'kubernetes.default.svc' });
test('a token', parses, {}, { token: 'abc.def' }, { credentials: { kind: 'token', token: 'abc.def' } });
test('a relative tokenFile against the kubeconfig\'s directory', parses, {}, { tokenFile: 'tokens/dev' }, { credentials: { kind: 'token-file', file: '/home/dev/.kube/tokens/dev' } });
test('a tokenFile before a token, as kubectl keeps the file current', parses, {}, { token: 'old', tokenFile: '/run/token' }, { credentials: { kind: 'token-file', file: '/run/token' } });
test('client-certificate and client-key files', parses, {}, { 'client-certificate': 'me.crt', 'client-key': '/keys/me.key' }, {
  clientCertificate: { file: '/home/dev/.kube/me.crt', field: 'users[name=me].user.client-certificate' },
  clientKey: { file: '/keys/me.key', field: 'users[name=me].user.client-key' },
});
test('client-certificate-data and client-key-data', parses, {}, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }, { clientCertificate: { data: 'CERT' }, clientKey: { data: 'KEY' } });
test('a client certificate beside a token', parses, {}, { 'client-certificate-data': b64('CERT'), 'client-key': 'me.key', token: 't' }, {
  clientCertificate: { data: 'CERT' },
  clientKey: { file: '/home/dev/.kube/me.key', field: 'users[name=me].user.client-key' },
  credentials: { kind: 'token', token: 't' },
});
test('username and password', parses, {}, { username: 'admin', password: 'pw' }, { credentials: { kind: 'basic', username: 'admin', password: 'pw' } });

test('the current context decides which cluster and user are used', (t) => {
  const text = stringify({
    clusters: [{ name: 'a', cluster: { server: 'https://a.example' } }, { name: 'b', cluster: { server: 'https://b.example' } }],
    users: [{ name: 'ua', user: { token: 'ta' } }, { name: 'ub', user: { token: 'tb' } }],
    contexts: [{ name: 'ca', context: { cluster: 'a', user: 'ua' } }, { name: 'cb', context: { cluster: 'b', user: 'ub' } }],
    'current-context': 'cb',
  });
  t.like(plain(parseKubeconfig(text, FILE)), { server: 'https://b.example/', credentials: { kind: 'token', token: 'tb' } });
});

const refuses = test.macro({
  exec(t, text: string, message: string) {
    const error = t.throws(() => parseKubeconfig(text, FILE), { instanceOf: CourierError });
    t.is(error.grpcCode, status.FAILED_PRECONDITION);
    t.is(error.message, message.startsWith('the ') ? message : `${PREFIX}${message}`);
  },
  title: (title = '') => `refuses ${title}`,
});

test('an exec user, naming the field and the command', refuses, kubeconfig({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'aws', args: ['eks', 'get-token'] } }), `users[name=me].user.exec: exec credential plugins (aws) are not supported by courier; ${USE_INSTEAD}`);
test('an auth-provider user, naming the field and the provider', refuses, kubeconfig({}, { 'auth-provider': { name: 'oidc', config: {} } }), `users[name=me].user.auth-provider: auth providers (oidc) are not supported by courier; ${USE_INSTEAD}`);
test('a proxy-url', refuses, kubeconfig({ 'proxy-url': 'socks5://localhost:1080' }), 'clusters[name=dev].cluster.proxy-url: proxies are not supported; reach the API server directly, or through kubectl proxy as an http:// server');
test('a kubeconfig without current-context', refuses, kubeconfig({}, undefined, { 'current-context': '' }), `the Kubernetes API is not configured: --kubeconfig ${FILE} has no current context with a cluster`);
test('a current-context that is not in contexts', refuses, kubeconfig({}, undefined, { 'current-context': 'prod' }), 'current-context: "prod" is not in contexts');
test('a context without a cluster', refuses, kubeconfig({}, undefined, { contexts: [{ name: 'dev', context: {} }] }), 'contexts[name=dev].context.cluster: is not set');
test('a context whose cluster is missing', refuses, kubeconfig({}, undefined, { contexts: [{ name: 'dev', context: { cluster: 'gone' } }] }), 'contexts[name=dev].context.cluster: "gone" is not in clusters');
test('a context whose user is missing', refuses, kubeconfig({}, undefined, { contexts: [{ name: 'dev', context: { cluster: 'dev', user: 'gone' } }] }), 'contexts[name=dev].context.user: "gone" is not in users');
test('a cluster without a server', refuses, kubeconfig({ server: '' }), 'clusters[name=dev].cluster.server: is not set');
test('a server that is not a URL', refuses, kubeconfig({ server: 'api.dev.example:6443' }), 'clusters[name=dev].cluster.server: "api.dev.example:6443" is not an https:// or http:// URL');
test('a server that is no URL at all', refuses, kubeconfig({ server: 'not a url' }), 'clusters[name=dev].cluster.server: "not a url" is not a URL');
test('insecure-skip-tls-verify that is not a boolean', refuses, kubeconfig({ 'insecure-skip-tls-verify': 'yes' }), 'clusters[name=dev].cluster.insecure-skip-tls-verify: must be true or false');
test('a client certificate without its key', refuses, kubeconfig({}, { 'client-certificate': 'me.crt' }), 'users[name=me].user: client-certificate needs client-key (or its -data form)');
test('a client key without its certificate', refuses, kubeconfig({}, { 'client-key-data': b64('KEY') }), 'users[name=me].user: client-key needs client-certificate (or its -data form)');
test('data that is not base64', refuses, kubeconfig({ 'certificate-authority-data': '-----BEGIN CERTIFICATE-----' }), 'clusters[name=dev].cluster.certificate-authority-data: is not base64');
test('a token beside a username', refuses, kubeconfig({}, { token: 't', username: 'admin' }), 'users[name=me].user: a token and username/password are both set; keep one');
test('a token that is not a string', refuses, kubeconfig({}, { token: 123 }), 'users[name=me].user.token: must be a string');
test('contexts that are not a list', refuses, kubeconfig({}, undefined, { contexts: { dev: {} } }), 'contexts: must be a list');
test('a cluster entry that is not a mapping', refuses, kubeconfig({}, undefined, { clusters: [{ name: 'dev', cluster: 'https://x' }] }), 'clusters[name=dev].cluster: must be a mapping');
test('a file that is not a mapping', refuses, '- a\n- b\n', `the Kubernetes API is not configured: cannot load --kubeconfig ${FILE}: it is not a kubeconfig (a mapping with clusters, users and contexts)`);

test('a kubeconfig that is not YAML is refused without quoting it: it holds tokens', (t) => {
  const error = t.throws(() => parseKubeconfig('users:\n- name: me\n  user:\n    token: s3cr3t-t0ken\n   bad: [', FILE));
  t.is(error.message, `the Kubernetes API is not configured: cannot load --kubeconfig ${FILE}: it is not valid YAML (BAD_INDENT at line 5, column 1)`);
  t.false(error.message.includes('s3cr3t'));
});

test('any document either parses or is refused with FAILED_PRECONDITION, never another error', (t) => {
  const text = fc.oneof(
    fc.string(),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc
      .record(
        {
          clusters: fc.array(fc.record({ name: fc.constantFrom('dev', 'x'), cluster: fc.dictionary(fc.constantFrom('server', 'certificate-authority', 'certificate-authority-data', 'insecure-skip-tls-verify', 'tls-server-name', 'proxy-url'), fc.jsonValue()) })),
          users: fc.array(fc.record({ name: fc.constantFrom('me', 'x'), user: fc.dictionary(fc.constantFrom('token', 'tokenFile', 'username', 'password', 'client-key', 'client-certificate-data', 'exec'), fc.jsonValue()) })),
          contexts: fc.array(fc.record({ name: fc.constantFrom('dev', 'x'), context: fc.record({ cluster: fc.jsonValue(), user: fc.jsonValue() }, { requiredKeys: [] }) })),
          'current-context': fc.oneof(fc.constantFrom('dev', 'x'), fc.jsonValue()),
        },
        { requiredKeys: [] },
      )
      .map((document) => stringify(document)),
  );
  fc.assert(
    fc.property(text, (document) => {
      try {
        parseKubeconfig(document, FILE);
        return true;
      } catch (error) {
        return error instanceof CourierError && error.grpcCode === status.FAILED_PRECONDITION && error.message.startsWith('the Kubernetes API is not configured: ');
      }
    }),
  );
  t.pass();
});
