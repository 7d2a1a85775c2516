import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessLoop, harnessMount, type HarnessLoopResult } from './helpers/driver-harness.ts';

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

async function tempDir(t: ExecutionContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A Courier serving the example local store on `<socketDir>/courier.sock` (the last --socket-dir wins). */
function startOn(t: ExecutionContext, socketDir: string): Promise<CourierProcess> {
  return startCourierProcess(t, { args: ['--local-store', STORE, '--socket-dir', socketDir] });
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
