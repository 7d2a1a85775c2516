// The driver conformance tier: Courier as a child process, mounted through the CSI driver's own Go client and writer.
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { fakePodToken } from '../helpers/pod-token.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessLoop, harnessMount, readSpc, type HarnessMountResult } from './helpers/driver-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const POD = { name: 'web-0', namespace: 'default', serviceAccount: 'web' };

test.before(async () => {
  await buildHarness();
});

/** A local store holding `files` (relative path → contents). */
async function makeStore(t: ExecutionContext, files: Readonly<Record<string, string | Buffer>>): Promise<string> {
  const root = await tempDir(t, 'courier-e2e-store-');
  for (const [path, contents] of Object.entries(files)) await writeStoreFile(root, path, contents);
  return root;
}

async function writeStoreFile(root: string, path: string, contents: string | Buffer): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), contents);
}

/** Attributes for a SecretProviderClass whose `objects` parameter is `objects`. */
function objectsAttributes(name: string, objects: string): Record<string, string> {
  return driverAttributes({ name, parameters: { objects } }, POD);
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Checks that the harness's listing is what is really on disk, and returns each file's contents. */
async function filesOnDisk(t: ExecutionContext, target: string, result: HarnessMountResult): Promise<Record<string, Buffer>> {
  const contents: Record<string, Buffer> = {};
  for (const file of result.files) {
    const data = await readFile(join(target, file.path));
    t.is(file.sha256, sha256(data), file.path);
    t.is(file.mode, ((await stat(join(target, file.path))).mode & 0o777).toString(8).padStart(4, '0'), file.path);
    contents[file.path] = data;
  }
  return contents;
}

test('mounts the demo SecretProviderClass through the driver’s own client and atomic writer', async (t) => {
  const courier = await startCourierProcess(t, { args: ['--local-store', join(EXAMPLES, 'local-store')] });
  const target = await tempDir(t, 'courier-e2e-target-');
  const spc = await readSpc(join(EXAMPLES, 'demo-spc.yaml'));

  const result = await harnessMount(courier, { attributes: driverAttributes(spc, POD), target });

  t.true(result.ok, result.error);
  t.deepEqual(
    result.files.map((file) => `${file.path} ${file.mode}`),
    ['api-key 0644', 'db/config.json 0400', 'db/password 0644', 'db/url 0644', 'log-level 0644'],
  );
  const files = await filesOnDisk(t, target, result);
  t.deepEqual(files['db/config.json'], await readFile(join(EXAMPLES, 'local-store/demo/db.json')));
  t.is(files['db/password']?.toString(), 'local-demo-password');
  t.is(files['db/url']?.toString(), 'db.internal:5432');
  t.is(files['api-key']?.toString(), 'demo-api-key-1234');
  t.is(files['log-level']?.toString(), 'level: debug\n');
  t.deepEqual(Object.keys(result.objectVersions).sort(), ['api-key', 'db/config.json', 'db/password', 'db/url', 'log-level']);
  t.is(result.objectVersions['db/password'], result.objectVersions['db/config.json']);
  t.is(await readlink(join(target, 'db')), '..data/db');
  t.true((await lstat(join(target, '..data'))).isSymbolicLink());
});

interface MountCase {
  readonly store: Readonly<Record<string, string | Buffer>>;
  readonly objects: string;
  readonly permission?: number;
  /** path → [mode, contents]. */
  readonly expected: Readonly<Record<string, readonly [string, string | Buffer]>>;
}

const mountsFiles = test.macro({
  async exec(t, spec: MountCase) {
    const store = await makeStore(t, spec.store);
    const courier = await startCourierProcess(t, { args: ['--local-store', store] });
    const target = await tempDir(t, 'courier-e2e-target-');

    const result = await harnessMount(courier, { attributes: objectsAttributes('case', spec.objects), target, ...(spec.permission === undefined ? {} : { permission: spec.permission }) });

    t.true(result.ok, result.error);
    t.deepEqual(result.files.map((file) => file.path), Object.keys(spec.expected).sort());
    const files = await filesOnDisk(t, target, result);
    for (const file of result.files) {
      const [mode, contents] = spec.expected[file.path] ?? ['', ''];
      t.is(file.mode, mode, file.path);
      t.deepEqual(files[file.path], Buffer.from(contents), file.path);
    }
  },
  title: (given) => `mounts ${given ?? ''} through the driver`,
});

test('nested paths with their own modes', mountsFiles, {
  store: { 'app/db.json': '{"user":"app"}', 'app/tls/key.pem': 'KEY' },
  objects: '- source: file:app/db.json\n  path: config/db/app.json\n  mode: "0600"\n- source: file:app/tls/key.pem\n  path: config/tls/private/key.pem\n  mode: 256\n',
  expected: { 'config/db/app.json': ['0600', '{"user":"app"}'], 'config/tls/private/key.pem': ['0400', 'KEY'] },
});

test('files at paths derived from their locators', mountsFiles, {
  store: { 'team/api/token': 't0ken', 'top.txt': 'top' },
  objects: '- source: file:team/api/token\n- source: file:top.txt\n',
  expected: { 'team/api/token': ['0644', 't0ken'], 'top.txt': ['0644', 'top'] },
});

test('the request permission as every file’s default mode', mountsFiles, {
  store: { 'a.txt': 'a', 'b.txt': 'b' },
  objects: '- source: file:a.txt\n- source: file:b.txt\n  mode: "0440"\n',
  permission: 0o600,
  expected: { 'a.txt': ['0600', 'a'], 'b.txt': ['0440', 'b'] },
});

test('extracted and decoded values, binary bytes intact', mountsFiles, {
  store: {
    'svc.json': '{"auth":{"user":"svc","pass":"p@ss"},"port":8443}',
    'bin.b64': Buffer.from([0, 1, 2, 0xfe, 0xff]).toString('base64'),
    'key.hex': 'deadbeef',
    'cfg.yaml': 'name: svc\nlimits:\n  cpu: 2\n',
  },
  objects: [
    '- source: file:svc.json\n  path: user\n  jmesPath: auth.user',
    '- source: file:svc.json\n  path: port\n  jsonKey: port',
    '- source: file:bin.b64\n  path: blob\n  encoding: base64',
    '- source: file:key.hex\n  path: key\n  encoding: hex',
    '- source: file:cfg.yaml\n  path: cfg/name\n  yamlKey: name',
    '- source: file:cfg.yaml\n  path: cfg/limits\n  yamlKey: limits\n',
  ].join('\n'),
  expected: {
    user: ['0644', 'svc'],
    port: ['0644', '8443'],
    blob: ['0644', Buffer.from([0, 1, 2, 0xfe, 0xff])],
    key: ['0644', Buffer.from([0xde, 0xad, 0xbe, 0xef])],
    'cfg/name': ['0644', 'svc'],
    'cfg/limits': ['0644', 'cpu: 2\n'],
  },
});

/** Mounts until `done` holds for the result (the store's watcher may take a moment to see a change). */
async function mountUntil(courier: CourierProcess, attributes: Record<string, string>, target: string, done: (result: HarnessMountResult) => boolean): Promise<HarnessMountResult> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const result = await harnessMount(courier, { attributes, target });
    if (done(result) || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a rotation rewrites changed files and the driver deletes the ones that left the set', async (t) => {
  const store = await makeStore(t, { 'app/password': 'first', 'app/feature-flag': 'on' });
  const courier = await startCourierProcess(t, { args: ['--local-store', store] });
  const target = await tempDir(t, 'courier-e2e-target-');
  const attributes = objectsAttributes('rotating', '- source: file:app/password\n  path: password\n- source: file:app/feature-flag\n  path: flags/feature\n  optional: true\n');
  const first = await harnessMount(courier, { attributes, target });
  t.deepEqual(first.files.map((file) => file.path), ['flags/feature', 'password']);

  await writeStoreFile(store, 'app/password', 'second');
  await unlink(join(store, 'app/feature-flag'));
  const second = await mountUntil(courier, attributes, target, (result) => result.files.length === 1);

  t.true(second.ok, second.error);
  t.deepEqual(second.files.map((file) => file.path), ['password']);
  t.is(await readFile(join(target, 'password'), 'utf8'), 'second');
  t.not(second.objectVersions['password'], first.objectVersions['password']);
  await t.throwsAsync(lstat(join(target, 'flags')), { code: 'ENOENT' });
});

