import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { PermissionError } from '../../src/errors/courier-error.ts';
import { startSharedCourier, tenantMount, tenantStore } from './tenant-rig.ts';

// One tenant's hung or denied store calls, and its bad tokens, cost the other tenant nothing.

const ok = (namespace: string) => tenantMount({ objects: '- {source: "tenant:ok", path: ok}' }, namespace);

test('a tenant whose store calls hang holds a few slots; another tenant on the same store keeps mounting', async (t) => {
  const store = tenantStore((request) => (request.locator === 'stuck' ? { hang: true } : { value: 'fine' }));
  const courier = await startSharedCourier(t, store, { maxConcurrentFetches: 16, maxConcurrentFetchesPerIdentity: 4, gracePeriodMs: 300 });
  // 20 Mounts of distinct stuck secrets with a long deadline: without a per-identity cap they would hold all 16 slots.
  const stuck = Array.from({ length: 20 }, (_, index) => courier.client.mount(tenantMount({ objects: `- {source: "tenant:stuck", path: s, version: "${index}"}` }, 'team-a'), 20_000).catch((error: ServiceError) => error));
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Each within its own 2 s deadline: with every slot held by the hung tenant, these would all expire.
  const others = await Promise.allSettled(Array.from({ length: 6 }, (_, index) => courier.client.mount(ok(`team-b${index}`), 2_000)));
  t.deepEqual(others.map((outcome) => (outcome.status === 'fulfilled' ? Buffer.from(outcome.value.files[0]?.contents ?? []).toString() : (outcome.reason as Error).message)), Array.from({ length: 6 }, () => 'fine'));
  await courier.shutdown();
  for (const outcome of await Promise.all(stuck)) t.not((outcome as ServiceError).code, status.OK);
});

test('a denied identity\'s retries are answered from the negative cache, not the store', async (t) => {
  const store = tenantStore((request) => (request.locator === 'denied' ? { error: { ok: false, error: new PermissionError('the role may not read "denied"') } } : { value: 'fine' }));
  const courier = await startSharedCourier(t, store);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const error = (await t.throwsAsync(courier.client.mount(tenantMount({ objects: '- {source: "tenant:denied", path: d}' }, 'team-a')))) as ServiceError | undefined;
    t.is(error?.details, 'objects[0]: the role may not read "denied"');
  }
  t.is(store.calls(), 1, 'ten Mounts, one store call');
  await courier.client.mount(ok('team-b'));
  t.is(store.calls(), 2, 'another identity is not affected');
});

const IN_AN_HOUR = Math.floor(Date.now() / 1000) + 3600;
const jwt = (header: object, claims: object) => `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
const claims = (extra: object) => ({ sub: 'system:serviceaccount:team-a:app', aud: ['tenant'], exp: IN_AN_HOUR, ...extra });

const refusesToken = test.macro(async (t, token: string, message: string) => {
  const store = tenantStore(() => ({ value: 'fine' }));
  const courier = await startSharedCourier(t, store);
  // A good Mount first: a value of this identity is now cached, and must still not be served.
  await courier.client.mount(ok('team-a'));
  const error = (await t.throwsAsync(courier.client.mount(tenantMount({ objects: '- {source: "tenant:ok", path: ok}' }, 'team-a', 'app', token)))) as ServiceError | undefined;
  t.is(error?.code, status.UNAUTHENTICATED);
  t.is(error?.details, `objects[0]: ${message}`);
  t.is(store.calls(), 1);
});
test('an expired token is refused even though its identity has a cached value', refusesToken, jwt({ alg: 'RS256' }, claims({ exp: 1_700_000_000 })), 'the token for audience "tenant" expired at 2023-11-14T22:13:20.000Z; kubelet sends a fresh one with the next Mount');
test('a token for another audience is refused', refusesToken, jwt({ alg: 'RS256' }, claims({ aud: ['vault'] })), 'the token sent for audience "tenant" is for "vault"; the driver must request it for "tenant"');
test('an unsigned token is refused', refusesToken, jwt({ alg: 'none' }, claims({})), 'the token for audience "tenant" is unsigned (alg "none"); Courier accepts only tokens the cluster signed');
