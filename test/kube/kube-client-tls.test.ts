import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import test, { type ExecutionContext } from 'ava';
import { stringify } from 'yaml';
import { CourierError, UnavailableError } from '../../src/errors/courier-error.ts';
import { createKubeClient } from '../../src/kube/kube-client.ts';
import { createServiceAccountReader } from '../../src/kube/service-account-reader.ts';
import type { FakeKubeTls } from '../fakes/kube-api-server.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';

// A kubeconfig's TLS settings and credentials, against the fake API server over HTTPS.

const b64 = (text: string) => Buffer.from(text).toString('base64');

interface Rig {
  readonly api: FakeKubeApi;
  readonly tls: FakeKubeTls;
  /** Writes a kubeconfig beside the fake's own (relative paths resolve there); returns its path. */
  kubeconfig(cluster: Record<string, unknown>, user: Record<string, unknown>): Promise<string>;
}

async function useTlsRig(t: ExecutionContext): Promise<Rig> {
  const api = await useFakeKubeApi(t, { tls: true });
  const tls = api.tls;
  if (!tls) throw new Error('the fake has no TLS material');
  await mkdir(join(api.dir, 'certs'));
  await writeFile(join(api.dir, 'certs', 'ca.crt'), tls.caPem);
  await writeFile(join(api.dir, 'certs', 'me.crt'), tls.clientCertificatePem);
  await writeFile(join(api.dir, 'certs', 'me.key'), tls.clientKeyPem);
  api.addServiceAccount('team-a', 'app', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' });
  let written = 0;
  return {
    api,
    tls,
    async kubeconfig(cluster, user) {
      const file = join(api.dir, `kubeconfig-${(written += 1)}.yaml`);
      await writeFile(file, stringify({ clusters: [{ name: 'c', cluster: { server: api.url, ...cluster } }], users: [{ name: 'u', user }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }], 'current-context': 'x' }));
      return file;
    },
  };
}

/** What the ServiceAccount read answers through a client of this kubeconfig: its annotation, or the error text. */
async function readThrough(kubeconfig: string): Promise<string> {
  return createServiceAccountReader(createKubeClient({ kubeconfig }))
    .annotations('team-a', 'app')
    .then(
      (annotations) => annotations['eks.amazonaws.com/role-arn'] ?? 'no annotation',
      (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
    );
}

const ROLE = 'arn:aws:iam::111122223333:role/app';

test('a relative certificate-authority and client certificate files authenticate over HTTPS', async (t) => {
  const rig = await useTlsRig(t);
  t.is(await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt' }, { 'client-certificate': 'certs/me.crt', 'client-key': './certs/me.key' })), ROLE);
  t.is(rig.api.requests.at(-1)?.authorization, '');
});

test('the -data forms work as the files do', async (t) => {
  const rig = await useTlsRig(t);
  t.is(await readThrough(await rig.kubeconfig({ 'certificate-authority-data': b64(rig.tls.caPem) }, { 'client-certificate-data': b64(rig.tls.clientCertificatePem), 'client-key-data': b64(rig.tls.clientKeyPem) })), ROLE);
});

test('a bearer token is sent over a verified connection', async (t) => {
  const rig = await useTlsRig(t);
  t.is(await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt' }, { token: rig.api.token })), ROLE);
  t.is(rig.api.requests.at(-1)?.authorization, `Bearer ${rig.api.token}`);
});

test('a server certificate the CA did not sign is refused', async (t) => {
  const rig = await useTlsRig(t);
  // The client certificate is no CA: the chain the server presents ends in a CA this client does not trust.
  const text = await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/me.crt' }, { token: rig.api.token }));
  t.is(text, 'UnavailableError: cannot reach the Kubernetes API to get serviceaccounts team-a/app: SELF_SIGNED_CERT_IN_CHAIN');
  t.is(rig.api.count(), 0);
});

test('insecure-skip-tls-verify accepts the certificate without a CA', async (t) => {
  const rig = await useTlsRig(t);
  t.regex(await readThrough(await rig.kubeconfig({}, { token: rig.api.token })), /: cannot reach the Kubernetes API to get serviceaccounts team-a\/app: SELF_SIGNED_CERT_IN_CHAIN$/);
  t.is(await readThrough(await rig.kubeconfig({ 'insecure-skip-tls-verify': true }, { token: rig.api.token })), ROLE);
});

test('tls-server-name is the name the server certificate is checked against', async (t) => {
  const rig = await useTlsRig(t);
  t.is(await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt', 'tls-server-name': 'kubernetes.default.svc' }, { token: rig.api.token })), ROLE);
  const text = await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt', 'tls-server-name': 'api.other.example' }, { token: rig.api.token }));
  t.is(text, 'UnavailableError: cannot reach the Kubernetes API to get serviceaccounts team-a/app: ERR_TLS_CERT_ALTNAME_INVALID');
});

test('username and password are sent as basic auth', async (t) => {
  const rig = await useTlsRig(t);
  // The fake, like API servers since 1.19, takes no basic auth: what matters is what was sent.
  const text = await readThrough(await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt' }, { username: 'admin', password: 'pw' }));
  t.is(text, 'UnavailableError: the Kubernetes API rejected courier\'s own credentials (401) on get serviceaccounts team-a/app');
  t.is(rig.api.requests.at(-1)?.authorization, `Basic ${b64('admin:pw')}`);
});

test('a file the kubeconfig names is read at check(), and a missing one is named with its field', async (t) => {
  const rig = await useTlsRig(t);
  const kubeconfig = await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt' }, { 'client-certificate': 'certs/me.crt', 'client-key': 'certs/missing.key' });
  const error = t.throws(() => createKubeClient({ kubeconfig }).check(), { instanceOf: CourierError });
  t.is(error.grpcCode, status.FAILED_PRECONDITION);
  t.is(error.message, `the Kubernetes API is not configured: --kubeconfig ${kubeconfig}: users[name=u].user.client-key: cannot read ${join(rig.api.dir, 'certs', 'missing.key')} (ENOENT)`);
});

test('a kubeconfig with an exec user fails on first use, naming the field', async (t) => {
  const rig = await useTlsRig(t);
  const kubeconfig = await rig.kubeconfig({ 'certificate-authority': 'certs/ca.crt' }, { exec: { command: 'gke-gcloud-auth-plugin' } });
  const error = await t.throwsAsync(createServiceAccountReader(createKubeClient({ kubeconfig })).annotations('team-a', 'app'), { instanceOf: CourierError });
  t.is(error.grpcCode, status.FAILED_PRECONDITION);
  t.is(error.message, `the Kubernetes API is not configured: --kubeconfig ${kubeconfig}: users[name=u].user.exec: exec credential plugins (gke-gcloud-auth-plugin) are not supported by courier; use a kubeconfig whose user has a token (kubectl create token), a tokenFile or a client certificate`);
  t.false(error instanceof UnavailableError);
});
