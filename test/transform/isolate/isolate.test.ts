/** The isolate runs extractions and renders off the main thread with the results and errors they have inline. */
import { readdir, readFile } from 'node:fs/promises';
import test from 'ava';
import { CourierError, DeadlineError, NotFoundError, UnavailableError, ConfigError } from '../../../src/errors/courier-error.ts';
import { DEFAULT_BUDGETS } from '../../../src/spc/budgets.ts';
import type { Extract } from '../../../src/spc/types.ts';
import { applyExtract } from '../../../src/transform/extract.ts';
import { createIsolate, type IsolateOptions } from '../../../src/transform/isolate/isolate.ts';
import { isCostlyExtract, type FileJob } from '../../../src/transform/isolate/jobs.ts';
import { DEFAULT_TEMPLATE_BUDGETS } from '../../../src/transform/template/index.ts';

const encoder = new TextEncoder();
const text = (bytes: Uint8Array | CourierError) => (bytes instanceof CourierError ? bytes : Buffer.from(bytes).toString('utf8'));
const BIG = encoder.encode(JSON.stringify({ items: Array.from({ length: 3_000 }, (_, index) => ({ name: `n${(index * 7919) % 3001}`, y: `y${index}` })) }));
const SORT: Extract = { kind: 'jmesPath', expression: 'sort_by(items, &name)[*].y', field: 'jmesPath' };

function extractJob(contents: Uint8Array, ...extracts: Extract[]): FileJob {
  return { kind: 'extract', contents, items: extracts.map((extract, index) => ({ extract, field: `objects[${index}]` })), limits: DEFAULT_BUDGETS };
}

function isolateFor(t: { teardown(fn: () => Promise<void>): void }, options: IsolateOptions = {}) {
  const outcomes: string[] = [];
  const isolate = createIsolate({ ...options, onJob: (kind, outcome) => outcomes.push(`${kind} ${outcome}`) });
  t.teardown(() => isolate.close());
  return { isolate, outcomes };
}

test('a costly search runs in the isolate and gives the bytes the inline search gives', async (t) => {
  t.true(isCostlyExtract(BIG, SORT));
  const { isolate, outcomes } = isolateFor(t);
  const [result] = await isolate.run('team-a', extractJob(BIG, SORT));
  t.is(text(result as Uint8Array), text(applyExtract(BIG, SORT, 'objects[0]')));
  t.deepEqual(outcomes, ['extract ok']);
});

test('each extraction of one secret gets its own outcome; a failure crosses back as its own class, naming the field', async (t) => {
  const { isolate, outcomes } = isolateFor(t);
  const [found, missing] = await isolate.run('team-a', extractJob(BIG, { kind: 'jmesPath', expression: 'items[2].y', field: 'jmesPath' }, { kind: 'jsonKey', key: 'nope', field: 'jsonKey' }));
  t.is(text(found as Uint8Array), 'y2');
  t.true(missing instanceof NotFoundError);
  t.is((missing as CourierError).message, 'objects[1].jsonKey: key "nope" is not in the secret');
  t.is((missing as CourierError).field, 'objects[1].jsonKey');
  t.deepEqual(outcomes, ['extract error']);
});

test('a template renders in the isolate to the file it renders to inline, and fails with the same message', async (t) => {
  const { isolate } = isolateFor(t);
  const inputs = new Map([['db', encoder.encode('{"user":"app"}')]]);
  const job = (template: string): FileJob => ({ kind: 'template', text: template, inputs, budgets: DEFAULT_TEMPLATE_BUDGETS, field: 'objects[0].template' });
  const [file] = await isolate.run('team-a', job('{{ db.user }}:{% for i in (1..3) %}{{ i }}{% endfor %}'));
  t.is(text(file as Uint8Array), 'app:123');
  const [failed] = await isolate.run('team-a', job('{% for i in (1..30000) %}{{ i }}{% endfor %}'));
  t.true(failed instanceof ConfigError);
  t.is((failed as CourierError).message, `objects[0].template: line 1, column 1: the template takes more than ${DEFAULT_TEMPLATE_BUDGETS.steps} render steps (its step budget)`);
});

test("a job that outgrows the isolate's heap fails alone, and the next job runs on a new worker", async (t) => {
  const { isolate, outcomes } = isolateFor(t, { maxHeapMib: 16 });
  const huge = encoder.encode(JSON.stringify({ key: 'v', items: Array.from({ length: 600_000 }, (_, index) => ({ a: index, b: 'x' })) }));
  const error = await t.throwsAsync(isolate.run('team-a', extractJob(huge, { kind: 'jsonKey', key: 'key', field: 'jsonKey' })));
  t.true(error instanceof ConfigError);
  t.is(error?.message, 'needed more than the 16 MiB of memory Courier gives the extractions from one secret or one template render');
  const [after] = await isolate.run('team-b', extractJob(encoder.encode('{"a":"b"}'), { kind: 'jsonKey', key: 'a', field: 'jsonKey' }));
  t.is(text(after as Uint8Array), 'b');
  t.deepEqual(outcomes, ['extract out_of_memory', 'extract ok']);
});

test('tenants with jobs waiting take turns: one with many queued does not hold back another', async (t) => {
  const { isolate } = isolateFor(t);
  const order: string[] = [];
  const run = (tenant: string, name: string) => isolate.run(tenant, extractJob(BIG, SORT)).then(() => order.push(name));
  await Promise.all([run('team-a', 'a1'), run('team-a', 'a2'), run('team-a', 'a3'), run('team-a', 'a4'), run('team-b', 'b1')]);
  // a1 was running when b1 arrived; after a2, the next turn is team-b's.
  t.deepEqual(order, ['a1', 'a2', 'b1', 'a3', 'a4']);
});

