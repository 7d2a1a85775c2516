import test from 'ava';
import { ExpiringMemo } from '../../src/identity/expiring-memo.ts';

function clock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

test('concurrent callers of one key share one load, and the value is kept until its deadline', async (t) => {
  const time = clock();
  const memo = new ExpiringMemo<string>(10, time.now);
  let loads = 0;
  const load = () => {
    loads += 1;
    return Promise.resolve({ value: `v${loads}`, until: time.now() + 100 });
  };
  t.deepEqual(await Promise.all([memo.get('k', load), memo.get('k', load)]), ['v1', 'v1']);
  t.is(memo.cached('k'), 'v1');
  time.advance(99);
  t.is(await memo.get('k', load), 'v1');
  time.advance(1);
  t.is(memo.cached('k'), undefined);
  t.is(await memo.get('k', load), 'v2');
  t.is(loads, 2);
});

test('a failed load is not remembered; the next caller loads again', async (t) => {
  const memo = new ExpiringMemo<string>(10);
  await t.throwsAsync(memo.get('k', () => Promise.reject(new Error('refused'))), { message: 'refused' });
  t.is(memo.size, 0);
  t.is(await memo.get('k', () => Promise.resolve({ value: 'ok', until: Date.now() + 1_000 })), 'ok');
});

test('a value whose deadline has already passed is handed to its callers but not kept', async (t) => {
  const time = clock();
  const memo = new ExpiringMemo<string>(10, time.now);
  t.is(await memo.get('k', () => Promise.resolve({ value: 'once', until: Number.NEGATIVE_INFINITY })), 'once');
  t.is(memo.size, 0);
});

test('when full, expired entries go first, then the oldest', async (t) => {
  const time = clock();
  const memo = new ExpiringMemo<string>(2, time.now);
  await memo.get('short', () => Promise.resolve({ value: 's', until: time.now() + 10 }));
  await memo.get('long', () => Promise.resolve({ value: 'l', until: time.now() + 1_000 }));
  time.advance(20);
  await memo.get('new', () => Promise.resolve({ value: 'n', until: time.now() + 1_000 }));
  t.is(memo.cached('long'), 'l');
  await memo.get('newer', () => Promise.resolve({ value: 'n2', until: time.now() + 1_000 }));
  t.is(memo.cached('long'), undefined);
  t.deepEqual([memo.cached('new'), memo.cached('newer'), memo.size], ['n', 'n2', 2]);
});

test('delete forgets a value, so the next caller loads afresh', async (t) => {
  const memo = new ExpiringMemo<string>(10);
  let loads = 0;
  const load = () => Promise.resolve({ value: `v${(loads += 1)}`, until: Date.now() + 60_000 });
  t.is(await memo.get('k', load), 'v1');
  memo.delete('k');
  t.is(memo.cached('k'), undefined);
  t.is(await memo.get('k', load), 'v2');
});

test('a caller does not join a load older than its budget, and later callers join the fresh one', async (t) => {
  const time = clock();
  const memo = new ExpiringMemo<string>(10, time.now);
  void memo.get('k', () => new Promise<never>(() => undefined));
  time.advance(5_000);
  const within = (promise: Promise<string>) => Promise.race([promise, new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 100))]);
  t.is(await within(memo.get('k', () => Promise.resolve({ value: 'unused', until: time.now() + 100 }), 10_000)), 'still waiting', 'a 5 s old load is within a 10 s budget: joined');
  t.is(await within(memo.get('k', () => Promise.resolve({ value: 'fresh', until: time.now() + 100 }), 1_000)), 'fresh', 'past a 1 s budget: a fresh load');
  t.is(await within(memo.get('k', () => Promise.resolve({ value: 'third', until: time.now() + 100 }), 1_000)), 'fresh', 'the fresh value is remembered');
});
