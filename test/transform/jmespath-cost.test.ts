import test from 'ava';
import fc from 'fast-check';
import jmespath from 'jmespath';
import { applyExtract } from '../../src/transform/extract.ts';
import { checkJmesPath, compileJmesPath } from '../../src/transform/jmespath-check.ts';
import { jmesPathCost } from '../../src/transform/jmespath-cost.ts';
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';

const cost = (expression: string, size: number) => jmesPathCost(jmespath.compile(expression), size);
const bomb = (stages: number) => Array.from({ length: stages }, () => '[@,@]').join(' | ');

test('a field costs the input and one step', (t) => {
  t.deepEqual(cost('a.b', 100), { out: 108, work: 2 });
});

test('each [@,@] stage doubles the bound, as it doubles the output', (t) => {
  t.true(cost(bomb(1), 80).out >= 160);
  t.true(cost(bomb(22), 80).out >= 80 * 2 ** 22);
  t.true(cost(bomb(22), 80).out < 2 * 84 * 2 ** 22);
});

test('a projection charges its right side once per byte of its left side', (t) => {
  t.true(cost('items[*].name', 1_000).work >= 1_000);
  t.true(cost('items[*].{a: name}', 1_000).out >= 1_000);
});

test('the cost of a long pipe is computed in one pass (linear in the expression)', (t) => {
  const started = performance.now();
  t.true(cost(Array.from({ length: 150 }, () => 'a[*]').join(' | '), 10).work > 0);
  t.true(performance.now() - started < 1_000);
});

// Soundness: for any expression and document, the bound is at least the size of the JSON the result serialises to.
const field = fc.constantFrom('a', 'b', 'items', 'name');
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    field,
    fc.constant('@'),
    fc.constant('`"lit"`'),
    tie('expr').map((e) => `[${e}, ${e}]`),
    fc.tuple(tie('expr'), tie('expr')).map(([l, r]) => `${l} | ${r}`),
    fc.tuple(field, tie('expr')).map(([l, r]) => `${l}[*].${r.startsWith('[') || r.startsWith('`') || r === '@' ? 'a' : r}`),
    fc.tuple(field, tie('expr')).map(([l, r]) => `{x: ${l}, y: ${r}}`),
    tie('expr').map((e) => `to_string(${e})`),
    tie('expr').map((e) => `${e}[]`),
    tie('expr').map((e) => `values(${e})`),
    fc.tuple(tie('expr'), tie('expr')).map(([l, r]) => `map(&${r}, ${l})`),
  ),
})).expr;
const document = fc.json({ maxDepth: 3 }).map((text) => JSON.parse(text) as unknown);

test('the bound is never below the size of the result', (t) => {
  fc.assert(
    fc.property(expression, document, (text, input) => {
      // Only expressions Courier accepts are evaluated: jmespath compiles some incomplete (`a[*].@[]` without
      // its right side), and those are refused before any cost is computed.
      const compiled = compileJmesPath(text);
      if ('error' in compiled) return true;
      let result: unknown;
      try {
        result = jmespath.search(input, text);
      } catch {
        return true; // a type error at run time; nothing is produced
      }
      const produced = JSON.stringify(result ?? null).length;
      return produced <= jmesPathCost(compiled.ast, JSON.stringify(input).length).out + 4;
    }),
    { numRuns: 400 },
  );
  t.pass();
});

const refuses = test.macro((t, text: string, message: string) => {
  t.is(checkJmesPath(text, DEFAULT_BUDGETS), message);
});
test('refuses an expression that doubles its input 22 times', refuses, bomb(22), 'could produce 3.2e+8 bytes, over 4194304 (four times --max-object-bytes) even on a 64-byte secret: it multiplies its input (e.g. [@,@] repeated)');
test('refuses an expression over the length budget', refuses, `a${'.b'.repeat(600)}`, 'is 1201 characters long, over the budget of 1024 (--max-jmespath-length)');
test('refuses an expression that does not compile', refuses, 'a[', 'is not a valid JMESPath expression: Expected Star, got: EOF');
for (const text of ['@.', 'a.', 'a | b.', '[@.]']) {
  test(`refuses an expression jmespath compiles incomplete: ${text}`, refuses, text, 'is not a valid JMESPath expression: it ends before an expression is complete (a trailing "." or "|"?)');
}

test('an incomplete expression reaching extraction at mount time is a ConfigError naming the field, not a crash', (t) => {
  const error = t.throws(() => applyExtract(new TextEncoder().encode('{"a":1}'), { kind: 'jmesPath', expression: '@.', field: 'objects[0].jmesPath' }, 'objects[0].jmesPath'));
  t.is(error?.name, 'ConfigError');
  t.true(error?.message.endsWith('"@." is not a valid JMESPath expression: it ends before an expression is complete (a trailing "." or "|"?)'), error?.message);
});

test('accepts the expressions real classes use', (t) => {
  for (const text of ['username', 'data.password', 'items[?name==`db`].value | [0]', 'join(`,`, hosts)', 'to_string(port)']) t.is(checkJmesPath(text, DEFAULT_BUDGETS), undefined, text);
});

test('accepts slices with any of their bounds left out, and they search', (t) => {
  for (const text of ['items[0:2]', 'items[:2]', 'items[1:]', 'items[::2]', 'items[-1:]', 'sort_by(items, &n)[0:2].n']) t.is(checkJmesPath(text, DEFAULT_BUDGETS), undefined, text);
  const secret = new TextEncoder().encode('{"items":[{"n":"c"},{"n":"a"},{"n":"b"}]}');
  t.is(Buffer.from(applyExtract(secret, { kind: 'jmesPath', expression: 'sort_by(items, &n)[0:2].n', field: 'jmesPath' }, 'objects[0]')).toString(), '["a","b"]');
});
