import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { mountCommand } from '../../src/cli/mount-command.ts';
import { useFakeKubeApi } from '../fakes/kube-api.ts';
import { b64 } from './mirror-helpers.ts';

const MANIFEST = `apiVersion: secrets-store.csi.x-k8s.io/v1
kind: SecretProviderClass
metadata: {name: app, namespace: team-a}
spec:
  provider: courier
  parameters:
    objects: |
      - {source: "file:db/password", path: password}
    mirror: |
      - {secretName: app-db, data: [{objectName: password, key: password}]}
`;

async function workspace(t: ExecutionContext): Promise<{ spc: string; store: string; target: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-mount-mirror-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'store', 'db'), { recursive: true });
  await writeFile(join(dir, 'store', 'db', 'password'), 'pw-cli');
  await writeFile(join(dir, 'spc.yaml'), MANIFEST);
  return { spc: join(dir, 'spc.yaml'), store: join(dir, 'store'), target: join(dir, 'target') };
}

test.serial('courier mount --mirror writes the files and the mirror Secret, without an owner', async (t) => {
  const api = await useFakeKubeApi(t);
  const { spc, store, target } = await workspace(t);
  const code = await mountCommand({ spc, target, stores: { file: { dir: store } }, kubeconfig: api.kubeconfig, mirror: true, podName: 'debug', serviceAccount: 'default', permission: '0644' });
  t.is(code, 0);
  t.is(await readFile(join(target, 'password'), 'utf8'), 'pw-cli');
  const secret = api.secret('team-a', 'app-db');
  t.deepEqual(secret?.data, { password: b64('pw-cli') });
  t.is(secret?.metadata?.ownerReferences, undefined);
});

test.serial('courier mount without --mirror checks the mirror but writes no Secret', async (t) => {
  const api = await useFakeKubeApi(t);
  const { spc, store, target } = await workspace(t);
  const code = await mountCommand({ spc, target, stores: { file: { dir: store } }, kubeconfig: api.kubeconfig, podName: 'debug', serviceAccount: 'default', permission: '0644' });
  t.is(code, 0);
  t.is(api.requests.length, 0);
});