interface BadCase {
  readonly objects: string;
  readonly grpcCode: string;
  readonly error: string;
}

const failsWithCouriersMessage = test.macro({
  async exec(t, spec: BadCase) {
    const store = await makeStore(t, { 'good.txt': 'good' });
    const courier = await startCourierProcess(t, { args: ['--local-store', store] });
    const target = await tempDir(t, 'courier-e2e-target-');
    const good = objectsAttributes('good', '- source: file:good.txt\n');
    t.true((await harnessMount(courier, { attributes: good, target })).ok);

    const bad = await harnessMount(courier, { attributes: objectsAttributes('bad', spec.objects), target });

    t.false(bad.ok);
    t.is(bad.errorCode, 'GRPCProviderError');
    t.is(bad.grpcCode, spec.grpcCode);
    t.is(bad.error, spec.error);
    t.deepEqual(bad.files.map((file) => file.path), ['good.txt'], 'the failed mount left the earlier files alone');
    const again = await harnessMount(courier, { attributes: good, target });
    t.true(again.ok, 'the server keeps serving after a bad SecretProviderClass');
  },
  title: (given) => `a SecretProviderClass with ${given ?? ''} fails with Courier’s message intact`,
});

test('a path that leaves the mount', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  path: ../escape\n',
  grpcCode: 'InvalidArgument',
  error: 'objects[0].path: "../escape" leaves the mount ("..")',
});

