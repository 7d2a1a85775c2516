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

test(extracts, json, { kind: 'jsonKey', key: 'password', field: 'jsonKey' }, SECRET);
test('jsonKey writes a number as JSON', extracts, json, { kind: 'jsonKey', key: 'port', field: 'jsonKey' }, '5432');
test('jsonKey writes an object as JSON', extracts, json, { kind: 'jsonKey', key: 'tls', field: 'jsonKey' }, '{"ca":"PEM"}');
test('jsonKey writes a list as JSON', extracts, json, { kind: 'jsonKey', key: 'list', field: 'jsonKey' }, '[1,2]');
test('jsonKey writes an empty string as an empty file', extracts, json, { kind: 'jsonKey', key: 'empty', field: 'jsonKey' }, '');
test('jsonKey writes null as JSON', extracts, json, { kind: 'jsonKey', key: 'none', field: 'jsonKey' }, 'null');
test('jsonKey reads a key named like a prototype property', extracts, '{"__proto__": "p", "constructor": "c"}', { kind: 'jsonKey', key: '__proto__', field: 'jsonKey' }, 'p');
test(extracts, json, { kind: 'jmesPath', expression: 'tls.ca', field: 'jmesPath' }, 'PEM');
test('jmesPath writes a projection as JSON', extracts, '{"users":[{"name":"a"},{"name":"b"}]}', { kind: 'jmesPath', expression: 'users[*].name', field: 'jmesPath' }, '["a","b"]');
test('jmesPath writes false as JSON', extracts, '{"on": false}', { kind: 'jmesPath', expression: 'on', field: 'jmesPath' }, 'false');
test('jmesPath works on a top-level list', extracts, '["x","y"]', { kind: 'jmesPath', expression: '[1]', field: 'jmesPath' }, 'y');
test(extracts, `user: admin\npassword: ${SECRET}\n`, { kind: 'yamlKey', key: 'password', field: 'yamlKey' }, SECRET);
test('yamlKey writes a mapping as YAML', extracts, 'tls:\n  ca: PEM\n  key: K\n', { kind: 'yamlKey', key: 'tls', field: 'yamlKey' }, 'ca: PEM\nkey: K\n');
test('yamlKey writes a number as text', extracts, 'port: 5432\n', { kind: 'yamlKey', key: 'port', field: 'yamlKey' }, '5432');
test('yamlKey reads JSON too', extracts, json, { kind: 'yamlKey', key: 'user', field: 'yamlKey' }, 'admin');

