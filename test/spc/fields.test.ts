import test from 'ava';
import { describe, IssueList, nearestKey, readBoolean, readString } from '../../src/spc/fields.ts';

const KNOWN = ['source', 'path', 'mode', 'version', 'stage', 'jsonKey', 'jmesPath', 'yamlKey', 'encoding', 'optional'];

const suggests = test.macro({
  exec(t, key: string, expected: string | undefined) {
    t.is(nearestKey(key, KNOWN), expected);
  },
  title: (_given, key: string, expected: string | undefined) => (expected ? `suggests ${expected} for ${key}` : `suggests nothing for ${key}`),
});

test(suggests, 'JSONKEY', 'jsonKey');
test(suggests, 'sourc', 'source');
test(suggests, 'pat', 'path');
test(suggests, 'ptah', 'path');
test(suggests, 'optinal', 'optional');
test(suggests, 'jmespth', 'jmesPath');
test(suggests, 'versoin', 'version');
test(suggests, 'colour', undefined);
test(suggests, 'x', undefined);
test(suggests, 'key', undefined);
test(suggests, 'secretPath', undefined);

test('describes values without quoting them', (t) => {
  t.deepEqual(
    [[], {}, null, 'hunter2', 1, true].map((value) => describe(value)),
    ['a list', 'a mapping', 'null', 'a string', 'a number', 'a boolean'],
  );
});

test('reads numbers as decimal strings and refuses infinities', (t) => {
  const issues = new IssueList();
  t.is(readString({ version: 3 }, 'version', 'e', issues), '3');
  t.is(readString({ version: Number.POSITIVE_INFINITY }, 'version', 'e', issues), undefined);
  t.deepEqual(issues.items, [{ field: 'e.version', message: 'must be a string, not a number' }]);
});

test('reads booleans and the strings true and false', (t) => {
  const issues = new IssueList();
  t.deepEqual(
    [true, false, 'true', 'false', undefined, null].map((value) => readBoolean({ optional: value }, 'optional', 'e', issues)),
    [true, false, true, false, undefined, undefined],
  );
  t.deepEqual(issues.items, []);
});

test('a planning run searches "did you mean" for its first 100 unknown keys; later ones list the known keys', async (t) => {
  const { checkKnownKeys } = await import('../../src/spc/fields.ts');
  const issues = new IssueList();
  for (let index = 0; index < 101; index += 1) checkKnownKeys({ sourc: 1 }, KNOWN, `objects[${index}]`, issues);
  t.is(issues.items[99]?.message, 'unknown key; did you mean "source"?');
  t.is(issues.items[100]?.message, `unknown key; expected one of ${KNOWN.join(', ')}`);
});
