import test from 'ava';
import { SingleFlight } from '../../src/fetch/single-flight.ts';
import { settle } from './fake-clock.ts';

/** A call the test settles by hand, recording the signal it was started with. */
function manualCall<T>() {
  const started: AbortSignal[] = [];
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const start = (signal: AbortSignal) => {
    started.push(signal);
    return new Promise<T>((yes, no) => {
      resolve = yes;
      reject = no;
    });
  };
  return { start, started, resolve: (value: T) => resolve(value), reject: (error: unknown) => reject(error) };
}

const live = () => new AbortController().signal;

test('concurrent callers of one key share one call and its answer', async (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  const first = flights.run('k', live(), call.start);
  const second = flights.run('k', live(), call.start);
  t.false(first.joined);
  t.true(second.joined);
  t.is(call.started.length, 1);
  call.resolve('value');
  t.deepEqual(await Promise.all([first.result, second.result]), ['value', 'value']);
});

test('different keys get different calls', (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  flights.run('a', live(), call.start);
  flights.run('b', live(), call.start);
  t.is(call.started.length, 2);
  t.is(flights.size, 2);
});

test('a failed call fails every caller with the same error', async (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  const first = flights.run('k', live(), call.start);
  const second = flights.run('k', live(), call.start);
  const error = new Error('store down');
  call.reject(error);
  t.is(await t.throwsAsync(first.result), error);
  t.is(await t.throwsAsync(second.result), error);
});

test('a settled call is forgotten, so the next caller starts a new one', async (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  const first = flights.run('k', live(), call.start);
  call.resolve('old');
  await first.result;
  const second = flights.run('k', live(), call.start);
  t.false(second.joined);
  t.is(call.started.length, 2);
});

test('one caller leaving does not cancel the call the others still wait for', async (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  const leaving = new AbortController();
  const first = flights.run('k', leaving.signal, call.start);
  const second = flights.run('k', live(), call.start);
  leaving.abort(new Error('deadline'));
  await t.throwsAsync(first.result, { message: 'deadline' });
  t.false(call.started[0]?.aborted);
  call.resolve('value');
  t.is(await second.result, 'value');
});

test('the call is aborted once every caller has left, and the next caller starts afresh', async (t) => {
  const flights = new SingleFlight<string>();
  const call = manualCall<string>();
  const a = new AbortController();
  const b = new AbortController();
  const first = flights.run('k', a.signal, call.start);
  const second = flights.run('k', b.signal, call.start);
  a.abort(new Error('deadline a'));
  b.abort(new Error('deadline b'));
  await t.throwsAsync(first.result, { message: 'deadline a' });
  await t.throwsAsync(second.result, { message: 'deadline b' });
  t.true(call.started[0]?.aborted);
  t.false(flights.run('k', live(), call.start).joined);
});

test('forget makes new callers start a new call while earlier callers keep theirs', async (t) => {
  const flights = new SingleFlight<string>();
  const old = manualCall<string>();
  const earlier = flights.run('k', live(), old.start);
  flights.forget();
  const fresh = manualCall<string>();
  const later = flights.run('k', live(), fresh.start);
  t.false(later.joined);
  old.resolve('stale');
  fresh.resolve('fresh');
  await settle();
  t.is(await earlier.result, 'stale');
  t.is(await later.result, 'fresh');
});

test('a caller does not join a call older than the join age; later callers join the fresh one', async (t) => {
  let now = 0;
  const flights = new SingleFlight<string>({ maxJoinAgeMs: 1_000, now: () => now });
  const signal = new AbortController().signal;
  const hung = flights.run('k', signal, () => new Promise<string>(() => undefined));
  void hung.result;
  now = 500;
  t.true(flights.run('k', signal, () => Promise.resolve('unused')).joined, 'young enough to join');
  now = 1_500;
  const fresh = flights.run('k', signal, () => Promise.resolve('fresh'));
  t.false(fresh.joined);
  t.is(await fresh.result, 'fresh');
});
