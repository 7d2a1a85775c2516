/** Renders a compiled template over its inputs' bytes, within its budgets, into the file's bytes. */
import { Context } from 'liquidjs';
import type { CourierError } from '../../errors/courier-error.ts';
import { FileEmitter, RenderMeter, type TemplateBudgets } from './budgets.ts';
import type { CompiledTemplate } from './compile-template.ts';
import { attachMeter } from './engine.ts';
import { renderError } from './engine-errors.ts';
import { toTemplateValue } from './values.ts';

/** LiquidJS steps run between pauses: a pause costs a clock read; 64 steps take about a quarter of a millisecond. */
const STEPS_PER_PAUSE = 64;

/**
 * Renders `compiled` with `inputs` (input name to the bytes its object resolved to). Pure and
 * synchronous; throws only CourierErrors with `field` (the template's field, e.g.
 * `objects[2].template`): ConfigError for misuse or a spent budget, NotFoundError for a missing key.
 * Messages name the line, column and key, never a value.
 */
export function renderTemplate(compiled: CompiledTemplate, inputs: ReadonlyMap<string, Uint8Array>, budgets: TemplateBudgets, field: string, now?: () => number): Uint8Array {
  const steps = renderTemplateSteps(compiled, inputs, budgets, field, now);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * renderTemplate as a generator that pauses every few hundred LiquidJS steps, so a server can give
 * the CPU to other tenants in the middle of a long render (pipeline/fair-scheduler.ts). The time
 * budget counts only the time the render ran, not the pauses, so a render is not failed for having
 * waited its turn on a busy node. `now` is the clock in milliseconds (default: the wall clock; the
 * isolate passes its thread's CPU time, which does not run while the thread waits for a CPU).
 */
export function* renderTemplateSteps(compiled: CompiledTemplate, inputs: ReadonlyMap<string, Uint8Array>, budgets: TemplateBudgets, field: string, now: () => number = () => performance.now()): Generator<void, Uint8Array, void> {
  // A null-prototype scope: an input named "constructor" or "__proto__" is just a name.
  const scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const meter = new RenderMeter(budgets);
  const file = new FileEmitter(meter);
  const clock = new RunningClock(now);
  try {
    for (const [name, bytes] of inputs) scope[name] = toTemplateValue(bytes, name);
    // LiquidJS checks `renderLimit.check(now)` before each node; this one reads the running time instead of the wall clock.
    const renderLimit = { check: () => clock.check(budgets.renderMs), use: () => undefined };
    const ctx = new Context(scope, compiled.engine.options, { sync: true, memoryLimit: budgets.memory }, { liquid: compiled.engine, renderLimit: renderLimit as unknown as Context['renderLimit'] });
    attachMeter(ctx, meter);
    clock.resume();
    yield* pausing(compiled.engine.renderer.renderTemplates([...compiled.nodes], ctx, file), clock);
  } catch (error) {
    throw renderError(error, { field, budgets, inputNames: new Set(inputs.keys()), text: compiled.text }) satisfies CourierError;
  }
  return file.contents();
}

/** Reads of the clock: one in this many of LiquidJS's checks (one before each node). */
const CHECKS_PER_READ = 8;

/** Milliseconds a render has run, its pauses left out. */
class RunningClock {
  readonly #now: () => number;
  #ran = 0;
  #since: number;
  #checks = 0;

  constructor(now: () => number) {
    this.#now = now;
    this.#since = now();
  }

  pause(): void {
    this.#ran += this.#now() - this.#since;
  }

  resume(): void {
    this.#since = this.#now();
  }

  /** Throws LiquidJS's own message once the render has run past `limitMs`, so its errors map it. */
  check(limitMs: number): void {
    this.#checks += 1;
    if (this.#checks % CHECKS_PER_READ !== 0) return;
    if (this.#ran + this.#now() - this.#since > limitMs) throw new Error('template render limit exceeded');
  }
}

function isIterator(value: unknown): value is Iterator<unknown, unknown, unknown> {
  const candidate = value as { next?: unknown; throw?: unknown; return?: unknown } | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.next === 'function' && typeof candidate.throw === 'function' && typeof candidate.return === 'function';
}

/**
 * Runs LiquidJS's tree of generators as its own synchronous driver does (a yielded generator is run
 * and its result sent back; what it throws is thrown into the one that yielded it), but with an
 * explicit stack instead of recursion, so the walk can pause between steps.
 */
function* pausing(root: Iterator<unknown, unknown, unknown>, clock: RunningClock): Generator<void, unknown, void> {
  const stack: Array<Iterator<unknown, unknown, unknown>> = [root];
  let sent: unknown;
  let throwing = false;
  let count = 0;
  for (;;) {
    const top = stack[stack.length - 1] as Iterator<unknown, unknown, unknown>;
    let state: IteratorResult<unknown, unknown>;
    try {
      state = throwing ? (top.throw as (error: unknown) => IteratorResult<unknown, unknown>)(sent) : top.next(sent);
      throwing = false;
    } catch (error) {
      stack.pop();
      if (stack.length === 0) throw error;
      sent = error;
      throwing = true;
      continue;
    }
    if (isIterator(state.value)) {
      // A generator yielded (or returned) another: run that one, its result goes where this one's would.
      if (state.done) stack.pop();
      stack.push(state.value);
      sent = undefined;
    } else if (state.done) {
      stack.pop();
      if (stack.length === 0) return state.value;
      sent = state.value;
    } else {
      sent = state.value;
    }
    count += 1;
    if (count % STEPS_PER_PAUSE === 0) {
      clock.pause();
      yield;
      clock.resume();
    }
  }
}
