import { status } from '@grpc/grpc-js';
import test from 'ava';
import type { FetchResult } from '../../src/stores/backend.ts';
import { NotFoundError, ThrottledError } from '../../src/errors/courier-error.ts';
import { createScaledFetcher, type FetchLayerOptions } from '../../src/fetch/fetch-layer.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import type { ObjectSpec } from '../../src/spc/types.ts';
import { fakeClock, settle } from './fake-clock.ts';
import { contextFor, gatedBackend, valueFor, type GatedBackend, type GatedBackendOptions } from './gated-backend.ts';

function objects(...locators: string[]): ObjectSpec[] {
  return locators.map((locator, index) => ({ id: `objects[${index}]`, store: 'scripted', locator, storeParams: {}, path: `file-${index}`, mode: 0o644, encoding: 'utf-8', optional: false }));
}

function setup(t: { teardown(fn: () => void): void }, backendOptions: GatedBackendOptions = {}, options: Partial<FetchLayerOptions> = {}) {
  const backend = gatedBackend(backendOptions);
  const clock = fakeClock();
  const metrics = createMetrics();
  const fetcher = createScaledFetcher(new Map([['scripted', backend]]), metrics, { cacheTtlMs: 30_000, cacheMaxBytes: 1024 * 1024, maxConcurrentFetches: 4, clock, random: () => 0.5, ...options });
  t.teardown(() => fetcher.close());
  return { backend, clock, metrics, fetcher };
}

const texts = (results: ReadonlyMap<ObjectSpec, FetchResult>) => [...results.values()].map((result) => (result.ok ? Buffer.from(result.contents).toString('utf8') : result.error.message));

async function count(metrics: Metrics, name: 'cacheHits' | 'cacheMisses' | 'singleflightJoins'): Promise<number> {
  return (await metrics[name].get()).values.find((entry) => entry.labels.store === 'scripted')?.value ?? 0;
}

async function release(backend: GatedBackend, from = 0): Promise<void> {
  await settle();
  for (const call of backend.calls.slice(from)) call.release();
}

test('one Mount\'s objects for one identity go to the store in one batch', async (t) => {
  const { backend, fetcher } = setup(t);
  const results = await fetcher.fetchObjects(objects('a', 'b', 'c'), contextFor('team', 'app'));
  t.deepEqual(texts(results), ['team/app:a', 'team/app:b', 'team/app:c']);
  t.deepEqual(backend.calls.map((call) => call.locators), [['a', 'b', 'c']]);
});

test('concurrent Mounts of the same objects by one identity share one store call', async (t) => {
  const { backend, fetcher, metrics } = setup(t, { gated: true });
  const mounts = Array.from({ length: 20 }, () => fetcher.fetchObjects(objects('a', 'b'), contextFor('team', 'app')));
  await release(backend);
  for (const results of await Promise.all(mounts)) t.deepEqual(texts(results), ['team/app:a', 'team/app:b']);
  t.is(backend.calls.length, 1);
  t.is(await count(metrics, 'singleflightJoins'), 38);
});

test('a store error reaches every Mount that shared the call and is not cached', async (t) => {
  const { backend, fetcher } = setup(t, { answer: () => ({ ok: false, error: new NotFoundError('no secret "a"') }) });
  const [first, second] = await Promise.all([fetcher.fetchObjects(objects('a'), contextFor('team', 'app')), fetcher.fetchObjects(objects('a'), contextFor('team', 'app'))]);
  t.deepEqual([...texts(first), ...texts(second)], ['no secret "a"', 'no secret "a"']);
  t.is(backend.calls.length, 1);
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  t.is(backend.calls.length, 2);
});

