import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { lstat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectProvider } from '../helpers/provider-client.ts';
import { scriptedBackend, type ScriptedBackend } from '../helpers/scripted-backend.ts';
import { driverAttributes, objectsYaml, startTestCourier } from './courier-fixture.ts';

const SLOW_OBJECTS = objectsYaml(['{source: "scripted:app/db", path: db}', '{source: "scripted:app/api", path: api}']);

/** Polls until the backend has a fetch in flight, so a test acts while a Mount is inside the store. */
async function untilInFlight(backend: ScriptedBackend): Promise<void> {
  for (let tries = 0; tries < 200 && backend.inFlight() === 0; tries += 1) await sleep(10);
  if (backend.inFlight() === 0) throw new Error('no fetch started');
}

test('a Mount past its gRPC deadline fails with DEADLINE_EXCEEDED naming the pending objects', async (t) => {
  const backend = scriptedBackend({ latencyMs: 5_000, values: { 'app/db': 'a', 'app/api': 'b' } });
  const { client } = await startTestCourier(t, { backends: [['scripted', backend]] });
  // The server answers a tenth of the deadline early (200 ms here), so its message wins the race with the client's own timer.
  const error = await t.throwsAsync<ServiceError>(client.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) }, 2_000));
  t.is(error?.code, status.DEADLINE_EXCEEDED);
  t.is(error?.details, "the Mount's deadline passed with 2 object(s) still being fetched: objects[0], objects[1]");
});

test('Mounts with deadlines of any length succeed when the store is quick', async (t) => {
  const backend = scriptedBackend({ values: { 'app/db': 'a', 'app/api': 'b' } });
  const { client } = await startTestCourier(t, { backends: [['scripted', backend]] });
  // Odd deadlines make the server's early-answer margin a fraction of a millisecond.
  for (const deadlineMs of [5_003, 7_777, 9_999]) {
    const response = await client.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) }, deadlineMs);
    t.is(response.files.length, 2);
  }
});

test('a Mount without a deadline uses the configured mount timeout', async (t) => {
  const backend = scriptedBackend({ latencyMs: 5_000, values: { 'app/db': 'a', 'app/api': 'b' } });
  const { client } = await startTestCourier(t, { backends: [['scripted', backend]], options: { mountTimeoutMs: 300 } });
  const error = await t.throwsAsync<ServiceError>(client.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) }, 10_000));
  t.is(error?.code, status.DEADLINE_EXCEEDED);
  t.is(error?.details, "the Mount's deadline passed with 2 object(s) still being fetched: objects[0], objects[1]");
});

test('shutdown lets an in-flight Mount finish, refuses new connections, then removes the socket', async (t) => {
  const backend = scriptedBackend({ latencyMs: 700, values: { 'app/db': 'db-value', 'app/api': 'api-value' } });
  const { client, courier, socketPath, shutdown } = await startTestCourier(t, { backends: [['scripted', backend]] });
  const inFlight = client.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) });
  await untilInFlight(backend);
  const stopping = shutdown();
  t.false(await courier.ready());
  const late = connectProvider(socketPath);
  t.teardown(() => late.close());
  const refused = await t.throwsAsync<ServiceError>(late.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) }, 2_000));
  t.is(refused?.code, status.UNAVAILABLE);
  const response = await inFlight;
  t.deepEqual(response.files.map((file) => Buffer.from(file.contents).toString()), ['db-value', 'api-value']);
  await stopping;
  await t.throwsAsync(lstat(socketPath), { code: 'ENOENT' });
  t.true(backend.closed());
});

test('past the grace period in-flight Mounts answer UNAVAILABLE, which the driver retries, and shutdown completes', async (t) => {
  const backend = scriptedBackend({ latencyMs: 10_000, values: { 'app/db': 'a', 'app/api': 'b' } });
  const { client, shutdown, logLines } = await startTestCourier(t, { backends: [['scripted', backend]], options: { gracePeriodMs: 300 } });
  const inFlight = client.mount({ attributes: driverAttributes({ objects: SLOW_OBJECTS }) });
  await untilInFlight(backend);
  const started = Date.now();
  await shutdown();
  t.true(Date.now() - started < 3_000);
  const error = await t.throwsAsync<ServiceError>(inFlight);
  t.is(error?.code, status.UNAVAILABLE);
  t.is(error?.details, 'courier stopped before this Mount finished (its grace period is over); the driver retries it');
  t.true(logLines.some((line) => line.includes('"msg":"grace period over; cancelling in-flight mounts"')));
});
