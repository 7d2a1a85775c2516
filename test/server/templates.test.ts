import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { driverAttributes, startTestCourier } from './courier-fixture.ts';

// Template files through the real server: rendered from inputs of the same Mount, versioned by their inputs.

const FILES = { 'demo/db.json': '{"username":"scott","password":"tiger"}', 'demo/host': 'db.internal' };
const OBJECTS = [
  '- path: jdbc',
  '  template: "jdbc:oracle:thin:{{ db.username }}/{{ db.password }}@//{{ host }}:4464/app"',
  '  inputs:',
  '    db: {source: file:demo/db.json}',
  '    host: {source: file:demo/host}',
  '    extra: {source: file:demo/missing, optional: true}',
].join('\n');

test('renders a file from two inputs and versions it', async (t) => {
  const { client } = await startTestCourier(t, { localFiles: FILES });
  const response = await client.mount({ attributes: driverAttributes({ objects: OBJECTS }) });
  t.deepEqual(response.files.map((file) => [file.path, file.mode, Buffer.from(file.contents).toString()]), [['jdbc', 0o644, 'jdbc:oracle:thin:scott/tiger@//db.internal:4464/app']]);
  t.regex(response.objectVersion[0]?.version ?? '', /^hmac-[0-9a-f]{16}$/);
  const again = await client.mount({ attributes: driverAttributes({ objects: OBJECTS }) });
  t.is(again.objectVersion[0]?.version, response.objectVersion[0]?.version, 'unchanged inputs keep the version');
});

test('a changed input changes the version', async (t) => {
  const { client, storeDir } = await startTestCourier(t, { localFiles: FILES });
  const first = await client.mount({ attributes: driverAttributes({ objects: OBJECTS }) });
  await writeFile(join(storeDir, 'demo/host'), 'db2.internal');
  let second = first;
  for (let attempt = 0; attempt < 50 && Buffer.from(second.files[0]?.contents ?? []).toString() === Buffer.from(first.files[0]?.contents ?? []).toString(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    second = await client.mount({ attributes: driverAttributes({ objects: OBJECTS }) });
  }
  t.is(Buffer.from(second.files[0]?.contents ?? []).toString(), 'jdbc:oracle:thin:scott/tiger@//db2.internal:4464/app');
  t.not(second.objectVersion[0]?.version, first.objectVersion[0]?.version);
});

test('a missing key fails the Mount naming the object, line and key, never the value', async (t) => {
  const { client } = await startTestCourier(t, { localFiles: FILES });
  const objects = OBJECTS.replace('{{ db.password }}', '{{ db.passwrd }}');
  const error = (await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects }) }))) as ServiceError | undefined;
  t.is(error?.code, status.NOT_FOUND);
  t.regex(error?.details ?? '', /^objects\[0\]\.template: line 1, column \d+: input "db" has no key "passwrd"/);
  t.false(error?.details.includes('tiger') ?? true);
});

test('a missing input that is not optional fails the Mount naming the input', async (t) => {
  const { client } = await startTestCourier(t, { localFiles: FILES });
  const objects = OBJECTS.replace('file:demo/host}', 'file:demo/nohost}');
  const error = (await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects }) }))) as ServiceError | undefined;
  t.is(error?.code, status.NOT_FOUND);
  t.is(error?.details, 'objects[0].inputs.host: local store has no file "demo/nohost"');
});