test('an unknown key', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  jsonkey: password\n',
  grpcCode: 'InvalidArgument',
  error: 'objects[0].jsonkey: unknown key; did you mean "jsonKey"?',
});

test('a missing secret', failsWithCouriersMessage, {
  objects: '- source: file:absent.txt\n',
  grpcCode: 'NotFound',
  error: 'objects[0]: local store has no file "absent.txt"',
});

test('an absolute path', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  path: /etc/passwd\n',
  grpcCode: 'InvalidArgument',
  error: 'objects[0].path: "/etc/passwd" is absolute; paths are relative to the mount',
});

test('two objects at one path', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  path: same\n- source: file:good.txt\n  path: same\n',
  grpcCode: 'InvalidArgument',
  error: 'objects[1].path: "same" is also the path of objects[0]',
});

test('a mode with more than permission bits', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  mode: "4755"\n',
  grpcCode: 'InvalidArgument',
  error: 'objects[0].mode: "4755" is not an octal file mode such as "0400"',
});

test('malformed YAML', failsWithCouriersMessage, {
  objects: '- source: file:good.txt\n  path: [unclosed\n',
  grpcCode: 'InvalidArgument',
  error: 'objects: is not valid YAML at line 3, column 1: BAD_INDENT',
});

test('tokens and secret values never reach Courier’s log', async (t) => {
  const courier = await startCourierProcess(t, { args: ['--local-store', join(EXAMPLES, 'local-store')] });
  const target = await tempDir(t, 'courier-e2e-target-');
  const token = fakePodToken({ namespace: POD.namespace, serviceAccount: POD.serviceAccount, audience: 'courier' });
  const spc = await readSpc(join(EXAMPLES, 'demo-spc.yaml'));

  const result = await harnessMount(courier, { attributes: driverAttributes(spc, POD, [{ audience: 'courier', token }]), secrets: { 'node-publish-key': 'publish-secret-value' }, target });

  t.true(result.ok, result.error);
  const mountLine = await courier.waitForLine((line) => line.json?.['msg'] === 'mount');
  t.like(mountLine.json, { outcome: 'ok', secretProviderClass: 'demo', pod: 'web-0', namespace: 'default' });
  const text = courier.lines().map((line) => line.text).join('\n');
  for (const secret of [token, token.split('.')[1] ?? token, 'publish-secret-value', 'local-demo-password', 'demo-api-key-1234']) t.false(text.includes(secret), secret);
});

test('keeps mounting over one long-lived driver client', async (t) => {
  const courier = await startCourierProcess(t, { args: ['--local-store', join(EXAMPLES, 'local-store')] });
  const target = await tempDir(t, 'courier-e2e-target-');
  const spc = await readSpc(join(EXAMPLES, 'demo-spc.yaml'));

  const result = await harnessLoop(courier, { attributes: driverAttributes(spc, POD), target, durationMs: 1_000, intervalMs: 20 });

  t.deepEqual(result.failureMessages, []);
  t.is(result.failures, 0);
  t.true(result.mounts >= 10, `${result.mounts} mounts`);
  t.true(result.longestGapMs < 1_000, `${result.longestGapMs} ms`);
  t.is(await readFile(join(target, 'db/password'), 'utf8'), 'local-demo-password');
});

test('stops on SIGTERM with exit code 0 and removes its socket', async (t) => {
  const courier = await startCourierProcess(t);
  t.true((await lstat(courier.socketPath)).isSocket());

  t.deepEqual(await courier.stop(), { code: 0, signal: null });
  await t.throwsAsync(lstat(courier.socketPath), { code: 'ENOENT' });
  t.truthy(courier.lines().find((line) => line.json?.['msg'] === 'stopped'));
});
