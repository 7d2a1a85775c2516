/** A template renders in steps that pause, so the server can run other tenants' work in the middle of a long render. */
import test from 'ava';
import { ConfigError } from '../../../src/errors/courier-error.ts';
import { compileTemplate, DEFAULT_TEMPLATE_BUDGETS, renderTemplate, renderTemplateSteps, type TemplateBudgets } from '../../../src/transform/template/index.ts';
import { FIELD, inputsOf } from './render.ts';

const LONG = '{% for i in (1..3000) %}{% if i > 1 %},{% endif %}{{ i }}{% endfor %}';

/** Runs the steps to the end, sleeping `pauseMs` (without using the CPU) at each pause; returns the pause count and the file. */
function drive(text: string, budgets: TemplateBudgets, pauseMs = 0): { pauses: number; file: string } {
  const steps = renderTemplateSteps(compileTemplate(text, FIELD, budgets), inputsOf({ db: '{"user":"app"}' }), budgets, FIELD);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let pauses = 0;
  for (;;) {
    const step = steps.next();
    if (step.done) return { pauses, file: Buffer.from(step.value).toString('utf8') };
    pauses += 1;
    if (pauseMs > 0) Atomics.wait(sleeper, 0, 0, pauseMs);
  }
}

test('a long render pauses many times and produces the same file as rendering in one call', (t) => {
  const { pauses, file } = drive(LONG, DEFAULT_TEMPLATE_BUDGETS);
  t.true(pauses >= 10, `${pauses} pauses`);
  t.is(file, Array.from({ length: 3000 }, (_, index) => index + 1).join(','));
  t.is(file, Buffer.from(renderTemplate(compileTemplate(LONG, FIELD, DEFAULT_TEMPLATE_BUDGETS), inputsOf({ db: '{"user":"app"}' }), DEFAULT_TEMPLATE_BUDGETS, FIELD)).toString('utf8'));
});

test('a short render does not pause', (t) => {
  t.deepEqual(drive('{{ db.user }}', DEFAULT_TEMPLATE_BUDGETS), { pauses: 0, file: 'app' });
});

test('the time budget counts the time the render ran, not its pauses', (t) => {
  // The render's own time on this machine, warm (the longer of two runs); the budget is several times that,
  // as other test files share the cores and stretch a run, and the pauses together are twice the budget.
  drive(LONG, DEFAULT_TEMPLATE_BUDGETS);
  let ownMs = 0;
  let pauses = 0;
  for (let run = 0; run < 2; run += 1) {
    const started = performance.now();
    pauses = drive(LONG, DEFAULT_TEMPLATE_BUDGETS).pauses;
    ownMs = Math.max(ownMs, performance.now() - started);
  }
  const budgets = { ...DEFAULT_TEMPLATE_BUDGETS, renderMs: Math.ceil(6 * ownMs + 50) };
  const pauseMs = Math.ceil((2 * budgets.renderMs) / pauses);
  const wallStarted = performance.now();
  const { file } = drive(LONG, budgets, pauseMs);
  t.true(performance.now() - wallStarted > budgets.renderMs, 'the render took longer than its budget in wall time');
  t.true(file.endsWith(',3000'));
});

test('a render that runs past its time budget still fails, paused or not', (t) => {
  const budgets = { ...DEFAULT_TEMPLATE_BUDGETS, renderMs: 1, steps: 10_000_000, outputBytes: 100_000_000, memory: 100_000_000 };
  const error = t.throws(() => drive('{% for i in (1..1000000) %}{{ i }}{% endfor %}', budgets, 1), { instanceOf: ConfigError });
  t.regex(error?.message ?? '', /^objects\[0\]\.template: (line 1, column 1: )?the template renders for longer than its time budget \(1 ms\)$/);
});

test('errors thrown deep in the render reach the template as they do in one call', (t) => {
  const error = t.throws(() => drive('{% for i in (1..500) %}{{ i }}{% endfor %}{{ db.password }}', DEFAULT_TEMPLATE_BUDGETS));
  t.regex(error?.message ?? '', /^objects\[0\]\.template: line 1, column \d+: .*password/);
});
