import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MountEvents, MountOutcome } from '../../src/kube/pod-events.ts';
import { scriptedBackend } from '../helpers/scripted-backend.ts';
import { driverAttributes, objectsYaml, startTestCourier } from '../server/courier-fixture.ts';

/** A recorder that only keeps what the provider service hands it. */
function recording(): MountEvents & { readonly outcomes: MountOutcome[] } {
  const outcomes: MountOutcome[] = [];
  return { outcomes, record: (outcome) => outcomes.push(outcome), settled: () => Promise.resolve() };
}

test('the service hands the recorder each Mount\'s pod, class, target path and outcome', async (t) => {
  const events = recording();
  const { client } = await startTestCourier(t, { localFiles: { 'app/db': 'x' }, events });
  await client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:app/db", path: db}']) }), targetPath: '/target/a' });
  await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:app/none", path: db}']) }), targetPath: '/target/a' }));
  t.like(events.outcomes, [
    { ok: true, secretProviderClass: 'test-spc', targetPath: '/target/a', pod: { name: 'app-0', namespace: 'team-a' } },
    { ok: false, secretProviderClass: 'test-spc', targetPath: '/target/a', pod: { name: 'app-0', namespace: 'team-a' } },
  ]);
  t.deepEqual(events.outcomes[0]?.ok === true ? events.outcomes[0].versions.map((version) => version.id) : [], ['db']);
  t.regex(events.outcomes[1]?.ok === false ? events.outcomes[1].message : '', /app\/none/);
});

test('a Mount cut off by shutdown is not recorded: the driver retries it on the successor', async (t) => {
  const events = recording();
  const backend = scriptedBackend({ latencyMs: 10_000, values: { 'app/db': 'a' } });
  const { client, shutdown } = await startTestCourier(t, { backends: [['scripted', backend]], events, options: { gracePeriodMs: 200 } });
  const inFlight = client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "scripted:app/db", path: db}']) }) });
  for (let tries = 0; tries < 200 && backend.inFlight() === 0; tries += 1) await sleep(10);
  await shutdown();
  await t.throwsAsync(inFlight, { message: /courier stopped before this Mount finished/ });
  t.deepEqual(events.outcomes, []);
});
