import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dialectsOf } from '../../src/spc/plan.ts';
import { CATALOG } from '../helpers/catalog.ts';
import { driverAttributes, objectsYaml, startTestCourier } from './courier-fixture.ts';

const NATIVE_KEYS = dialectsOf(CATALOG).get('native')?.parameterKeys.join(', ') ?? '';
const pkg = createRequire(import.meta.url)('../../package.json') as { version: string };

const LOCAL_FILES = {
  'demo/db.json': '{"user":"app","password":"s3cr3t-db-pass","port":5432}',
  'demo/api-key': 'k-123456',
};

const GOOD_OBJECTS = objectsYaml(['{source: "file:demo/db.json", path: db/config.json, mode: "0400"}', '{source: "file:demo/db.json", path: db/password, jsonKey: password}', '{source: "file:demo/api-key"}']);

test('Version answers runtime_name courier and the package semver', async (t) => {
  const { client } = await startTestCourier(t);
  const version = await client.version();
  t.is(version.runtimeName, 'courier');
  t.is(version.runtimeVersion, pkg.version);
  t.regex(version.runtimeVersion, /^\d+\.\d+\.\d+/);
});

test('Mount returns every file with its mode and one object version per file', async (t) => {
  const { client } = await startTestCourier(t, { localFiles: LOCAL_FILES });
  const response = await client.mount({ attributes: driverAttributes({ objects: GOOD_OBJECTS }) });
  t.deepEqual(
    response.files.map((file) => [file.path, file.mode, Buffer.from(file.contents).toString()]),
    [
      ['db/config.json', 0o400, LOCAL_FILES['demo/db.json']],
      ['db/password', 0o644, 's3cr3t-db-pass'],
      ['demo/api-key', 0o644, 'k-123456'],
    ],
  );
  t.deepEqual(response.objectVersion.map((version) => version.id), ['db/config.json', 'db/password', 'demo/api-key']);
  t.regex(response.objectVersion[0]?.version ?? '', /^hmac-[0-9a-f]{16}$/);
  t.is(response.objectVersion[1]?.version, response.objectVersion[0]?.version);
  t.falsy(response.error?.code);
});

test('Mount uses the request permission as the default mode', async (t) => {
  const { client } = await startTestCourier(t, { localFiles: LOCAL_FILES });
  const response = await client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/api-key"}']) }), permission: '288' });
  t.is(response.files[0]?.mode, 0o440);
});

/** A bad SecretProviderClass: its objects parameter, and the exact status the driver gets. */
const rejectsSpc = test.macro({
  async exec(t, parameters: Record<string, string>, code: status, message: string) {
    const { client } = await startTestCourier(t, { localFiles: LOCAL_FILES });
    const good = { attributes: driverAttributes({ objects: GOOD_OBJECTS }) };
    // Interleave good Mounts with the bad one: a bad class must not disturb the server.
    const [before, bad, after] = await Promise.allSettled([client.mount(good), client.mount({ attributes: driverAttributes(parameters) }), client.mount(good)]);
    t.is(before.status, 'fulfilled');
    t.is(after.status, 'fulfilled');
    const error = (bad.status === 'rejected' ? bad.reason : undefined) as ServiceError | undefined;
    t.is(error?.code, code);
    t.is(error?.details, message);
    t.false(message.includes('\n'));
    const again = await client.mount(good);
    t.is(again.files.length, 3);
  },
  title: (given) => `fails with the field named and keeps serving: ${given ?? ''}`,
});

