import test from 'ava';
import { parseListenAddress } from '../../src/server/http-endpoints.ts';
import { scriptedBackend } from '../helpers/scripted-backend.ts';
import { driverAttributes, objectsYaml, startTestCourier } from './courier-fixture.ts';

const ENDPOINTS = { metricsAddr: '127.0.0.1:0', healthAddr: '127.0.0.1:0' };

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

test('/healthz answers ok and /readyz ready while serving', async (t) => {
  const { courier } = await startTestCourier(t, { options: ENDPOINTS });
  t.deepEqual(await get(`${courier.healthUrl}/healthz`), { status: 200, body: 'ok\n' });
  t.deepEqual(await get(`${courier.healthUrl}/readyz`), { status: 200, body: 'ready\n' });
  t.deepEqual(await get(`${courier.healthUrl}/nothing`), { status: 404, body: 'not found\n' });
});

test('/readyz answers 503 once shutdown has started', async (t) => {
  const backend = scriptedBackend({ latencyMs: 600, values: { slow: 'x' } });
  const { courier, client, shutdown } = await startTestCourier(t, { backends: [['scripted', backend]], options: ENDPOINTS });
  const inFlight = client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "scripted:slow"}']) }) });
  while (backend.inFlight() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const stopping = shutdown();
  t.deepEqual(await get(`${courier.healthUrl}/readyz`), { status: 503, body: 'not ready\n' });
  t.deepEqual(await get(`${courier.healthUrl}/healthz`), { status: 200, body: 'ok\n' });
  await inFlight;
  await stopping;
});

test('one address serves health and metrics together', async (t) => {
  const probe = await startTestCourier(t, { options: { metricsAddr: '127.0.0.1:0', healthAddr: 'off' } });
  const port = new URL(probe.courier.metricsUrl ?? '').port;
  await probe.shutdown();
  const { courier } = await startTestCourier(t, { options: { metricsAddr: `127.0.0.1:${port}`, healthAddr: `127.0.0.1:${port}` } });
  t.is(courier.healthUrl, courier.metricsUrl);
  t.is((await get(`${courier.healthUrl}/readyz`)).status, 200);
  t.is((await get(`${courier.metricsUrl}/metrics`)).status, 200);
});

test('"off" disables an endpoint', async (t) => {
  const { courier } = await startTestCourier(t, { options: { metricsAddr: 'off', healthAddr: '' } });
  t.is(courier.metricsUrl, undefined);
  t.is(courier.healthUrl, undefined);
});

const rejectsAddress = test.macro({
  exec(t, text: string) {
    t.throws(() => parseListenAddress(text, '--metrics-addr'), { message: `--metrics-addr: "${text}" is not HOST:PORT (for example 127.0.0.1:9810, or "off")` });
  },
  title: (given, text: string) => given ?? `refuses the listen address ${JSON.stringify(text)}`,
});

test(rejectsAddress, '9810');
test(rejectsAddress, 'localhost:99999');
test(rejectsAddress, 'host:port');

test('parses listen addresses', (t) => {
  t.deepEqual(parseListenAddress(':9810', 'x'), { host: '0.0.0.0', port: 9810 });
  t.deepEqual(parseListenAddress('[::1]:9810', 'x'), { host: '::1', port: 9810 });
  t.deepEqual(parseListenAddress('127.0.0.1:0', 'x'), { host: '127.0.0.1', port: 0 });
});
