import test from 'ava';
import { templateVersion } from '../../../src/transform/template/index.ts';

const versions = (entries: Record<string, string>) => new Map(Object.entries(entries));

test('the version is the same for the same input versions, in any order', (t) => {
  t.is(templateVersion(versions({ db: '3', api: 'v7' })), templateVersion(versions({ api: 'v7', db: '3' })));
});

test('the version is 32 hex characters', (t) => {
  t.regex(templateVersion(versions({ db: '3' })), /^[0-9a-f]{32}$/);
});

const differs = test.macro({
  exec(t, a: Record<string, string>, b: Record<string, string>) {
    t.not(templateVersion(versions(a)), templateVersion(versions(b)));
  },
  title: (given) => `the version changes when ${given ?? ''}`,
});

test('an input version changes', differs, { db: '3', api: 'v7' }, { db: '4', api: 'v7' });
test('an input is added', differs, { db: '3' }, { db: '3', api: 'v7' });
test('an input is removed', differs, { db: '3', api: 'v7' }, { db: '3' });
test('an input is renamed', differs, { db: '3' }, { dbx: '3' });
test('versions move between inputs', differs, { a: '1', b: '2' }, { a: '2', b: '1' });
test('names and versions would concatenate the same', differs, { a: 'bc' }, { ab: 'c' });
test('a version holds the encoding\'s punctuation', differs, { a: '","b' }, { a: '', b: '' });

test('a key makes it an HMAC: different from the plain digest and per key', (t) => {
  const inputs = versions({ db: '3' });
  const plain = templateVersion(inputs);
  const keyed = templateVersion(inputs, Buffer.from('key-1'));
  t.not(keyed, plain);
  t.not(templateVersion(inputs, Buffer.from('key-2')), keyed);
  t.is(templateVersion(inputs, Buffer.from('key-1')), keyed);
});