test('malformed YAML', rejectsSpc, { objects: '- source: [unclosed' }, status.INVALID_ARGUMENT, 'objects: is not valid YAML at line 1, column 20: BAD_INDENT');
test('an unknown key', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/api-key", Path: x}']) }, status.INVALID_ARGUMENT, 'objects[0].Path: unknown key; did you mean "path"?');
test('a path with ../', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/api-key", path: ../escape}']) }, status.INVALID_ARGUMENT, 'objects[0].path: "../escape" leaves the mount ("..")');
test('an absolute path', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/api-key", path: /etc/passwd}']) }, status.INVALID_ARGUMENT, 'objects[0].path: "/etc/passwd" is absolute; paths are relative to the mount');
test(
  'duplicate paths',
  rejectsSpc,
  { objects: objectsYaml(['{source: "file:demo/api-key", path: key}', '{source: "file:demo/db.json", path: key}']) },
  status.INVALID_ARGUMENT,
  'objects[1].path: "key" is also the path of objects[0]',
);
test('a bad mode', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/api-key", mode: "0999"}']) }, status.INVALID_ARGUMENT, 'objects[0].mode: "0999" is not an octal file mode such as "0400"');
test('a missing secret', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/nope"}']) }, status.NOT_FOUND, 'objects[0]: local store has no file "demo/nope"');
test('a missing JSON key', rejectsSpc, { objects: objectsYaml(['{source: "file:demo/db.json", jsonKey: nokey}']) }, status.NOT_FOUND, 'objects[0].jsonKey: key "nokey" is not in the secret');
test('an unknown parameter', rejectsSpc, { objects: GOOD_OBJECTS, region: 'eu' }, status.INVALID_ARGUMENT, `region: unknown parameter for the native dialect; expected ${NATIVE_KEYS}`);
test('no objects', rejectsSpc, {}, status.INVALID_ARGUMENT, 'objects: is required: a YAML list of objects, each with a "source" (or a "template")');

test('a store that is not enabled fails with a clear error', async (t) => {
  const { client } = await startTestCourier(t);
  const error = await t.throwsAsync<ServiceError>(client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/api-key"}']) }) }));
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.is(error?.details, 'objects[0].source: store "file" is not enabled on this Courier (start it with --local-store DIR)');
});

const rejectsRequest = test.macro({
  async exec(t, request: { attributes?: string; secrets?: string; permission?: string }, message: string) {
    const { client, courier } = await startTestCourier(t, { localFiles: LOCAL_FILES });
    const raw = await rawMount(courier.sockets[0]?.path ?? '', { attributes: request.attributes ?? JSON.stringify(driverAttributes({ objects: GOOD_OBJECTS })), secrets: request.secrets ?? 'null', targetPath: '/tmp/x', permission: request.permission ?? '420' });
    t.is(raw.code, status.INVALID_ARGUMENT);
    t.is(raw.details, message);
    t.is((await client.mount({ attributes: driverAttributes({ objects: GOOD_OBJECTS }) })).files.length, 3);
  },
  title: (given) => `refuses garbage in the request: ${given ?? ''}`,
});

test('attributes that are not JSON', rejectsRequest, { attributes: '{"objects": "- source' }, 'attributes: is not valid JSON');
test('attributes that are a list', rejectsRequest, { attributes: '["a"]' }, 'attributes: must be a JSON object of strings');
test('attributes with a number value', rejectsRequest, { attributes: '{"objects": 3}' }, 'attributes: key "objects" must have a string value');
test('empty attributes', rejectsRequest, { attributes: '' }, 'attributes: is empty; expected a JSON object of strings');
test('secrets that are not JSON', rejectsRequest, { secrets: 'tok-ABC' }, 'secrets: is not valid JSON');
test('a permission that is not decimal', rejectsRequest, { permission: '0x1a4' }, 'permission: "0x1a4" is not a decimal file mode');

test('a response over 4 MiB is refused with the limit named', async (t) => {
  const big = 'x'.repeat(1024 * 1024);
  const { client } = await startTestCourier(t, { localFiles: { 'big/a': big, 'big/b': big, 'big/c': big, 'big/d': big } });
  const objects = objectsYaml(['{source: "file:big/a"}', '{source: "file:big/b"}', '{source: "file:big/c"}', '{source: "file:big/d"}']);
  const error = await t.throwsAsync<ServiceError>(client.mount({ attributes: driverAttributes({ objects }) }));
  t.is(error?.code, status.INVALID_ARGUMENT);
  t.is(error?.details, "objects: the mount's files total 4194388 bytes, over the driver's 4 MiB response limit; split the SecretProviderClass or run courier with --write-files");
});

test('with --write-files the files land in target_path and the response carries none', async (t) => {
  const { client, dir } = await startTestCourier(t, { localFiles: LOCAL_FILES, options: { writeFiles: true } });
  const target = `${dir}/target`;
  const response = await client.mount({ attributes: driverAttributes({ objects: GOOD_OBJECTS }), targetPath: target });
  t.deepEqual(response.files, []);
  t.deepEqual(response.objectVersion.map((version) => version.id), ['db/config.json', 'db/password', 'demo/api-key']);
  t.is(await readFile(`${target}/db/password`, 'utf8'), 's3cr3t-db-pass');
  t.is(await readFile(`${target}/demo/api-key`, 'utf8'), 'k-123456');
  // The kubelet layout: top-level names are symlinks through ..data, which points at a timestamped directory.
  t.is(await readlink(`${target}/db`), '..data/db');
  t.regex(await readlink(`${target}/..data`), /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\./);
  const again = await client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/api-key", path: only}']) }), targetPath: target });
  t.deepEqual(again.files, []);
  // Files that left the set are gone, and so is the previous timestamped directory.
  const names = (await readdir(target)).sort();
  t.deepEqual(names.filter((name) => !name.startsWith('..')), ['only']);
  t.deepEqual(names.filter((name) => name.startsWith('..')), [await readlink(`${target}/..data`), '..data']);
});

interface RawStatus {
  code: number;
  details: string;
}

/** Sends a MountRequest with raw strings (the helper client always sends valid JSON). */
async function rawMount(socketPath: string, request: Record<string, string>): Promise<RawStatus> {
  const { loadProviderProto } = await import('../../src/server/proto-client.ts');
  const { credentials } = await import('@grpc/grpc-js');
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${socketPath}`, credentials.createInsecure()) as unknown as Record<string, (request: unknown, options: unknown, callback: (error: ServiceError | null) => void) => void> & { close(): void };
  try {
    return await new Promise<RawStatus>((resolve) => {
      client['Mount']?.({ ...request, currentObjectVersion: [] }, { deadline: Date.now() + 10_000 }, (error) => resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' }));
    });
  } finally {
    client.close();
  }
}
