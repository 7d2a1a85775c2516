import { execFileSync, spawnSync } from 'node:child_process';
import { constants, lstat, mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { connectProvider } from '../helpers/provider-client.ts';
import { driverAttributes, objectsYaml, tempDir } from '../server/courier-fixture.ts';
import { buildDist, ROOT, startServe } from './run-cli.ts';

test.before(async () => {
  await buildDist();
});

/**
 * Waits until some process has the FIFO open for reading, i.e. a Mount is blocked reading it, and
 * returns the write end: the reader sees end-of-file only when the test closes it.
 */
async function untilReaderOpens(fifo: string): Promise<FileHandle> {
  for (let tries = 0; tries < 500; tries += 1) {
    // Opening a FIFO for writing without blocking fails with ENXIO while nobody reads it.
    const handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
    if (handle) return handle;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no reader opened the FIFO');
}

test('SIGTERM during a Mount lets it finish, then the process exits 0 and its socket is gone', async (t) => {
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  execFileSync('mkdir', ['-p', store]);
  // A FIFO in the local store: the Mount blocks reading it until the test writes, a Mount held in flight.
  execFileSync('mkfifo', [join(store, 'slow')]);
  const socketPath = join(dir, 'sockets', 'courier.sock');
  const server = await startServe(t, ['--metrics-addr', 'off', '--health-addr', 'off', '--grace-period', '10'], socketPath, { COURIER_SOCKET_DIR: join(dir, 'sockets'), COURIER_LOCAL_STORE: store });
  const client = connectProvider(socketPath);
  t.teardown(() => client.close());
  const mount = client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:slow", path: slow.txt}']) }) });
  const writer = await untilReaderOpens(join(store, 'slow'));
  server.child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(server.child.exitCode, null, `still draining the in-flight Mount:\n${server.output()}`);
  await writer.write('finally');
  await writer.close();
  const response = await mount;
  t.is(Buffer.from(response.files[0]?.contents ?? []).toString(), 'finally');
  t.is(await server.exited, 0);
  await t.throwsAsync(lstat(socketPath), { code: 'ENOENT' });
  t.regex(server.output(), /"msg":"stopping: draining in-flight mounts"/);
});

test('SIGINT with nothing in flight exits 0 at once and removes the socket', async (t) => {
  const dir = await tempDir(t);
  const socketPath = join(dir, 'courier.sock');
  const server = await startServe(t, ['--socket-dir', dir, '--metrics-addr', 'off', '--health-addr', 'off'], socketPath);
  server.child.kill('SIGINT');
  t.is(await server.exited, 0);
  await t.throwsAsync(lstat(socketPath), { code: 'ENOENT' });
});

test('serving Mounts never loads grpc-js, and the template engine only with the first class that may hold a template', async (t) => {
  const hook = fileURLToPath(new URL('fixtures/report-loads.mjs', import.meta.url));
  // The hook sees a load when there is one.
  const control = spawnSync(process.execPath, ['--import', hook, '-e', 'await import("@grpc/grpc-js"); await import("liquidjs")', '--input-type=module'], { cwd: ROOT, encoding: 'utf8' });
  t.regex(control.stderr, /^@grpc\/grpc-js loaded from /m);
  t.regex(control.stderr, /^liquidjs loaded from /m);
  const dir = await tempDir(t);
  const store = join(dir, 'store');
  await mkdir(store);
  await writeFile(join(store, 'db'), 'value');
  const socketPath = join(dir, 'courier.sock');
  // The stores the chart switches on, except gcp-sm, whose client library is built on grpc-js.
  const server = await startServe(t, ['--socket-dir', dir, '--local-store', store, '--metrics-addr', '127.0.0.1:0', '--health-addr', 'off', '--vault-addr', 'https://127.0.0.1:1'], socketPath, { NODE_OPTIONS: `--import=${hook}`, AWS_REGION: 'us-east-1' });
  const client = connectProvider(socketPath);
  t.teardown(() => client.close());
  const loads = () => server.output().split('\n').filter((line) => / loaded from /.test(line));
  const plain = await client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:db", path: db.txt}']) }) });
  t.is(Buffer.from(plain.files[0]?.contents ?? []).toString(), 'value');
  t.is((await client.version()).runtimeName, 'courier');
  // Past the preload of the AWS and Azure libraries (100 ms after the last Mount).
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  t.deepEqual(loads(), []);
  const rendered = await client.mount({ attributes: driverAttributes({ objects: ['- path: conf', '  template: "db={{ db }}"', '  inputs:', '    db: {source: file:db}'].join('\n') }) });
  t.is(Buffer.from(rendered.files[0]?.contents ?? []).toString(), 'db=value');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
  t.true(loads().length > 0 && loads().every((line) => line.startsWith('liquidjs loaded from ')), loads().join('\n'));
});

test('serve logs one JSON line saying where it serves', async (t) => {
  const dir = await tempDir(t);
  const socketPath = join(dir, 'x-1.sock');
  const server = await startServe(t, ['--socket-dir', dir, '--provider-name', 'x-1', '--metrics-addr', '127.0.0.1:0', '--health-addr', 'off'], socketPath);
  const client = connectProvider(socketPath);
  t.teardown(() => client.close());
  t.is((await client.version()).runtimeName, 'courier');
  server.child.kill('SIGTERM');
  t.is(await server.exited, 0);
  const serving = server.output().split('\n').find((line) => line.includes('"msg":"courier is serving"'));
  const fields = JSON.parse(serving ?? '{}') as Record<string, unknown>;
  t.deepEqual(fields['sockets'], [socketPath]);
  t.false((fields['stores'] as string[]).includes('file'), 'no local store without --local-store');
  t.is(fields['writeFiles'], false);
  t.regex(String(fields['metrics']), /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('serve refuses a provider name the driver would not accept', async (t) => {
  const dir = await tempDir(t);
  const server = startServe(t, ['--socket-dir', dir, '--provider-name', 'bad.name'], join(dir, 'bad.name.sock'));
  const error = await t.throwsAsync(server);
  t.regex(error?.message ?? '', /option '--provider-name <name>' argument 'bad.name' is invalid\. must match \^\[a-zA-Z0-9_-\]\{1,30\}\$ \(the driver's rule\)/);
});

test('serve refuses a --preload-stores value that names no store, listing the stores', async (t) => {
  const dir = await tempDir(t);
  const server = startServe(t, ['--socket-dir', dir, '--preload-stores', 'aws,s3'], join(dir, 'courier.sock'));
  const error = await t.throwsAsync(server);
  t.true((error?.message ?? '').includes(`option '--preload-stores <stores>' argument 'aws,s3' is invalid. "aws,s3" is not auto, all, none or a list of stores (file, aws, gcp, vault, azure)`), error?.message);
});