test('a later Mount is answered from the cache until the TTL has passed', async (t) => {
  const { backend, clock, fetcher, metrics } = setup(t);
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  await clock.advance(29_999);
  t.deepEqual(texts(await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'))), ['team/app:a']);
  t.is(backend.calls.length, 1);
  t.is(await count(metrics, 'cacheHits'), 1);
  await clock.advance(1);
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  t.is(backend.calls.length, 2);
  t.is(await count(metrics, 'cacheMisses'), 2);
  t.true(((await metrics.cacheBytes.get()).values[0]?.value ?? 0) > 0);
});

test('a cache TTL of 0 sends every Mount to the store', async (t) => {
  const { backend, fetcher } = setup(t, {}, { cacheTtlMs: 0 });
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  t.is(backend.calls.length, 2);
});

test('the same secret name under two identities is fetched and cached separately', async (t) => {
  const { backend, fetcher } = setup(t);
  const first = await fetcher.fetchObjects(objects('db'), contextFor('team-a', 'app'));
  const second = await fetcher.fetchObjects(objects('db'), contextFor('team-b', 'app'));
  const again = await fetcher.fetchObjects(objects('db'), contextFor('team-a', 'app'));
  t.deepEqual([...texts(first), ...texts(second), ...texts(again)], ['team-a/app:db', 'team-b/app:db', 'team-a/app:db']);
  t.deepEqual(backend.calls.map((call) => call.context.pod.namespace), ['team-a', 'team-b']);
});

test('concurrent Mounts by two identities never share a store call', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true });
  const mounts = [fetcher.fetchObjects(objects('db'), contextFor('team-a', 'app')), fetcher.fetchObjects(objects('db'), contextFor('team-a', 'worker'))];
  await release(backend);
  const [a, b] = await Promise.all(mounts);
  t.deepEqual([...texts(a as ReadonlyMap<ObjectSpec, FetchResult>), ...texts(b as ReadonlyMap<ObjectSpec, FetchResult>)], ['team-a/app:db', 'team-a/worker:db']);
  t.is(backend.calls.length, 2);
});

test('an invalidation from the store drops its cached values at once', async (t) => {
  const { backend, fetcher } = setup(t);
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  backend.invalidate();
  t.is(fetcher.layer.cache.size, 0);
  await fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  t.is(backend.calls.length, 2);
});

test('a value fetched while the store invalidated is not cached', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true });
  const mount = fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  await settle();
  backend.invalidate();
  backend.calls[0]?.release();
  await mount;
  t.is(fetcher.layer.cache.size, 0);
});

test('a Mount whose deadline passes while queued fails naming the objects still pending', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true, maxBatchSize: 1 }, { maxConcurrentFetches: 1 });
  const blocker = fetcher.fetchObjects(objects('busy'), contextFor('team', 'other'));
  const deadline = new AbortController();
  const mount = fetcher.fetchObjects(objects('a', 'b'), contextFor('team', 'app', deadline.signal));
  await settle();
  t.is(fetcher.layer.cache.size, 0);
  deadline.abort();
  await t.throwsAsync(mount, { message: 'the Mount\'s deadline passed with 2 object(s) still being fetched: objects[0], objects[1]' });
  backend.calls[0]?.release();
  await blocker;
  await settle();
  t.deepEqual(backend.calls.map((call) => call.locators), [['busy']]);
});

test('a store call is aborted when the only Mount waiting for it passes its deadline', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true });
  const deadline = new AbortController();
  const mount = fetcher.fetchObjects(objects('a'), contextFor('team', 'app', deadline.signal));
  await settle();
  const signal = backend.calls[0]?.context.signal;
  t.false(signal?.aborted);
  deadline.abort();
  await t.throwsAsync(mount, { message: 'the Mount\'s deadline passed with 1 object(s) still being fetched: objects[0]' });
  t.true(signal?.aborted);
});

test('a store call goes on for the Mounts still waiting when one Mount gives up', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true });
  const deadline = new AbortController();
  const leaving = fetcher.fetchObjects(objects('a'), contextFor('team', 'app', deadline.signal));
  const staying = fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  await settle();
  deadline.abort();
  await t.throwsAsync(leaving);
  t.false(backend.calls[0]?.context.signal.aborted);
  backend.calls[0]?.release([valueFor({ locator: 'a', storeParams: {} }, contextFor('team', 'app'))]);
  t.deepEqual(texts(await staying), ['team/app:a']);
});