test("a job whose Mount's deadline passes while it waits is dropped, never run", async (t) => {
  const { isolate, outcomes } = isolateFor(t);
  const first = isolate.run('team-a', extractJob(BIG, SORT));
  const deadline = new AbortController();
  const waiting = isolate.run('team-a', extractJob(BIG, SORT), deadline.signal);
  deadline.abort();
  const error = await t.throwsAsync(waiting);
  t.true(error instanceof DeadlineError);
  t.is(error?.message, "the Mount's deadline passed while it waited for Courier's isolate");
  await first;
  t.deepEqual(outcomes, ['extract expired', 'extract ok']);
  const already = await t.throwsAsync(isolate.run('team-a', extractJob(BIG, SORT), AbortSignal.abort()));
  t.true(already instanceof DeadlineError);
});

test('closing the isolate fails the jobs still waiting as UNAVAILABLE', async (t) => {
  const isolate = createIsolate();
  const jobs = [isolate.run('team-a', extractJob(BIG, SORT)), isolate.run('team-b', extractJob(BIG, SORT))];
  await isolate.close();
  for (const job of jobs) {
    const error = await t.throwsAsync(job);
    t.true(error instanceof UnavailableError);
    t.is(error?.message, 'Courier is shutting down');
  }
  await t.throwsAsync(isolate.run('team-a', extractJob(BIG, SORT)), { instanceOf: UnavailableError });
});

test('only extractions that would hold the thread go to the isolate', (t) => {
  const small = encoder.encode('{"password":"pw"}');
  t.false(isCostlyExtract(small, { kind: 'jsonKey', key: 'password', field: 'jsonKey' }));
  t.false(isCostlyExtract(small, SORT), 'a costly expression over a small secret is cheap');
  const mid = encoder.encode(JSON.stringify({ items: Array.from({ length: 1_000 }, (_, index) => ({ name: `n${index}` })) }));
  t.false(isCostlyExtract(mid, { kind: 'jmesPath', expression: 'items[2].name', field: 'jmesPath' }), 'a cheap search over a mid-sized secret');
  t.true(isCostlyExtract(mid, { kind: 'jmesPath', expression: 'sort_by(items, &name)[*].name', field: 'jmesPath' }), 'a costly search over it');
  const large = encoder.encode(JSON.stringify({ a: 'x'.repeat(70 * 1024) }));
  t.true(isCostlyExtract(large, { kind: 'jsonKey', key: 'a', field: 'jsonKey' }), 'a JSON secret over 64 KiB');
  t.true(isCostlyExtract(encoder.encode(`a: ${'x'.repeat(17 * 1024)}\n`), { kind: 'yamlKey', key: 'a', field: 'yamlKey' }), 'a YAML secret over 16 KiB');
  t.false(isCostlyExtract(encoder.encode('a: b\n'), { kind: 'yamlKey', key: 'a', field: 'yamlKey' }));
});

test('the worker thread runs at the lowest scheduling priority; the main thread keeps its own', async (t) => {
  const { isolate } = isolateFor(t);
  await isolate.run('team-a', extractJob(encoder.encode('{"a":"b"}'), { kind: 'jsonKey', key: 'a', field: 'jsonKey' }));
  // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value (fields counted after the command's closing parenthesis).
  const nice = async (tid: string) => Number((await readFile(`/proc/self/task/${tid}/stat`, 'utf8')).split(') ')[1]?.split(' ')[16]);
  // A thread listed here may exit before its file is read (another test's worker closing, a libuv or V8 thread): it is skipped.
  const niceIfAlive = (tid: string) => nice(tid).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ESRCH') return undefined;
    throw error;
  });
  const tids = await readdir('/proc/self/task');
  const values = await Promise.all(tids.map(niceIfAlive));
  t.is(await nice(String(process.pid)), 0);
  // Other tests' isolates may be alive too (ava runs files in one process), each at 19.
  t.true(values.includes(19), `nice values of the threads: ${values.join(',')}`);
});

test("a running job's Mount stops waiting at its deadline; the worker finishes the job and goes on to the next", async (t) => {
  const { isolate, outcomes } = isolateFor(t);
  const deadline = new AbortController();
  const running = isolate.run('team-a', extractJob(BIG, SORT), deadline.signal);
  const next = isolate.run('team-b', extractJob(encoder.encode('{"a":"b"}'), { kind: 'jsonKey', key: 'a', field: 'jsonKey' }));
  // The worker takes the first job as soon as it is queued; it is still running when the deadline passes.
  await new Promise((resolve) => setImmediate(resolve));
  deadline.abort();
  const error = await t.throwsAsync(running);
  t.true(error instanceof DeadlineError);
  const [after] = await next;
  t.is(text(after as Uint8Array), 'b');
  t.deepEqual(outcomes, ['extract expired', 'extract ok']);
});

test('a job that runs past the watchdog is stopped with its worker; the next job runs on a new one', async (t) => {
  const { isolate, outcomes } = isolateFor(t, { maxJobMs: 50 });
  const slow = Array.from({ length: 60_000 }, (_, index) => `key${index}: value-${index}`).join('\n');
  const error = await t.throwsAsync(isolate.parseYaml('team-a', [{ text: slow, schema: 'spc' }]));
  t.true(error instanceof ConfigError);
  t.is(error?.message, "ran for more than 0.05 s in Courier's isolate and was stopped");
  const [after] = await isolate.run('team-b', extractJob(encoder.encode('{"a":"b"}'), { kind: 'jsonKey', key: 'a', field: 'jsonKey' }));
  t.is(text(after as Uint8Array), 'b');
  t.deepEqual(outcomes, ['yaml stopped', 'extract ok']);
});
