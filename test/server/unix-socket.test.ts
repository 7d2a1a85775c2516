import { execFileSync } from 'node:child_process';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS, type ServeOptions } from '../../src/server/options.ts';
import { startTestCourier, tempDir } from './courier-fixture.ts';

function optionsFor(socketDir: string): ServeOptions {
  return { ...DEFAULT_SERVE_OPTIONS, socketDir, metricsAddr: 'off', healthAddr: 'off' };
}

function parts() {
  return { logger: createLogger('silent'), metrics: createMetrics(), backends: new Map() };
}

test('the socket is owner-only (mode 0600)', async (t) => {
  const { socketPath } = await startTestCourier(t);
  const stats = await lstat(socketPath);
  t.true(stats.isSocket());
  t.is(stats.mode & 0o777, 0o600);
});

test('a stale socket left by a dead process is replaced', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'courier.sock');
  // Python binds and exits without unlinking: exactly what a killed provider leaves behind.
  execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path]);
  const stale = await lstat(path);
  t.true(stale.isSocket());
  const courier = await startCourier(optionsFor(dir), parts());
  t.teardown(() => courier.shutdown());
  t.not((await lstat(path)).ino, stale.ino);
  t.true(await courier.ready());
});

test('a file that is not a socket at the path refuses to start and is left alone', async (t) => {
  const dir = await tempDir(t);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'courier.sock');
  await writeFile(path, 'important');
  const error = await t.throwsAsync(startCourier(optionsFor(dir), parts()));
  t.is(error?.message, `${path} exists and is not a socket; refusing to replace it`);
  t.true((await lstat(path)).isFile());
});

test('shutdown removes our socket', async (t) => {
  const { socketPath, shutdown } = await startTestCourier(t);
  await shutdown();
  await t.throwsAsync(lstat(socketPath), { code: 'ENOENT' });
});

test('shutdown leaves alone a file that replaced our socket', async (t) => {
  const { socketPath, shutdown, courier } = await startTestCourier(t);
  await writeFile(`${socketPath}.other`, 'successor');
  execFileSync('mv', [`${socketPath}.other`, socketPath]);
  t.false(await courier.ready());
  await shutdown();
  t.true((await lstat(socketPath)).isFile());
});

test('the socket is served under the provider name given', async (t) => {
  const { courier, dir } = await startTestCourier(t, { options: { providerName: 'courier-b' } });
  t.is(courier.sockets[0]?.path, join(dir, 'sockets', 'courier-b.sock'));
  t.true(await courier.ready());
});

/** A provider that is not Courier, serving the driver's contract on `path`. */
async function otherProvider(t: { teardown(fn: () => void): void }, path: string, runtimeName: string): Promise<void> {
  const { Server, ServerCredentials } = await import('@grpc/grpc-js');
  const { loadProviderProto } = await import('../../src/server/proto-client.ts');
  const server = new Server();
  server.addService(loadProviderProto().service, {
    Version: (_call: unknown, callback: (error: null, value: object) => void) => callback(null, { version: 'v1alpha1', runtimeName, runtimeVersion: '1.2.3' }),
    Mount: (_call: unknown, callback: (error: Error) => void) => callback(new Error('not here')),
  });
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${path}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve())));
  t.teardown(() => server.forceShutdown());
}

test('another provider\'s socket is never replaced', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'aws.sock');
  await otherProvider(t, path, 'secrets-store-csi-driver-provider-aws');
  const before = await lstat(path);
  const error = await t.throwsAsync(startCourier({ ...optionsFor(dir), compat: ['aws'] }, parts()));
  t.is(error?.message, `${path} is served by secrets-store-csi-driver-provider-aws 1.2.3, not Courier; refusing to replace another provider's socket (choose another --provider-name or --compat, or stop that provider first)`);
  t.is((await lstat(path)).ino, before.ino);
  await t.throwsAsync(lstat(join(dir, 'courier.sock')), { code: 'ENOENT' }, 'nothing was taken over');
});

test('a running Courier\'s socket is taken over (a rollout)', async (t) => {
  const dir = await tempDir(t);
  const first = await startCourier(optionsFor(dir), parts());
  const second = await startCourier(optionsFor(dir), parts());
  t.teardown(() => second.shutdown());
  t.false(await first.ready());
  t.true(await second.ready());
  await first.shutdown();
  t.true(await second.ready(), 'the old one leaves the new one\'s socket alone');
});
