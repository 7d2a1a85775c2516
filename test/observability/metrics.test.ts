import test from 'ava';
import { driverAttributes, objectsYaml, startTestCourier } from '../server/courier-fixture.ts';

const LOCAL_FILES = { 'demo/db.json': '{"password":"pw"}', 'demo/key': 'k' };
const GOOD = objectsYaml(['{source: "file:demo/db.json", path: db.json}', '{source: "file:demo/db.json", path: password, jsonKey: password}', '{source: "file:demo/key"}']);

/** The sample lines of one metric family, without HELP/TYPE. */
function samples(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

test('/metrics counts Mounts by outcome and store requests by store, operation and outcome', async (t) => {
  const { client, courier } = await startTestCourier(t, { localFiles: LOCAL_FILES, options: { metricsAddr: '127.0.0.1:0', healthAddr: 'off' } });
  await client.mount({ attributes: driverAttributes({ objects: GOOD }) });
  await client.mount({ attributes: driverAttributes({ objects: GOOD }) });
  await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/missing"}']) }) }));
  await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:demo/key", mode: "x"}']) }) }));
  const response = await fetch(`${courier.metricsUrl}/metrics`);
  t.is(response.status, 200);
  t.regex(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  t.deepEqual(samples(text, 'courier_mounts_total'), ['courier_mounts_total{outcome="ok"} 2', 'courier_mounts_total{outcome="not_found"} 1', 'courier_mounts_total{outcome="invalid_argument"} 1']);
  // Two objects read the same file: one store request serves both.
  t.deepEqual(samples(text, 'courier_backend_requests_total'), [
    'courier_backend_requests_total{store="file",operation="fetch",outcome="ok"} 4',
    'courier_backend_requests_total{store="file",operation="fetch",outcome="not_found"} 1',
  ]);
  t.true(samples(text, 'courier_mount_duration_seconds_count').includes('courier_mount_duration_seconds_count{outcome="ok"} 2'));
});

test('metric labels carry no pod, secret or SecretProviderClass names', async (t) => {
  const { client, courier } = await startTestCourier(t, { localFiles: LOCAL_FILES, options: { metricsAddr: '127.0.0.1:0', healthAddr: 'off' } });
  await client.mount({ attributes: driverAttributes({ objects: GOOD }, { namespace: 'ns-unique-1', name: 'pod-unique-2' }) });
  const text = await (await fetch(`${courier.metricsUrl}/metrics`)).text();
  for (const word of ['ns-unique-1', 'pod-unique-2', 'test-spc', 'demo/db.json', 'password']) t.false(text.includes(word), word);
});
