import test from 'ava';
import { mountSignal, timeoutFor } from '../../src/server/mount-signal.ts';

test('gives up a tenth of the remaining time early, at most a second', (t) => {
  const now = Date.now();
  t.true(Math.abs(timeoutFor(now + 5_000, 100_000) - 4_500) <= 20);
  t.true(Math.abs(timeoutFor(now + 60_000, 100_000) - 59_000) <= 20);
});

test('uses the fallback when the call has no deadline or a later one', (t) => {
  t.is(timeoutFor(Infinity, 100_000), 100_000);
  t.is(timeoutFor(0, 1_234.5), 1_234);
  t.true(timeoutFor(Date.now() + 500_000, 100_000) === 100_000);
});

test('never returns a negative or fractional timeout', (t) => {
  t.is(timeoutFor(Date.now() - 10, 100_000), 0);
  t.true(Number.isInteger(timeoutFor(Date.now() + 333.3, 100_000)));
});

test('fires at its deadline with a TimeoutError', async (t) => {
  const { signal, release } = mountSignal(Date.now() + 55, 100_000);
  t.teardown(release);
  await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  t.is((signal.reason as DOMException).name, 'TimeoutError');
});

test('fires when the server stops, with the stop reason', (t) => {
  const stop = new AbortController();
  const { signal, release } = mountSignal(Infinity, 100_000, stop.signal);
  t.teardown(release);
  t.false(signal.aborted);
  stop.abort(new Error('grace period over'));
  t.true(signal.aborted);
  t.is((signal.reason as Error).message, 'grace period over');
});

test('is aborted at once when the server has already stopped', (t) => {
  const stop = new AbortController();
  stop.abort(new Error('stopped'));
  const { signal, release } = mountSignal(Infinity, 100_000, stop.signal);
  t.teardown(release);
  t.true(signal.aborted);
});

test('after release neither the deadline nor a stop reaches the signal', async (t) => {
  const stop = new AbortController();
  const { signal, release } = mountSignal(Date.now() + 30, 100_000, stop.signal);
  release();
  await new Promise((resolve) => setTimeout(resolve, 60));
  stop.abort(new Error('stopped'));
  t.false(signal.aborted);
});
