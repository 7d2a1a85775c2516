/** Planning's YAML parses, and the parses a server does ahead of planning in its isolate. */
import test from 'ava';
import fc from 'fast-check';
import { parse, parseDocument, YAMLParseError } from 'yaml';
import { PARSE_AHEAD_BYTES, parseUnique, parseYamlText, textsToParseAhead, withParsedAhead } from '../../src/spc/yaml-parse.ts';

test('a YAML problem is its line, column and code, never the text', (t) => {
  t.deepEqual(parseYamlText('- {a: 1\n- secret-value', 'spc'), { problem: 'is not valid YAML at line 2, column 1: BAD_INDENT' });
  t.deepEqual(parseYamlText('mode: 0400', 'spc'), { value: { mode: 256 } }, 'YAML 1.1: 0400 is octal');
  t.deepEqual(parseYamlText('mode: 0400', 'failsafe'), { value: { mode: '0400' } }, 'failsafe: every scalar is text');
});

test('while a plan runs with texts parsed ahead, their outcomes are used instead of parsing again', (t) => {
  const texts = [{ text: '- a', schema: 'spc' as const }];
  const seen = withParsedAhead(texts, [{ value: ['from the isolate'] }], () => [parseYamlText('- a', 'spc'), parseYamlText('- a', 'failsafe'), parseYamlText('- b', 'spc')]);
  t.deepEqual(seen, [{ value: ['from the isolate'] }, { value: ['a'] }, { value: ['b'] }]);
  t.deepEqual(parseYamlText('- a', 'spc'), { value: ['a'] }, 'and not after it');
});

test('only large parameters that planning reads are parsed ahead, each with its dialect schema', (t) => {
  const large = `- ${'x'.repeat(PARSE_AHEAD_BYTES)}`;
  const tokens = JSON.stringify({ tenant: { token: 'y'.repeat(PARSE_AHEAD_BYTES) } });
  t.deepEqual(textsToParseAhead({ objects: large, small: '- a', 'csi.storage.k8s.io/serviceAccount.tokens': tokens }), [{ text: large, schema: 'spc' }]);
  t.deepEqual(textsToParseAhead({ objects: large }, 'azure'), [{ text: large, schema: 'failsafe' }]);
  t.deepEqual(textsToParseAhead({ objects: large, dialect: 'azure' }), [{ text: large, schema: 'failsafe' }]);
  t.deepEqual(textsToParseAhead({ objects: '- a' }), []);
});

/** What yaml's own parse with its pairwise key check gives: the value, or the first error's code and position. */
function yamlsOwn(text: string, options: Record<string, unknown>): unknown {
  try {
    return { value: parse(text, { ...options, uniqueKeys: true, prettyErrors: true }) as unknown };
  } catch (error) {
    if (!(error instanceof YAMLParseError)) return { threw: (error as Error).name };
    return { code: error.code, at: error.linePos?.[0] };
  }
}

function ours(text: string, options: Record<string, unknown>): unknown {
  try {
    return { value: parseUnique(text, options) };
  } catch (error) {
    if (!(error instanceof YAMLParseError)) return { threw: (error as Error).name };
    return { code: error.code, at: error.linePos?.[0] };
  }
}

test('the linear key check finds exactly the repeated keys yaml finds, and reports the first error where yaml does', (t) => {
  // Keys that collide by value in different spellings (1, 0x1, "1"; true, yes; null, ~), in block and
  // flow maps, nested, with anchors and aliases, and some broken syntax.
  const key = fc.constantFrom('a', 'b', '"a"', "'b'", '1', '0x1', '"1"', 'true', 'yes', 'null', '~', '.nan', '.inf', '&k a', '*k', '? [1]', '<<', '!!str 1', '? a', '"\\u0061"');
  const value = fc.constantFrom('x', '1', '[1, 2]', '{a: 1, a: 2}', '{b: 1}', '*k', '"q', '- z');
  const block = fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 6 }).map((pairs) => pairs.map(([k, v]) => `${k}: ${v}`).join('\n'));
  const flow = fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 4 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}}`);
  // An explicit key (`? a:`) with a map below it is left out here: for a repeated key in that map yaml
  // reports the end of the first line rather than the key, and ours names the key itself.
  const nested = fc.tuple(key.filter((text) => !text.startsWith('?')), block).map(([k, inner]) => `${k}:\n${inner.split('\n').map((line) => `  ${line}`).join('\n')}\nc: 1`);
  const text = fc.oneof(block, flow, nested);
  const schemas: Array<Record<string, unknown>> = [{ version: '1.1', logLevel: 'error', maxAliasCount: 100 }, { schema: 'failsafe', logLevel: 'error' }, { logLevel: 'error' }];
  fc.assert(
    fc.property(text, fc.constantFrom(...schemas), (source, options) => {
      const theirs = yamlsOwn(source, options) as { code?: string };
      const mine = ours(source, options) as { code?: string };
      // Where the text is also broken elsewhere, yaml may place a repeated key oddly; the code is still the same.
      const broken = parseDocument(source, { ...(options as object), uniqueKeys: false }).errors.length > 0;
      if (theirs.code === 'DUPLICATE_KEY' && broken) t.is(mine.code, 'DUPLICATE_KEY', source);
      else t.deepEqual(mine, theirs, source);
    }),
    { numRuns: 1500 },
  );
});

test('a map of 60,000 keys (1 MB) is parsed, its repeated key found at its line', (t) => {
  const lines = Array.from({ length: 60_000 }, (_, index) => `key${index}: value-${index}`);
  t.is(Object.keys(parseUnique(lines.join('\n'), { logLevel: 'error' }) as object).length, 60_000);
  t.deepEqual(ours([...lines, 'key7: again'].join('\n'), { logLevel: 'error' }), { code: 'DUPLICATE_KEY', at: { line: 60_001, col: 1 } });
});
