import test from 'ava';
import type { FetchResult } from '../../src/stores/backend.ts';
import { ConfigError, ThrottledError, UnavailableError } from '../../src/errors/courier-error.ts';
import { createStoreQueue } from '../../src/fetch/store-queue.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { fakeClock, settle } from './fake-clock.ts';
import { contextFor, gatedBackend, type GatedBackendOptions } from './gated-backend.ts';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 10_000 };
const request = (locator: string) => ({ locator, storeParams: {} });
const text = (result: FetchResult) => (result.ok ? Buffer.from(result.contents).toString('utf8') : result.error.message);

function queueWith(backendOptions: GatedBackendOptions, maxConcurrent = 2) {
  const backend = gatedBackend({ gated: true, ...backendOptions });
  const clock = fakeClock();
  const metrics = createMetrics();
  const queue = createStoreQueue({ backend, maxConcurrent, retry: policy, clock, random: () => 0.5, metrics });
  return { backend, clock, metrics, queue };
}

async function counter(metric: { get(): Promise<{ values: Array<{ labels: object; value: number }> }> }, labels: object): Promise<number> {
  const values = (await metric.get()).values;
  return values.find((entry) => JSON.stringify(entry.labels) === JSON.stringify(labels))?.value ?? 0;
}

test('no more than maxConcurrent store calls run at once; the rest wait in order', async (t) => {
  const { backend, queue, metrics } = queueWith({ maxBatchSize: 1 });
  const answers = ['a', 'b', 'c', 'd'].map((name) => queue.fetch(name, request(name), contextFor('ns', name)));
  await settle();
  t.deepEqual(backend.calls.map((call) => call.locators), [['a'], ['b']]);
  t.is(queue.depth(), 2);
  t.is(await counter(metrics.fetchQueueDepth, { store: 'scripted' }), 2);
  backend.calls[0]?.release();
  await settle();
  t.deepEqual(backend.calls.map((call) => call.locators), [['a'], ['b'], ['c']]);
  for (const call of backend.calls.slice(1)) call.release();
  await settle();
  backend.calls[3]?.release();
  t.deepEqual((await Promise.all(answers)).map(text), ['ns/a:a', 'ns/b:b', 'ns/c:c', 'ns/d:d']);
  t.is(queue.depth(), 0);
  t.is(await counter(metrics.fetchQueueDepth, { store: 'scripted' }), 0);
});

