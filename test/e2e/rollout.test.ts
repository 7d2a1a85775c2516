import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test, { type ExecutionContext } from 'ava';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessLoop, harnessMount, type HarnessLoopResult } from './helpers/driver-harness.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// A DaemonSet update on one node, replayed with real processes: Mounts run continuously through the
// driver's own client (waitForReady, retries on UNAVAILABLE) while one Courier replaces another on the
// same socket path. The target is zero failed Mounts; the longest gap between successes is reported.

const STORE = fileURLToPath(new URL('../../examples/local-store/', import.meta.url));
const POD = { name: 'web-0', namespace: 'default', serviceAccount: 'web' };
const OBJECTS = '- source: file:demo/db.json\n  path: db.json\n- source: file:demo/app.yaml\n  path: app.yaml\n';
const LOOP = { durationMs: 6_000, intervalMs: 10 };

test.before(async () => {
  await buildHarness();
});

/** A Courier serving a local store (the example one by default) on `<socketDir>/courier.sock` (the last --socket-dir wins). */
function startOn(t: ExecutionContext, socketDir: string, store = STORE): Promise<CourierProcess> {
  return startCourierProcess(t, { args: ['--local-store', store, '--socket-dir', socketDir] });
}

/** Runs the driver's Mount loop against `socketDir` while `swap` replaces the Courier. */
async function loopDuring(t: ExecutionContext, socketDir: string, swap: () => Promise<void>): Promise<HarnessLoopResult> {
  const target = await tempDir(t, 'courier-rollout-target-');
  const attributes = driverAttributes({ name: 'rollout', parameters: { objects: OBJECTS } }, POD);
  const loop = harnessLoop({ socketDir, providerName: 'courier' }, { attributes, target, ...LOOP });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await swap();
  const result = await loop;
  t.log(`mounts ${result.mounts}, failed ${result.failures}, longest gap between successful Mounts ${result.longestGapMs} ms`);
  return result;
}

test('replacing Courier new-first, as a surge rollout does, fails no Mount', async (t) => {
  const socketDir = await tempDir(t, 'courier-rollout-');
  const old = await startOn(t, socketDir);
  let successor: CourierProcess | undefined;
  const result = await loopDuring(t, socketDir, async () => {
    successor = await startOn(t, socketDir);
    const exit = await old.stop('SIGTERM');
    t.deepEqual(exit, { code: 0, signal: null });
  });
  t.is(result.failures, 0, result.failureMessages.join('\n'));
  t.true(result.mounts > 50, `only ${result.mounts} Mounts ran`);
  t.true((await stat(join(socketDir, 'courier.sock'))).isSocket(), 'the old Courier left the new one\'s socket in place');
  t.true(old.lines().some((line) => line.json?.['msg'] === 'stopped'));
  t.truthy(successor);
  const after = await harnessMount({ socketDir, providerName: 'courier' }, { attributes: driverAttributes({ name: 'rollout', parameters: { objects: OBJECTS } }, POD), target: await tempDir(t, 'courier-rollout-after-') });
  t.true(after.ok, after.error);
});

test('replacing Courier old-first, as a delete-then-create rollout does, fails no Mount within the driver’s wait', async (t) => {
  const socketDir = await tempDir(t, 'courier-rollout-');
  const old = await startOn(t, socketDir);
  const downMs = 1_000;
  const result = await loopDuring(t, socketDir, async () => {
    const exit = await old.stop('SIGTERM');
    t.deepEqual(exit, { code: 0, signal: null });
    await t.throwsAsync(stat(join(socketDir, 'courier.sock')), { code: 'ENOENT' }, 'the stopped Courier removed its own socket');
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await startOn(t, socketDir);
  });
  t.is(result.failures, 0, result.failureMessages.join('\n'));
  // With no socket at all the driver's client waits for one (waitForReady): the gap is the downtime, not a failure.
  t.true(result.longestGapMs >= downMs, `gap ${result.longestGapMs} ms`);
});

test('a Mount in flight when the old Courier gets SIGTERM completes before it exits', async (t) => {
  // The store file is a FIFO: reading it blocks until the test writes, which holds the Mount in flight.
  const store = await tempDir(t, 'courier-rollout-store-');
  await mkdir(join(store, 'slow'));
  await promisify(execFile)('mkfifo', [join(store, 'slow', 'value')]);
  const socketDir = await tempDir(t, 'courier-rollout-');
  const old = await startOn(t, socketDir, store);
  const provider = { socketDir, providerName: 'courier' };
  const target = await tempDir(t, 'courier-rollout-slow-');
  const slow = harnessMount(provider, { attributes: driverAttributes({ name: 'slow', parameters: { objects: '- source: file:slow/value\n  path: value\n' } }, POD), target });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await startOn(t, socketDir, store);
  let exited = false;
  const stopping = old.stop('SIGTERM').then((exit) => {
    exited = true;
    return exit;
  });
  await old.waitForLine((line) => line.json?.['msg'] === 'stopping: draining in-flight mounts');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  t.false(exited, 'the old Courier waits for its in-flight Mount');
  await writeFile(join(store, 'slow', 'value'), 'released');
  const result = await slow;
  t.true(result.ok, result.error);
  t.is(await readFile(join(target, 'value'), 'utf8'), 'released');
  t.deepEqual(await stopping, { code: 0, signal: null });
  t.true(old.lines().some((line) => line.json?.['msg'] === 'mount' && line.json['outcome'] === 'ok' && line.json['secretProviderClass'] === 'slow'), 'the old Courier served it');
});

test('a successor that cannot start exits 1 and leaves the running Courier its socket', async (t) => {
  const socketDir = await tempDir(t, 'courier-rollout-');
  const old = await startOn(t, socketDir);
  const before = (await lstat(join(socketDir, 'courier.sock'))).ino;
  const healthPort = new URL(old.healthUrl).port;
  const result = await loopDuring(t, socketDir, async () => {
    // The successor's health port is taken (as with hostNetwork during a surge): it must fail before it
    // takes the socket over, not after.
    const main = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
    const child = spawn(process.execPath, [main, 'serve', '--socket-dir', socketDir, '--local-store', STORE, '--metrics-addr', 'off', '--health-addr', `127.0.0.1:${healthPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    t.is(code, 1, 'the successor exits instead of hanging half-started');
    t.regex(stderr, /^courier: .*EADDRINUSE/);
  });
  t.is(result.failures, 0, result.failureMessages.join('\n'));
  t.is((await lstat(join(socketDir, 'courier.sock'))).ino, before, 'the running Courier still owns the socket');
  t.is((await fetch(`${old.healthUrl}/readyz`)).status, 200);
});