test('each store runs at most --max-concurrent-fetches calls at once', async (t) => {
  const { backend, fetcher } = setup(t, { gated: true }, { maxConcurrentFetches: 3 });
  const mounts = Array.from({ length: 8 }, (_, index) => fetcher.fetchObjects(objects('a'), contextFor('team', `app-${index}`)));
  let peak = 0;
  for (let round = 0; round < 4; round += 1) {
    await settle();
    peak = Math.max(peak, backend.active());
    for (const call of backend.calls) call.release();
  }
  await Promise.all(mounts);
  t.is(peak, 3);
  t.is(backend.calls.length, 8);
});

test('a store that keeps throttling answers RESOURCE_EXHAUSTED naming the store, and nothing is cached', async (t) => {
  const { backend, clock, fetcher, metrics } = setup(t, { answer: () => ({ ok: false, error: new ThrottledError('Rate exceeded', { retryAfterMs: 1_000 }) }) }, { retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 10_000 } });
  const mount = fetcher.fetchObjects(objects('a'), contextFor('team', 'app'));
  await clock.advance(2_000);
  const [result] = [...(await mount).values()];
  t.is(result?.ok === false ? result.error.grpcCode : undefined, status.RESOURCE_EXHAUSTED);
  t.deepEqual(texts(await mount), ['store "scripted" kept throttling requests after 3 attempts: Rate exceeded']);
  t.is(backend.calls.length, 3);
  t.is(fetcher.layer.cache.size, 0);
  t.is((await metrics.fetchRetries.get()).values.find((entry) => entry.labels.reason === 'throttled')?.value, 2);
});

test('a denial or a miss is given again for a few seconds without asking the store, per identity', async (t) => {
  const answer = (request: { locator: string }) => ({ ok: false as const, error: request.locator === 'gone' ? new NotFoundError('no such secret') : new ThrottledError('slow down') });
  const { backend, clock, fetcher, metrics } = setup(t, { answer }, { negativeCacheTtlMs: 5_000, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1 } });
  t.deepEqual(texts(await fetcher.fetchObjects(objects('gone'), contextFor('team', 'app'))), ['no such secret']);
  t.deepEqual(texts(await fetcher.fetchObjects(objects('gone'), contextFor('team', 'app'))), ['no such secret']);
  t.is(backend.calls.length, 1, 'the second Mount did not reach the store');
  t.is((await metrics.negativeCacheHits.get()).values.find((entry) => entry.labels.store === 'scripted')?.value, 1);
  await fetcher.fetchObjects(objects('gone'), contextFor('team', 'other'));
  t.is(backend.calls.length, 2, 'another identity asks the store itself');
  await clock.advance(5_001);
  await fetcher.fetchObjects(objects('gone'), contextFor('team', 'app'));
  t.is(backend.calls.length, 3, 'after the TTL the store is asked again');
  await fetcher.fetchObjects(objects('busy'), contextFor('team', 'app'));
  await fetcher.fetchObjects(objects('busy'), contextFor('team', 'app'));
  t.is(backend.calls.length, 5, 'throttling is never remembered');
});

test('every lookup of a batch is counted, though the metrics are updated once per kind and batch', async (t) => {
  const { backend, fetcher, metrics } = setup(t, { answer: (request) => (request.locator === 'missing' ? { ok: false, error: new NotFoundError('no secret "missing"') } : { ok: true, contents: Buffer.from(request.locator), version: 'v1' }) });
  await fetcher.fetchObjects(objects('a', 'b'), contextFor('team', 'app'));
  t.is(await count(metrics, 'cacheMisses'), 2);
  await fetcher.fetchObjects(objects('a', 'b', 'c', 'missing'), contextFor('team', 'app'));
  t.is(await count(metrics, 'cacheHits'), 2);
  t.is(await count(metrics, 'cacheMisses'), 4);
  t.is(backend.calls.length, 2);
  const requests = (await metrics.backendRequests.get()).values.filter((entry) => entry.labels.store === 'scripted').map((entry) => `${String(entry.labels.outcome)}=${entry.value}`).sort();
  t.deepEqual(requests, ['not_found=1', 'ok=5']);
});
