import test from 'ava';
import { systemClock, whenAllAborted } from '../../src/fetch/clock.ts';

test('the system clock sleeps for the time asked', async (t) => {
  const clock = systemClock();
  const before = clock.now();
  await clock.sleep(20, new AbortController().signal);
  t.true(clock.now() - before >= 19);
});

test('a sleep ends with the signal\'s reason as soon as the signal aborts', async (t) => {
  const controller = new AbortController();
  const sleeping = systemClock().sleep(60_000, controller.signal);
  controller.abort(new Error('deadline'));
  await t.throwsAsync(sleeping, { message: 'deadline' });
});

test('a sleep on an aborted signal ends at once', async (t) => {
  await t.throwsAsync(systemClock().sleep(60_000, AbortSignal.abort(new Error('gone'))), { message: 'gone' });
});

test('whenAllAborted fires only after every signal has aborted', (t) => {
  const a = new AbortController();
  const b = new AbortController();
  const all = whenAllAborted([a.signal, b.signal, AbortSignal.abort()]);
  a.abort();
  t.false(all.aborted);
  b.abort();
  t.true(all.aborted);
});
