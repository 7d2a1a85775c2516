import { stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { UnavailableError } from '../../src/errors/courier-error.ts';
import { createKubeClient, type KubeClient } from '../../src/kube/kube-client.ts';
import { inClusterTarget } from '../../src/kube/kube-target.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';

// The in-cluster configuration against the fake over HTTPS: kubelet's CA and projected token files,
// the token rotated under a running client.

interface Rig {
  readonly api: FakeKubeApi;
  readonly kube: KubeClient;
  readonly tokenFile: string;
  /** Moves the client's clock on. */
  advance(ms: number): void;
  /** Writes the token file; `keepMtime` puts its modification time back, so only the refresh interval can notice. */
  rotate(token: string, options?: { keepMtime?: boolean }): Promise<void>;
  /** The bearer tokens the fake received, in order. */
  sent(): string[];
  /** One call through the client. */
  call(): Promise<unknown>;
}

async function useInCluster(t: ExecutionContext): Promise<Rig> {
  const api = await useFakeKubeApi(t, { tls: true });
  const ca = join(api.dir, 'ca.crt');
  const tokenFile = join(api.dir, 'token');
  await writeFile(ca, api.tls?.caPem ?? '');
  await writeFile(tokenFile, 'token-1');
  // A whole-second mtime, which utimes can set back exactly (it takes milliseconds; stat reports finer).
  const written = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  await utimes(tokenFile, written, written);
  api.acceptTokens(['token-1']);
  let clock = 1_000_000;
  const kube = createKubeClient({ serviceHost: '127.0.0.1', servicePort: new URL(api.url).port, inClusterPaths: { token: tokenFile, ca }, now: () => clock });
  return {
    api,
    kube,
    tokenFile,
    advance(ms) {
      clock += ms;
    },
    async rotate(token, options = {}) {
      const before = await stat(tokenFile);
      await writeFile(tokenFile, token);
      // Seconds apart: a new mtime however coarse the file system's clock.
      const mtime = options.keepMtime ? before.mtime : new Date(before.mtimeMs + 5_000);
      await utimes(tokenFile, mtime, mtime);
    },
    sent: () => api.requests.map((request) => request.authorization.replace(/^Bearer /, '')),
    call: () => kube.request({ method: 'GET', path: '/version' }),
  };
}

test('in the cluster the CA and the projected token come from kubelet\'s files', async (t) => {
  const rig = await useInCluster(t);
  t.like(await rig.call(), { gitVersion: 'v1.33.0' });
  t.deepEqual(rig.sent(), ['token-1']);
});

test('a rotated token is sent as soon as the file\'s modification time changes', async (t) => {
  const rig = await useInCluster(t);
  await rig.call();
  await rig.rotate('token-2');
  rig.api.acceptTokens(['token-1', 'token-2']);
  await rig.call();
  t.deepEqual(rig.sent(), ['token-1', 'token-2']);
});

test('without a new modification time the file is read again once the refresh interval has passed', async (t) => {
  const rig = await useInCluster(t);
  await rig.call();
  await rig.rotate('token-2', { keepMtime: true });
  rig.api.acceptTokens(['token-1', 'token-2']);
  rig.advance(59_000);
  await rig.call();
  rig.advance(1_000);
  await rig.call();
  t.deepEqual(rig.sent(), ['token-1', 'token-1', 'token-2']);
});

test('a 401 reads the token file again and sends the call once more with the new token', async (t) => {
  const rig = await useInCluster(t);
  await rig.call();
  await rig.rotate('token-2', { keepMtime: true });
  rig.api.acceptTokens(['token-2']);
  t.like(await rig.call(), { gitVersion: 'v1.33.0' });
  t.deepEqual(rig.sent(), ['token-1', 'token-1', 'token-2']);
});

test('a 401 with nothing newer in the file fails without another try', async (t) => {
  const rig = await useInCluster(t);
  rig.api.acceptTokens(['someone-else']);
  const { createServiceAccountReader } = await import('../../src/kube/service-account-reader.ts');
  const error = await t.throwsAsync(createServiceAccountReader(rig.kube).annotations('team-a', 'app'), { instanceOf: UnavailableError });
  t.is(error.message, 'the Kubernetes API rejected courier\'s own credentials (401) on get serviceaccounts team-a/app');
  t.deepEqual(rig.sent(), ['token-1']);
});

test('a token file written with a trailing newline is sent without it', async (t) => {
  const rig = await useInCluster(t);
  await rig.rotate('token-1\n');
  await rig.call();
  t.deepEqual(rig.sent(), ['token-1']);
});

test('an empty token file fails the call, saying so', async (t) => {
  const rig = await useInCluster(t);
  await rig.rotate('');
  const error = await t.throwsAsync(rig.call());
  t.is(error.message, `the token file ${rig.tokenFile} is empty`);
  t.is(rig.api.count(), 0);
});

test('an IPv6 service host is bracketed in the server URL', (t) => {
  t.is(inClusterTarget('fd00::1', '443').server.href, 'https://[fd00::1]/');
  t.is(inClusterTarget('fd00::1', '6443').server.host, '[fd00::1]:6443');
  t.is(inClusterTarget('10.96.0.1', '443', { token: '/t', ca: '/c' }).server.href, 'https://10.96.0.1/');
});
