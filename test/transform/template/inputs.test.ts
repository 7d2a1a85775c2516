import test from 'ava';
import { render, renderBytes } from './render.ts';

const reads = test.macro({
  exec(t, input: string | Uint8Array, template: string, expected: string) {
    t.is(render(template, { x: input }), expected);
  },
  title: (given) => given ?? '',
});

test('a JSON object input is addressable by key', reads, '{"user":"app","tls":{"ca":"CA"}}', '{{ x.user }} {{ x.tls.ca }} {{ x["user"] }}', 'app CA app');
test('a YAML mapping input is addressable by key', reads, 'user: app\ntls:\n  ca: CA\n', '{{ x.user }} {{ x.tls.ca }}', 'app CA');
test('a key with a dash is read with brackets', reads, '{"api-key":"K"}', '{{ x["api-key"] }}', 'K');
test('a map input written whole is written as fetched', reads, '{ "b": 1,\n  "a": 2 }', '{{ x }}', '{ "b": 1,\n  "a": 2 }');
test('a text input is text', reads, 'hunter2\n', '[{{ x }}]', '[hunter2\n]');
test('a JSON string input stays text, quotes and all', reads, '"hunter2"', '{{ x }}', '"hunter2"');
test('a JSON list input stays text', reads, '["a","b"]', '{{ x }}', '["a","b"]');
const ENCRYPTED_KEY = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\nMIIB\n-----END RSA PRIVATE KEY-----\n';
test('a PEM input with header lines is text, not YAML', reads, ENCRYPTED_KEY, '{{ x | pem_private_key | size }}', String(ENCRYPTED_KEY.length));
test('a YAML scalar input stays text', reads, '12345', '{{ x }}', '12345');
test('a JSON number keeps its text as Go json.Number does', reads, '{"id":12345678901234567890,"f":1.50,"e":1e3,"n":-7}', '{{ x.id }} {{ x.f }} {{ x.e }} {{ x.n }} {{ x.f | plus: 1 }}', '12345678901234567890 1.50 1e3 -7 2.5');
test('json writes a kept number as its text', reads, '{"id":12345678901234567890,"f":1.50}', '{{ x | json }}', '{"f":1.50,"id":12345678901234567890}');
test('JSON null is written as nothing', reads, '{"none":null}', '[{{ x.none }}]', '[]');
test('a key named __proto__ is an ordinary key', reads, '{"__proto__":"p","constructor":"c"}', '{{ x.__proto__ }} {{ x.constructor }} {{ x | json }}', 'p c {"__proto__":"p","constructor":"c"}');
test('iterating a map gives sorted key and value pairs', reads, '{"b":2,"a":1,"10":3,"2":4}', '{% for e in x %}{{ e[0] }}={{ e[1] }};{% endfor %}', '10=3;2=4;a=1;b=2;');
test('keys sort by code point, as Go sorts map keys', reads, '{"é":1,"z":2,"\uD83D\uDE00":3,"\uFF21":4}', '{% assign k = x | keys %}{{ k | join: "," }}', 'z,é,Ａ,😀');
test('size of a map is its number of keys', reads, '{"a":1,"b":2}', '{{ x.size }}', '2');
test('a YAML mapping with an alias cycle is text', reads, '&a\nb: *a\n', '{{ x }}', '&a\nb: *a\n');
test('YAML 1.2 reads yes and 0400 as text and a number', reads, 'on: yes\nmode: 0400\n', '{{ x.on }} {{ x.mode }}', 'yes 400');

test('a binary input is written only through an encoding function', (t) => {
  t.is(render('{{ x | base64_encode }}', { x: Uint8Array.of(0xc3, 0x28) }), 'wyg=');
});

test('an input that is not valid UTF-8 is binary even when it looks like JSON', (t) => {
  t.is(render('{{ x | hex_encode }}', { x: Uint8Array.of(0x7b, 0xff, 0x7d) }), '7bff7d');
});

test('inputs named like prototype properties are plain names', (t) => {
  // A computed key: `{ __proto__: ... }` in a literal would set the prototype instead.
  t.is(render('{{ constructor }} {{ __proto__.a }}', { constructor: 'c', ['__proto__']: '{"a":"p"}' }), 'c p');
});

test('the file is the exact bytes: text as UTF-8, decoded bytes unchanged', (t) => {
  t.deepEqual([...renderBytes('é{{ "gA==" | base64_decode }}')], [0xc3, 0xa9, 0x80]);
});

test('inputs nested deeper than the stack allows are text, not a crash', (t) => {
  const deepJson = `${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)}`;
  const deepYaml = `${'- '.repeat(5_000)}x\n`;
  t.is(render('{{ x | size }}', { x: deepJson }), String(deepJson.length));
  t.notThrows(() => render('{{ x | size }}', { x: `k: ${'['.repeat(100_000)}` }));
  t.notThrows(() => render('{{ x | size }}', { x: deepYaml }));
});