test('waiting requests of one identity go out together, up to the batch size, and identities take turns', async (t) => {
  const { backend, queue } = queueWith({ maxBatchSize: 3 }, 1);
  const answers = [
    queue.fetch('blocker', request('first'), contextFor('ns', 'blocker')),
    ...['x1', 'x2', 'x3', 'x4'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x'))),
    queue.fetch('ns/y', request('y1'), contextFor('ns', 'y')),
  ];
  await settle();
  backend.calls[0]?.release();
  await settle();
  backend.calls[1]?.release();
  await settle();
  backend.calls[2]?.release();
  await settle();
  backend.calls[3]?.release();
  await Promise.all(answers);
  // ns/y gets its turn before ns/x's fourth request: a busy identity goes to the back of the line.
  t.deepEqual(backend.calls.map((call) => call.locators), [['first'], ['x1', 'x2', 'x3'], ['y1'], ['x4']]);
});

test('a request leaves the queue when its Mount\'s deadline passes', async (t) => {
  const { backend, queue } = queueWith({ maxBatchSize: 1 }, 1);
  const deadline = new AbortController();
  const first = queue.fetch('a', request('a'), contextFor('ns', 'a'));
  const queued = queue.fetch('b', request('b'), contextFor('ns', 'b', deadline.signal));
  await settle();
  deadline.abort();
  await t.throwsAsync(queued, { message: 'the Mount\'s deadline passed while waiting for store "scripted"' });
  t.is(queue.depth(), 0);
  backend.calls[0]?.release();
  await first;
  await settle();
  t.is(backend.calls.length, 1);
});

test('a store call\'s signal aborts once no request in its batch is still wanted', async (t) => {
  const { backend, queue } = queueWith({ maxBatchSize: 2 }, 1);
  const a = new AbortController();
  const b = new AbortController();
  void queue.fetch('ns/x', request('x1'), contextFor('ns', 'x', a.signal)).catch(() => undefined);
  void queue.fetch('ns/x', request('x2'), contextFor('ns', 'x', b.signal)).catch(() => undefined);
  await settle();
  const signal = backend.calls[0]?.context.signal;
  a.abort();
  t.false(signal?.aborted);
  b.abort();
  t.true(signal?.aborted);
});

test('throttled requests are retried after a jittered, growing backoff until they succeed', async (t) => {
  let throttles = 2;
  const { backend, clock, queue, metrics } = queueWith({
    gated: false,
    answer: (req, context) => (throttles-- > 0 ? { ok: false, error: new ThrottledError('Rate exceeded') } : { ok: true, contents: Buffer.from(`${context.pod.serviceAccount}:${req.locator}`), version: 'v1' }),
  });
  const answer = queue.fetch('ns/a', request('a'), contextFor('ns', 'a'));
  await clock.advance(74);
  t.is(backend.calls.length, 1);
  await clock.advance(1);
  t.is(backend.calls.length, 2);
  await clock.advance(150);
  t.is(backend.calls.length, 3);
  t.is(text(await answer), 'a:a');
  t.deepEqual(clock.sleeps, [75, 150]);
  t.is(await counter(metrics.fetchRetries, { store: 'scripted', reason: 'throttled' }), 2);
  t.is(await counter(metrics.storeCalls, { store: 'scripted', operation: 'fetch', outcome: 'resource_exhausted' }), 2);
  t.is(await counter(metrics.storeCalls, { store: 'scripted', operation: 'fetch', outcome: 'ok' }), 1);
});

test('a Retry-After from the store sets the wait', async (t) => {
  let throttled = false;
  const { clock, queue } = queueWith({
    gated: false,
    answer: () => (throttled ? { ok: true, contents: Buffer.from('ok'), version: 'v1' } : ((throttled = true), { ok: false, error: new ThrottledError('429', { retryAfterMs: 3_000 }) })),
  });
  const answer = queue.fetch('ns/a', request('a'), contextFor('ns', 'a'));
  await clock.advance(3_000);
  t.is(text(await answer), 'ok');
  t.deepEqual(clock.sleeps, [3_000]);
});

test('only the requests that were throttled are asked again', async (t) => {
  let first = true;
  const { backend, clock, queue } = queueWith({
    gated: false,
    answer: (req) => (req.locator === 'slow' && first ? ((first = false), { ok: false, error: new UnavailableError('503') }) : { ok: true, contents: Buffer.from(req.locator), version: 'v1' }),
  });
  const answers = ['fine', 'slow'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x')));
  await clock.advance(1_000);
  t.deepEqual((await Promise.all(answers)).map(text), ['fine', 'slow']);
  t.deepEqual(backend.calls.map((call) => call.locators), [['fine', 'slow'], ['slow']]);
});

test('a thrown ThrottledError retries the whole batch', async (t) => {
  const { backend, clock, queue } = queueWith({ maxBatchSize: 2 });
  const answers = ['a', 'b'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x')));
  await settle();
  backend.calls[0]?.fail(new ThrottledError('slow down'));
  await clock.advance(75);
  backend.calls[1]?.release();
  t.deepEqual((await Promise.all(answers)).map(text), ['ns/x:a', 'ns/x:b']);
  t.deepEqual(backend.calls.map((call) => call.locators), [['a', 'b'], ['a', 'b']]);
});

test('a store that keeps throttling fails with RESOURCE_EXHAUSTED naming the store after maxAttempts', async (t) => {
  const { backend, clock, queue } = queueWith({ gated: false, answer: () => ({ ok: false, error: new ThrottledError('Rate exceeded') }) });
  const answer = queue.fetch('ns/a', request('a'), contextFor('ns', 'a'));
  await clock.advance(5_000);
  const result = await answer;
  t.is(text(result), 'store "scripted" kept throttling requests after 4 attempts: Rate exceeded');
  t.true(!result.ok && result.error instanceof ThrottledError);
  t.is(backend.calls.length, 4);
  t.deepEqual(clock.sleeps, [75, 150, 300]);
});

test('no retry is started past the retry budget', async (t) => {
  const { backend, clock, queue } = queueWith({ gated: false, answer: () => ({ ok: false, error: new ThrottledError('busy', { retryAfterMs: 20_000 }) }) });
  const result = await queue.fetch('ns/a', request('a'), contextFor('ns', 'a'));
  t.is(text(result), 'store "scripted" kept throttling requests after 1 attempts: busy');
  t.is(backend.calls.length, 1);
  t.is(clock.sleeping(), 0);
});

test('errors that are not throttling or unavailability are answered at once', async (t) => {
  const { backend, queue } = queueWith({ gated: false, answer: () => ({ ok: false, error: new ConfigError('no such key') }) });
  t.is(text(await queue.fetch('ns/a', request('a'), contextFor('ns', 'a'))), 'no such key');
  t.is(backend.calls.length, 1);
});

test('a Mount whose deadline passes during a retry wait stops waiting', async (t) => {
  const { backend, clock, queue } = queueWith({ gated: false, answer: () => ({ ok: false, error: new ThrottledError('busy', { retryAfterMs: 5_000 }) }) });
  const deadline = new AbortController();
  const answer = queue.fetch('ns/a', request('a'), contextFor('ns', 'a', deadline.signal));
  await settle();
  t.is(clock.sleeping(), 1);
  deadline.abort();
  await t.throwsAsync(answer, { message: 'the Mount\'s deadline passed while waiting for store "scripted"' });
  t.is(clock.sleeping(), 0);
  t.is(backend.calls.length, 1);
});

test('requests that arrive in one turn of the event loop go out as one batch', async (t) => {
  const { backend, queue } = queueWith({ gated: false, maxBatchSize: 10 }, 4);
  const answers = ['a', 'b', 'c'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x')));
  t.is(backend.calls.length, 0);
  await Promise.all(answers);
  t.deepEqual(backend.calls.map((call) => call.locators), [['a', 'b', 'c']]);
});

test('an unexpected error thrown by a store fails its requests without a retry', async (t) => {
  const { backend, queue, metrics } = queueWith({ maxBatchSize: 2 });
  const answers = ['a', 'b'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x')));
  await settle();
  backend.calls[0]?.fail(new TypeError('socket hang up'));
  for (const answer of answers) await t.throwsAsync(answer, { instanceOf: TypeError, message: 'socket hang up' });
  t.is(backend.calls.length, 1);
  t.is(await counter(metrics.storeCalls, { store: 'scripted', operation: 'fetch', outcome: 'internal' }), 1);
});

test('a store that answers fewer results than requests fails the batch', async (t) => {
  const { backend, queue } = queueWith({ maxBatchSize: 2 });
  const answers = ['a', 'b'].map((name) => queue.fetch('ns/x', request(name), contextFor('ns', 'x')));
  await settle();
  backend.calls[0]?.release([]);
  for (const answer of answers) await t.throwsAsync(answer, { message: 'store scripted answered 0 of 2 requests' });
});

test('one identity whose calls hang holds at most its share of the slots; others keep being served', async (t) => {
  const backend = gatedBackend({ gated: true, maxBatchSize: 1 });
  const queue = createStoreQueue({ backend, maxConcurrent: 4, maxPerIdentity: 2, retry: policy, clock: fakeClock(), random: () => 0.5, metrics: createMetrics() });
  const stuck = ['s1', 's2', 's3', 's4', 's5'].map((name) => queue.fetch('ns/stuck', request(name), contextFor('ns', 'stuck')));
  void stuck;
  await settle();
  t.deepEqual(backend.calls.map((call) => call.locators), [['s1'], ['s2']], 'the hanging identity got two of four slots');
  const others = ['o1', 'o2', 'o3'].map((name) => queue.fetch('ns/other', request(name), contextFor('ns', 'other')));
  await settle();
  t.deepEqual(backend.calls.slice(2).map((call) => call.locators), [['o1'], ['o2']]);
  backend.calls[2]?.release();
  await settle();
  t.deepEqual(backend.calls.slice(4).map((call) => call.locators), [['o3']], 'the freed slot went to the other identity, not to the stuck one');
  backend.calls[3]?.release();
  backend.calls[4]?.release();
  t.deepEqual((await Promise.all(others)).map(text), ['ns/other:o1', 'ns/other:o2', 'ns/other:o3']);
  t.is(queue.depth(), 3);
});