test('jsonKey is missing', fails, json, { kind: 'jsonKey', key: 'pass', field: 'jsonKey' }, NotFoundError, 'objects[0].jsonKey: key "pass" is not in the secret');
test('jsonKey is inherited, not own', fails, '{}', { kind: 'jsonKey', key: 'toString', field: 'jsonKey' }, NotFoundError, 'objects[0].jsonKey: key "toString" is not in the secret');
test('jmesPath matches nothing', fails, json, { kind: 'jmesPath', expression: 'tls.cert', field: 'jmesPath' }, NotFoundError, 'objects[0].jmesPath: "tls.cert" matched nothing in the secret');
test('yamlKey is missing', fails, 'a: 1\n', { kind: 'yamlKey', key: 'b', field: 'yamlKey' }, NotFoundError, 'objects[0].yamlKey: key "b" is not in the secret');
test('the secret is not JSON for jsonKey', fails, `password=${SECRET}`, { kind: 'jsonKey', key: 'password', field: 'jsonKey' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test('the secret is truncated JSON', fails, `{"password": "${SECRET}`, { kind: 'jsonKey', key: 'password', field: 'jsonKey' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test('the secret is a JSON list for jsonKey', fails, `["${SECRET}"]`, { kind: 'jsonKey', key: '0', field: 'jsonKey' }, ConfigError, 'objects[0].jsonKey: the secret is not a JSON object');
test('the secret is a JSON string for jsonKey', fails, `"${SECRET}"`, { kind: 'jsonKey', key: 'a', field: 'jsonKey' }, ConfigError, 'objects[0].jsonKey: the secret is not a JSON object');
test('the secret is not JSON for jmesPath', fails, `{${SECRET}}`, { kind: 'jmesPath', expression: 'a', field: 'jmesPath' }, ConfigError, 'objects[0].jmesPath: the secret is not valid JSON');
test('the secret is not valid YAML', fails, `a: [${SECRET}\n`, { kind: 'yamlKey', key: 'a', field: 'yamlKey' }, ConfigError, 'objects[0].yamlKey: the secret is not valid YAML');
test('the secret has a duplicate YAML key', fails, `a: ${SECRET}\na: 2\n`, { kind: 'yamlKey', key: 'a', field: 'yamlKey' }, ConfigError, 'objects[0].yamlKey: the secret is not valid YAML');
test('the secret is a YAML scalar', fails, SECRET, { kind: 'yamlKey', key: 'a', field: 'yamlKey' }, ConfigError, 'objects[0].yamlKey: the secret is not a YAML mapping');
test('the secret is not UTF-8', fails, '\u0000', { kind: 'jsonKey', key: 'a', field: 'jsonKey' }, ConfigError, 'objects[0].jsonKey: the secret is not valid JSON');
test(
  'a JMESPath function is unknown',
  fails,
  json,
  { kind: 'jmesPath', expression: 'shout(password)', field: 'jmesPath' },
  ConfigError,
  'objects[0].jmesPath: "shout(password)" cannot be applied to the secret: Unknown function: shout()',
);
test(
  'a JMESPath function gets the wrong type',
  fails,
  json,
  { kind: 'jmesPath', expression: 'abs(password)', field: 'jmesPath' },
  ConfigError,
  'objects[0].jmesPath: "abs(password)" cannot be applied to the secret: TypeError: abs() expected argument 1 to be type number but received type string instead.',
);

test('fails on bytes that are not UTF-8 without quoting them', (t) => {
  const error = t.throws(() => applyExtract(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d), { kind: 'jsonKey', key: 'a', field: 'jsonKey' }, 'objects[3]'), { instanceOf: ConfigError });
  t.is(error?.message, 'objects[3].jsonKey: the secret is not valid JSON');
});

test('keeps YAML warnings about the secret off stderr', async (t) => {
  const warnings: string[] = [];
  const listener = (warning: Error) => warnings.push(warning.message);
  process.on('warning', listener);
  t.teardown(() => process.off('warning', listener));
  t.is(text(applyExtract(encoder.encode(`a: !${SECRET} b\n`), { kind: 'yamlKey', key: 'a', field: 'yamlKey' }, 'objects[0]')), 'b');
  // process.emitWarning delivers on a later tick.
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(warnings, []);
});

// Errors name the key the class wrote the extraction under, in every dialect.
test('the aws dialect\'s jmesPath entry names its path', fails, json, { kind: 'jmesPath', expression: 'absent', field: 'path' }, NotFoundError, 'objects[0].path: "absent" matched nothing in the secret');
test('the gcp dialect\'s extractJSONKey names itself', fails, json, { kind: 'jsonKey', key: 'absent', field: 'extractJSONKey' }, NotFoundError, 'objects[0].extractJSONKey: key "absent" is not in the secret');

// Budgets, enforced before the work is done.
test(
  'a JMESPath expression that would blow up this secret, which is not evaluated',
  fails,
  json,
  { kind: 'jmesPath', expression: Array.from({ length: 16 }, () => '[@,@]').join(' | '), field: 'jmesPath' },
  ConfigError,
  `objects[0].jmesPath: "${Array.from({ length: 16 }, () => '[@,@]').join(' | ')}" was not evaluated: over this ${json.length}-byte secret it could produce 8.1e+6 bytes, over 4194304 (four times --max-object-bytes)`,
);
test(
  'a YAML secret that expands aliases exponentially',
  fails,
  `a: &a [x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
  { kind: 'yamlKey', key: 'd', field: 'yamlKey' },
  ConfigError,
  'objects[0].yamlKey: the secret expands YAML aliases more than 100 times (budget: a fixed limit against alias bombs)',
);
