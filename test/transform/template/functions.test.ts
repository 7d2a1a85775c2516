import { createHash, createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { ConfigError } from '../../../src/errors/courier-error.ts';
import { COURIER_FILTERS, LIQUID_FILTERS } from '../../../src/transform/template/filters/index.ts';
import { render, renderBytes } from './render.ts';

const DB = JSON.stringify({ username: 'app', password: "p'a\"ss$`\\w\nrd", port: 5432, tls: { ca: 'CA', crt: 'CRT' }, hosts: ['a', 'b'], 'api-key': 'K-1', empty: '' });
const CERT_1 = '-----BEGIN CERTIFICATE-----\nMIIBleaf\n-----END CERTIFICATE-----';
const CERT_2 = '-----BEGIN CERTIFICATE-----\nMIIBintermediate\n-----END CERTIFICATE-----';
const CERT_3 = '-----BEGIN CERTIFICATE-----\nMIIBroot\n-----END CERTIFICATE-----';
const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIkey\n-----END EC PRIVATE KEY-----';
const BUNDLE = `${CERT_1}\n${KEY}\r\n${CERT_2}\n${CERT_3}\n`;
const INPUTS = { db: DB, raw: '  hunter2 \n', bundle: BUNDLE, bin: Uint8Array.of(0x00, 0xff, 0xfe, 0x41), chain: JSON.stringify({ ca_chain: [CERT_2, CERT_3] }), team: JSON.stringify({ members: [{ name: 'ann', admin: true }, null, { name: 'bob', admin: false }] }) };

const renders = test.macro({
  exec(t, template: string, expected: string) {
    t.is(render(template, INPUTS), expected);
  },
  title: (given, template: string) => given ?? `renders ${template}`,
});

// Courier's functions.
test('base64_encode encodes text', renders, '{{ db.username | base64_encode }}', 'YXBw');
test('base64_encode encodes a binary input', renders, '{{ bin | base64_encode }}', 'AP/+QQ==');
test('base64_encode encodes a map input as fetched', renders, '{{ db | base64_encode }}', Buffer.from(DB).toString('base64'));
test('base64_decode decodes to text', renders, '{{ "aHVudGVyMg==" | base64_decode }}', 'hunter2');
test('base64_decode ignores whitespace and takes the URL alphabet', renders, '{{ "aHVu\\ndGVy Mg" | base64_decode }}|{{ "-_8" | base64_decode | base64_encode }}', 'hunter2|+/8=');
test('hex_encode writes lowercase hex of a binary input', renders, '{{ bin | hex_encode }}', '00fffe41');
test('json writes a map compact with sorted keys', renders, '{{ db.tls | json }}', '{"ca":"CA","crt":"CRT"}');
test('json writes text as a JSON string', renders, '{{ db.password | json }}', JSON.stringify("p'a\"ss$`\\w\nrd"));
test('json indents by the given number of spaces', renders, '{{ db.tls | json: 2 }}', '{\n  "ca": "CA",\n  "crt": "CRT"\n}');
test('json writes lists and numbers', renders, '{{ db.hosts | json }} {{ db.port | json }}', '["a","b"] 5432');
test('yaml writes a map with sorted keys', renders, '{{ db.tls | yaml }}', 'ca: CA\ncrt: CRT\n');
test('keys lists a map\'s keys sorted', renders, '{% assign names = db | keys %}{{ names | join: "," }}', 'api-key,empty,hosts,password,port,tls,username');
test('keys lists a list\'s indexes', renders, '{% assign names = db.hosts | keys %}{{ names | join: "," }}', '0,1');
test('sh_quote makes one shell word of any value', renders, '{{ db.password | sh_quote }}', `'p'\\''a"ss$\`\\w\nrd'`);
test('env_quote writes one double-quoted line', renders, 'PASSWORD={{ db.password | env_quote }}', 'PASSWORD="p\'a\\"ss\\$\\`\\\\w\\nrd"');
test('pem_certificate picks the first certificate', renders, '{{ bundle | pem_certificate }}', `${CERT_1}\n`);
test('pem_chain picks the certificates after the first', renders, '{{ bundle | pem_chain }}', `${CERT_2}\n${CERT_3}\n`);
test('pem_chain of a list of PEM texts reads them as one', renders, '{{ chain.ca_chain | pem_chain }}', `${CERT_3}\n`);
test('pem_private_key picks the key', renders, '{{ bundle | pem_private_key }}', `${KEY}\n`);
test('pem_chain of a lone certificate is empty', renders, '[{{ db.tls.ca | append: "" | prepend: "" }}]{{ "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----" | pem_chain }}', '[CA]');

// LiquidJS's functions that templates keep.
test('default replaces a missing key', renders, '{{ db.none | default: "fallback" }}', 'fallback');
test('default replaces an empty value', renders, '{{ db.empty | default: "fallback" }}', 'fallback');
test('strip, lstrip and rstrip trim whitespace', renders, '[{{ raw | strip }}][{{ raw | lstrip }}][{{ raw | rstrip }}]', '[hunter2][hunter2 \n][  hunter2]');
test('strip_newlines drops newlines', renders, '{{ raw | strip_newlines }}', '  hunter2 ');
test('upcase, downcase and capitalize change case', renders, '{{ db.username | upcase }} {{ "ABC" | downcase }} {{ "abc" | capitalize }}', 'APP abc Abc');
test('append and prepend join text', renders, '{{ db.username | append: "@" | prepend: "user=" }}', 'user=app@');
test('replace, replace_first and replace_last substitute text', renders, '{{ "a-b-c" | replace: "-", "+" }} {{ "a-b-c" | replace_first: "-", "+" }} {{ "a-b-c" | replace_last: "-", "+" }}', 'a+b+c a+b-c a-b+c');
test('remove, remove_first and remove_last delete text', renders, '{{ "a-b-c" | remove: "-" }} {{ "a-b-c" | remove_first: "-" }} {{ "a-b-c" | remove_last: "-" }}', 'abc ab-c a-bc');
test('split, join, first, last and size work on lists', renders, '{% assign parts = "x,y,z" | split: "," %}{{ parts | join: ";" }} {{ parts | first }} {{ parts | last }} {{ parts | size }}', 'x;y;z x z 3');
test('slice and truncate cut text', renders, '{{ "hunter2" | slice: 0, 4 }} {{ "hunter2" | truncate: 5, "." }}', 'hunt hunt.');
test('url_encode and url_decode escape for URLs', renders, '{{ "p@ss w/rd" | url_encode }} {{ "p%40ss" | url_decode }}', 'p%40ss+w%2Frd p@ss');
test('escape writes HTML entities', renders, '{{ "<a&b>" | escape }}', '&lt;a&amp;b&gt;');
test('arithmetic filters compute on numbers', renders, '{{ db.port | plus: 1 }} {{ 10 | minus: 3 }} {{ 4 | times: 2 }} {{ 9 | divided_by: 2 }} {{ 9 | divided_by: 2.0 }} {{ 9 | modulo: 4 }} {{ -3 | abs }} {{ 2 | at_least: 5 }} {{ 9 | at_most: 5 }} {{ 2.5 | round }} {{ 2.7 | floor }} {{ 2.1 | ceil }}', '5433 7 8 4.5 4.5 1 3 5 5 3 2 3');
test('list filters sort, dedupe, reverse, map, compact, concat and filter', renders, '{% assign l = "b,a,b,c" | split: "," %}{{ l | sort | join }} {{ l | sort_natural | join }} {{ l | uniq | join }} {{ l | reverse | join }} {{ l | concat: l | size }}', 'a b b c a b b c b a c c b a b 8');
test('map, where and compact read lists of maps', renders, '{% assign people = team.members | compact %}{% assign admins = people | where: "admin", true | map: "name" %}{{ admins | join: "," }} {{ people | map: "name" | join: "," }}', 'ann ann,bob');
test('sha256 and hmac_sha256 digest text', renders, '{{ "abc" | sha256 }} {{ "abc" | hmac_sha256: "k" }}', `${createHash('sha256').update('abc').digest('hex')} ${createHmac('sha256', 'k').update('abc').digest('hex')}`);

test('every function a template may call has a row in this file and in docs/templates.md', async (t) => {
  const here = await readFile(fileURLToPath(import.meta.url), 'utf8');
  const docs = await readFile(fileURLToPath(new URL('../../../docs/templates.md', import.meta.url)), 'utf8');
  for (const name of [...LIQUID_FILTERS, ...Object.keys(COURIER_FILTERS)]) {
    t.true(new RegExp(`\\| ${name}\\b`).test(here), `no test row uses ${name}`);
    t.true(docs.includes(`\`${name}\``), `docs/templates.md does not document ${name}`);
  }
});

test('the LiquidJS filters kept are exactly the documented set', (t) => {
  // A filter added here needs a row above and an entry in docs/templates.md.
  t.deepEqual([...LIQUID_FILTERS].sort(), [
    'abs', 'append', 'at_least', 'at_most', 'capitalize', 'ceil', 'compact', 'concat', 'default', 'divided_by', 'downcase', 'escape', 'first', 'floor',
    'hmac_sha256', 'join', 'last', 'lstrip', 'map', 'minus', 'modulo', 'plus', 'prepend', 'remove', 'remove_first', 'remove_last', 'replace', 'replace_first',
    'replace_last', 'reverse', 'round', 'rstrip', 'sha256', 'size', 'slice', 'sort', 'sort_natural', 'split', 'strip', 'strip_newlines', 'times', 'truncate',
    'uniq', 'upcase', 'url_decode', 'url_encode', 'where',
  ]);
});

test('base64_decode keeps bytes that are not text and writes them unchanged', (t) => {
  t.deepEqual([...renderBytes('{{ "AP/+QQ==" | base64_decode }}')], [0x00, 0xff, 0xfe, 0x41]);
});

test('a text value that is binary after base64_decode cannot be changed as text', (t) => {
  const error = t.throws(() => render('{{ "AP/+QQ==" | base64_decode | upcase }}'), { instanceOf: ConfigError });
  t.is(error?.message, 'objects[0].template: line 1, column 1: the output of base64_decode is binary and cannot be used as text; use base64_encode or hex_encode');
});
