/** Planning's YAML parses, and the parses a server does ahead of planning in its isolate. */
import test from 'ava';
import { PARSE_AHEAD_BYTES, parseYamlText, textsToParseAhead, withParsedAhead } from '../../src/spc/yaml-parse.ts';

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
