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
