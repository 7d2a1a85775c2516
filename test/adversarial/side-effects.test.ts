import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';
import { useMirrorRig } from '../kube/mirror-helpers.ts';
import { driverAttributes, startTestCourier, tempDir } from '../server/courier-fixture.ts';

// A Mount that fails leaves no side effect: no mirror Secret written, no file written into the volume.

const MIRROR = '- {secretName: app-db, data: [{objectName: password, key: password}]}';

test('a Mount over the driver\'s 4 MiB limit fails before its mirror is written', async (t) => {
  const rig = await useMirrorRig(t);
  const big = 'x'.repeat(2_500_000);
  const { client } = await startTestCourier(t, {
    localFiles: { 'db/password': 'pw', 'blob/a': big, 'blob/b': big },
    mirror: rig.mirror,
    options: { budgets: { ...DEFAULT_BUDGETS, maxSecretBytes: 3_000_000, maxObjectBytes: 3_000_000, maxMountBytes: 8_000_000 } },
  });
  const objects = '- {source: "file:db/password", path: password}\n- {source: "file:blob/a"}\n- {source: "file:blob/b"}';
  const error = (await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects, mirror: MIRROR }) }))) as ServiceError | undefined;
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.regex(error?.details ?? '', /over the driver's 4 MiB response limit/);
  t.deepEqual(rig.api.requests, [], 'no Kubernetes API call was made');
});

test('with --write-files, a mirror that cannot be built fails the Mount before any file is written', async (t) => {
  const rig = await useMirrorRig(t);
  const target = join(await tempDir(t), 'volume');
  const { client } = await startTestCourier(t, { localFiles: { 'web/tls.pem': 'not a PEM' }, mirror: rig.mirror, options: { writeFiles: true } });
  const mirror = '- {secretName: web-tls, type: kubernetes.io/tls, data: [{objectName: tls.pem, key: tls.crt}, {objectName: tls.pem, key: tls.key}]}';
  const error = (await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects: '- {source: "file:web/tls.pem", path: tls.pem}', mirror }), targetPath: target }))) as ServiceError | undefined;
  t.is(error?.details, 'mirror[0].data[0].objectName: "tls.pem" holds no PEM CERTIFICATE block, which tls.crt of a kubernetes.io/tls Secret needs');
  await t.throwsAsync(readdir(target), { code: 'ENOENT' }, 'the volume was not touched');
  t.deepEqual(rig.api.requests, []);
});

test('with --write-files, the files are written before the mirror, and an unchanged republish writes neither', async (t) => {
  const rig = await useMirrorRig(t);
  const target = join(await tempDir(t), 'volume');
  const { client } = await startTestCourier(t, { localFiles: { 'db/password': 'pw' }, mirror: rig.mirror, options: { writeFiles: true } });
  const call = { attributes: driverAttributes({ objects: '- {source: "file:db/password", path: password}', mirror: MIRROR }), targetPath: target };
  await client.mount(call);
  const first = (await readdir(target)).filter((name) => name.startsWith('..2'));
  const calls = rig.api.requests.length;
  t.true(calls > 0);
  await client.mount(call);
  t.deepEqual((await readdir(target)).filter((name) => name.startsWith('..2')), first, 'the same timestamped directory');
  t.is(rig.api.requests.length, calls, 'no API call for an unchanged mirror');
});
