import test from 'ava';
import fc from 'fast-check';
import { CourierError } from '../../../src/errors/courier-error.ts';
import { checkTemplate, compileTemplate, renderTemplate, type TemplateBudgets } from '../../../src/transform/template/index.ts';
import { FIELD, inputsOf } from './render.ts';

const INPUTS = inputsOf({
  db: JSON.stringify({ username: 'app', password: 'pw-0123456789', hosts: ['a', 'b', 'c'], tls: { ca: 'CA' } }),
  raw: 'hunter2-hunter2-hunter2',
  bin: Uint8Array.of(0xff, 0x00, 0xfe),
});

/** Template pieces that write, loop, capture, assign and call functions; `body` nests. */
const template: fc.Arbitrary<string> = fc.letrec<{ node: string; body: string }>((tie) => ({
  body: fc.array(tie('node'), { maxLength: 4 }).map((nodes) => nodes.join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 12 }).map((text) => text.replace(/[{}%]/g, '')),
    fc.constantFrom('{{ raw }}', '{{ db.username }}', '{{ db | json }}', '{{ db.hosts | join: raw }}', '{{ raw | append: raw | append: raw }}', '{{ bin | base64_encode }}', '{{ c }}{{ c }}', '{% assign c = raw | append: raw %}', '{{ db.hosts | sort | json: 2 }}'),
    fc.tuple(fc.integer({ min: 0, max: 200 }), tie('body')).map(([n, body]) => `{% for i in (1..${n}) %}${body}{% endfor %}`),
    tie('body').map((body) => `{% capture c %}${body}{% endcapture %}`),
    tie('body').map((body) => `{% if db.username %}${body}{% else %}x{% endif %}`),
  ),
})).body;

const budgets: fc.Arbitrary<TemplateBudgets> = fc.record({
  templateBytes: fc.constant(64 * 1024),
  outputBytes: fc.integer({ min: 0, max: 4000 }),
  steps: fc.integer({ min: 1, max: 3000 }),
  // Generous, so the outcome never depends on the machine's speed.
  renderMs: fc.constant(10_000),
  memory: fc.integer({ min: 1, max: 200_000 }),
});

test('no template renders more bytes than its output budget', (t) => {
  fc.assert(
    fc.property(template, budgets, (text, limits) => {
      try {
        const bytes = renderTemplate(compileTemplate(text, FIELD, limits), INPUTS, limits, FIELD);
        return bytes.length <= limits.outputBytes;
      } catch (error) {
        return error instanceof CourierError;
      }
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('a template over budget fails with a CourierError naming the budget', (t) => {
  const limits = { templateBytes: 64 * 1024, outputBytes: 50, steps: 100_000, renderMs: 10_000, memory: 1_000_000 };
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 500 }), (n) => {
      const text = `{% for i in (1..${n}) %}{{ raw }}{% endfor %}`;
      try {
        renderTemplate(compileTemplate(text, FIELD, limits), INPUTS, limits, FIELD);
        return n * 23 <= 50;
      } catch (error) {
        return error instanceof CourierError && error.message.endsWith('the template writes more than 50 bytes (its output budget)');
      }
    }),
  );
  t.pass();
});

/** Text made of the characters Liquid cares about, and words that are tags, filters and inputs. */
const liquidish = fc
  .array(fc.oneof(fc.constantFrom('{{', '}}', '{%', '%}', '{%-', '-%}', '|', ':', ',', '"', "'", '[', ']', '(', ')', '..', '.', ' ', '\n', '=', '==', 'for', 'in', 'endfor', 'if', 'endif', 'assign', 'capture', 'endcapture', 'raw', 'endraw', 'liquid', 'case', 'when', 'db', 'raw', 'bin', 'keys', 'json', 'base64_decode', 'pem_chain', 'default', 'x', '1', '1000000'), fc.string({ maxLength: 3 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

test('checking, compiling and rendering any text throws nothing but CourierErrors', (t) => {
  const limits = { templateBytes: 64 * 1024, outputBytes: 10_000, steps: 5_000, renderMs: 10_000, memory: 100_000 };
  fc.assert(
    fc.property(liquidish, fc.uint8Array({ maxLength: 40 }), (text, bytes) => {
      checkTemplate(text, ['db', 'raw', 'bin'], FIELD, limits);
      const inputs = new Map(INPUTS);
      inputs.set('raw', bytes);
      try {
        renderTemplate(compileTemplate(text, FIELD, limits), inputs, limits, FIELD);
      } catch (error) {
        if (!(error instanceof CourierError)) throw error;
      }
    }),
    { numRuns: 1000 },
  );
  t.pass();
});
