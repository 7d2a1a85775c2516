import test from 'ava';
import { ConfigError, NotFoundError } from '../../src/errors/courier-error.ts';
import type { Extract } from '../../src/spc/types.ts';
import { applyExtract } from '../../src/transform/extract.ts';

const SECRET = 'hunter2-s3cr3t';
const encoder = new TextEncoder();
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const extracts = test.macro({
  exec(t, contents: string, extract: Extract, expected: string) {
    t.is(text(applyExtract(encoder.encode(contents), extract, 'objects[0]')), expected);
  },
  title: (given, _contents: string, extract: Extract, expected: string) => given ?? `${extract.kind} extracts ${JSON.stringify(expected)}`,
});

const fails = test.macro({
  exec(t, contents: string, extract: Extract, type: typeof ConfigError | typeof NotFoundError, message: string) {
    const error = t.throws(() => applyExtract(encoder.encode(contents), extract, 'objects[0]'), { instanceOf: type });
    t.is(error?.message, message);
    t.false(error?.message.includes(SECRET) ?? true, 'the message quotes the secret');
    // A parser's error quotes its input, so it must not travel along as the cause either.
    t.is(error?.cause, undefined);
  },
  title: (given) => `fails when ${given ?? ''}`,
});

const json = JSON.stringify({ user: 'admin', password: SECRET, port: 5432, tls: { ca: 'PEM' }, empty: '', none: null, list: [1, 2] });

test(extracts, json, { kind: 'jsonKey', key: 'password' }, SECRET);
test('jsonKey writes a number as JSON', extracts, json, { kind: 'jsonKey', key: 'port' }, '5432');
test('jsonKey writes an object as JSON', extracts, json, { kind: 'jsonKey', key: 'tls' }, '{"ca":"PEM"}');
test('jsonKey writes a list as JSON', extracts, json, { kind: 'jsonKey', key: 'list' }, '[1,2]');
test('jsonKey writes an empty string as an empty file', extracts, json, { kind: 'jsonKey', key: 'empty' }, '');
test('jsonKey writes null as JSON', extracts, json, { kind: 'jsonKey', key: 'none' }, 'null');
test('jsonKey reads a key named like a prototype property', extracts, '{"__proto__": "p", "constructor": "c"}', { kind: 'jsonKey', key: '__proto__' }, 'p');
test(extracts, json, { kind: 'jmesPath', expression: 'tls.ca' }, 'PEM');
test('jmesPath writes a projection as JSON', extracts, '{"users":[{"name":"a"},{"name":"b"}]}', { kind: 'jmesPath', expression: 'users[*].name' }, '["a","b"]');
test('jmesPath writes false as JSON', extracts, '{"on": false}', { kind: 'jmesPath', expression: 'on' }, 'false');
test('jmesPath works on a top-level list', extracts, '["x","y"]', { kind: 'jmesPath', expression: '[1]' }, 'y');
test(extracts, `user: admin\npassword: ${SECRET}\n`, { kind: 'yamlKey', key: 'password' }, SECRET);
test('yamlKey writes a mapping as YAML', extracts, 'tls:\n  ca: PEM\n  key: K\n', { kind: 'yamlKey', key: 'tls' }, 'ca: PEM\nkey: K\n');
test('yamlKey writes a number as text', extracts, 'port: 5432\n', { kind: 'yamlKey', key: 'port' }, '5432');
test('yamlKey reads JSON too', extracts, json, { kind: 'yamlKey', key: 'user' }, 'admin');

test('jsonKey is missing', fails, json, { kind: 'jsonKey', key: 'pass' }, NotFoundError, 'objects[0].jsonKey: key "pass" is not in the secret');
test('jsonKey is inherited, not own', fails, '{}', { kind: 'jsonKey', key: 'toString' }, NotFoundError, 'objects[0].jsonKey: key "toString" is not in the secret');
test('jmesPath matches nothing', fails, json, { kind: 'jmesPath', expression: 'tls.cert' }, NotFoundError, 'objects[0].jmesPath: "tls.cert" matched nothing in the secret');
test('yamlKey is missing', fails, 'a: 1\n', { kind: 'yamlKey', key: 'b' }, NotFoundError, 'objects[0].yamlKey: key "b" is not in the secret');
test('the secret is not JSON for jsonKey', fails, `password=${SECRET}`, { kind: 'jsonKey', key: 'password' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test('the secret is truncated JSON', fails, `{"password": "${SECRET}`, { kind: 'jsonKey', key: 'password' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test('the secret is a JSON list for jsonKey', fails, `["${SECRET}"]`, { kind: 'jsonKey', key: '0' }, ConfigError, 'objects[0].jsonKey: the secret is not a JSON object');
test('the secret is a JSON string for jsonKey', fails, `"${SECRET}"`, { kind: 'jsonKey', key: 'a' }, ConfigError, 'objects[0].jsonKey: the secret is not a JSON object');
test('the secret is not JSON for jmesPath', fails, `{${SECRET}}`, { kind: 'jmesPath', expression: 'a' }, ConfigError, 'objects[0].jmesPath: the secret is not valid JSON');
test('the secret is not valid YAML', fails, `a: [${SECRET}\n`, { kind: 'yamlKey', key: 'a' }, ConfigError, 'objects[0].yamlKey: the secret is not valid YAML');
test('the secret has a duplicate YAML key', fails, `a: ${SECRET}\na: 2\n`, { kind: 'yamlKey', key: 'a' }, ConfigError, 'objects[0].yamlKey: the secret is not valid YAML');
test('the secret is a YAML scalar', fails, SECRET, { kind: 'yamlKey', key: 'a' }, ConfigError, 'objects[0].yamlKey: the secret is not a YAML mapping');
test('the secret is not UTF-8', fails, '\u0000', { kind: 'jsonKey', key: 'a' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test(
  'a JMESPath function is unknown',
  fails,
  json,
  { kind: 'jmesPath', expression: 'shout(password)' },
  ConfigError,
  'objects[0].jmesPath: "shout(password)" cannot be applied to the secret: Unknown function: shout()',
);
test(
  'a JMESPath function gets the wrong type',
  fails,
  json,
  { kind: 'jmesPath', expression: 'abs(password)' },
  ConfigError,
  'objects[0].jmesPath: "abs(password)" cannot be applied to the secret: TypeError: abs() expected argument 1 to be type number but received type string instead.',
);

test('fails on bytes that are not UTF-8 without quoting them', (t) => {
  const error = t.throws(() => applyExtract(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), { kind: 'jsonKey', key: 'a' }, 'objects[3]'), { instanceOf: ConfigError });
  t.is(error?.message, 'objects[3].jsonKey: the secret is not valid JSON');
});

test('keeps YAML warnings about the secret off stderr', async (t) => {
  const warnings: string[] = [];
  const listener = (warning: Error) => warnings.push(warning.message);
  process.on('warning', listener);
  t.teardown(() => process.off('warning', listener));
  t.is(text(applyExtract(encoder.encode(`a: !${SECRET} b\n`), { kind: 'yamlKey', key: 'a' }, 'objects[0]')), 'b');
  // process.emitWarning delivers on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(warnings, []);
});
