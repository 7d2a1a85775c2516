import test from 'ava';
import { createEventSeries, type SeriesDecision } from '../../src/kube/event-series.ts';

const MINUTE = 60_000;

/** Runs occurrences `[at, message]` through one pod-and-reason key; returns each decision's action (and count). */
function decisions(occurrences: ReadonlyArray<readonly [number, string]>, timing = {}): string[] {
  const series = createEventSeries(timing);
  let names = 0;
  return occurrences.map(([at, message]) => describe(series.decide('ns/uid/SecretMountFailed', message, at, () => `e${++names}`)));
}

function describe(decision: SeriesDecision): string {
  if (decision.action === 'create') return `create ${decision.name}`;
  if (decision.action === 'patch') return `patch ${decision.name} x${decision.count}`;
  return decision.action;
}

const decides = test.macro({
  exec(t, occurrences: ReadonlyArray<readonly [number, string]>, expected: readonly string[]) {
    t.deepEqual(decisions(occurrences), expected);
  },
  title: (title = '') => `series: ${title}`,
});

test('one a minute for 25 minutes: one create and two count updates', decides, Array.from({ length: 26 }, (_, minute) => [minute * MINUTE, 'm'] as const), [
  'create e1',
  ...Array.from({ length: 9 }, () => 'deduplicated'),
  'patch e1 x11',
  ...Array.from({ length: 9 }, () => 'deduplicated'),
  'patch e1 x21',
  ...Array.from({ length: 5 }, () => 'deduplicated'),
]);
test('a retry storm with changing messages writes once per 30 seconds', decides, [[0, 'a'], [1_000, 'b'], [2_000, 'c'], [30_000, 'd']], ['create e1', 'rate_limited', 'rate_limited', 'create e2']);
test('an event past 50 minutes is written anew instead of updated', decides, [[0, 'm'], [10 * MINUTE, 'm'], [50 * MINUTE, 'm']], ['create e1', 'patch e1 x2', 'create e2']);
test('keys are separate: another pod or reason is its own series', (t) => {
  const series = createEventSeries();
  t.is(series.decide('ns/a/SecretMountFailed', 'm', 0, () => 'a1').action, 'create');
  t.is(series.decide('ns/b/SecretMountFailed', 'm', 0, () => 'b1').action, 'create');
  t.is(series.decide('ns/a/SecretRotated', 'm', 0, () => 'a2').action, 'create');
  t.is(series.decide('ns/a/SecretMountFailed', 'm', 0, () => 'a3').action, 'deduplicated');
});
test('at most maxEntries keys are remembered, the oldest forgotten first', (t) => {
  const series = createEventSeries({ maxEntries: 2 });
  for (const key of ['a', 'b', 'c']) series.decide(key, 'm', 0, () => key);
  t.is(series.decide('a', 'm', 1, () => 'a again').action, 'create');
  t.is(series.decide('c', 'm', 1, () => 'c again').action, 'deduplicated');
});
test('a failed create is forgotten so the next occurrence tries again', (t) => {
  const series = createEventSeries();
  const first = series.decide('k', 'm', 0, () => 'e1');
  series.failed('k', first);
  t.deepEqual(series.decide('k', 'm', 1_000, () => 'e2'), { action: 'create', name: 'e2' });
});
