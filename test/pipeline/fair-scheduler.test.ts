/** The fair scheduler: the tenant that has used the least CPU lately goes first; busy tenants share equally; idleness earns no lasting credit. */
import test from 'ava';
import { createFairScheduler, runFor } from '../../src/pipeline/fair-scheduler.ts';

/** A scheduler on a fake clock that only slices advance, and a log of which tenant ran. */
function fixture() {
  let time = 0;
  const ran: string[] = [];
  const scheduler = createFairScheduler({ now: () => time });
  const slice = (tenant: string, costMs: number) =>
    scheduler.run(tenant, () => {
      time += costMs;
      ran.push(tenant);
      return tenant;
    });
  return { scheduler, ran, slice, advance: (ms: number) => (time += ms) };
}

test('a slice runs and its result is returned', async (t) => {
  const { slice } = fixture();
  t.is(await slice('a', 1), 'a');
});

test('two tenants that both want the whole thread get equal shares', async (t) => {
  const { slice, ran } = fixture();
  const all = [...Array.from({ length: 50 }, () => slice('heavy-a', 1)), ...Array.from({ length: 50 }, () => slice('heavy-b', 1))];
  await Promise.all(all);
  const firstHalf = ran.slice(0, 50);
  const a = firstHalf.filter((tenant) => tenant === 'heavy-a').length;
  t.true(a >= 24 && a <= 26, `${a} of the first 50 slices were heavy-a's`);
});

test('a tenant with cheap slices goes ahead of one whose slices are costly', async (t) => {
  const { slice, ran } = fixture();
  // The costly tenant queues first; each of its slices costs ten of the cheap one's.
  const all = [...Array.from({ length: 5 }, () => slice('costly', 10)), ...Array.from({ length: 20 }, () => slice('cheap', 1))];
  await Promise.all(all);
  // After one costly slice the cheap tenant runs ten slices before the costly one runs again.
  const second = ran.indexOf('costly', ran.indexOf('costly') + 1);
  t.true(ran.slice(0, second).filter((tenant) => tenant === 'cheap').length >= 9, ran.join(' '));
});

test('a tenant using less than its share always goes first', async (t) => {
  const { slice, ran, advance } = fixture();
  // A busy tenant runs alone for a while, then a light one arrives with one slice at a time.
  await Promise.all(Array.from({ length: 20 }, () => slice('busy', 5)));
  ran.length = 0;
  for (let round = 0; round < 10; round += 1) {
    const busy = Array.from({ length: 3 }, () => slice('busy', 5));
    const light = slice('light', 0.5);
    await Promise.all([...busy, light]);
    t.is(ran[0], 'light', `round ${round}: ${ran.join(' ')}`);
    ran.length = 0;
    advance(1);
  }
});

test('use decays: a tenant busy long ago competes as an equal, and a newcomer leads for a bounded time', async (t) => {
  const { slice, ran, advance } = fixture();
  await Promise.all(Array.from({ length: 100 }, () => slice('old', 10)));
  // 1,000 ms used, then ten half-lives of idleness: about 1 ms of it is left.
  advance(2_000);
  ran.length = 0;
  await Promise.all([...Array.from({ length: 40 }, () => slice('old', 1)), ...Array.from({ length: 40 }, () => slice('new', 1))]);
  const firstHalf = ran.slice(0, 40).filter((tenant) => tenant === 'new').length;
  t.true(firstHalf <= 25, `the newcomer ran ${firstHalf} of the first 40 slices`);
  t.true(firstHalf >= 15, `the newcomer ran ${firstHalf} of the first 40 slices`);
});

test('charging a tenant for work outside its slices lowers its priority', async (t) => {
  const { scheduler, slice, ran } = fixture();
  scheduler.charge('sender', 50);
  await Promise.all([slice('sender', 1), slice('sender', 1), slice('other', 1), slice('other', 1)]);
  t.deepEqual(ran, ['other', 'other', 'sender', 'sender']);
});

test('past 4,096 tenants the one charged least recently and not waiting is forgotten, however often the others were charged', async (t) => {
  const { scheduler, slice, ran } = fixture();
  scheduler.charge('a', 1_000);
  scheduler.charge('b', 1_000);
  // a is charged again, twice in a row: it is now the most recent, b the least.
  scheduler.charge('a', 0);
  scheduler.charge('a', 0);
  for (let index = 0; index < 4_095; index += 1) scheduler.charge(`t${index}`, 0.001);
  // b, forgotten, competes as a newcomer; a still carries its 1,000 ms.
  await Promise.all([slice('a', 0), slice('t0', 0), slice('b', 0)]);
  t.deepEqual(ran, ['b', 't0', 'a']);
});

test('a slice that throws rejects its own call only; the others still run', async (t) => {
  const { scheduler, slice } = fixture();
  const failing = scheduler.run('a', () => {
    throw new Error('boom');
  });
  const fine = slice('b', 1);
  await t.throwsAsync(failing, { message: 'boom' });
  t.is(await fine, 'b');
});

test('runFor stops after the slice time and resumes where it stopped', (t) => {
  let steps = 0;
  function* work(): Generator<void, string, void> {
    for (let index = 0; index < 1_000; index += 1) {
      steps += 1;
      yield;
    }
    return 'done';
  }
  const generator = work();
  t.deepEqual(runFor(generator, 0), { done: false });
  t.is(steps, 1);
  let result = runFor(generator, 1_000);
  t.deepEqual(result, { done: true, value: 'done' });
  t.is(steps, 1_000);
  result = runFor(work(), 1_000);
  t.true(result.done);
});
