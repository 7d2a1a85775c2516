import test from 'ava';
import { ConfigError, CourierError, NotFoundError } from '../../../src/errors/courier-error.ts';
import type { TemplateBudgets } from '../../../src/transform/template/index.ts';
import { render } from './render.ts';

const SECRET = 'hunter2-s3cr3t';
const INPUTS = {
  db: JSON.stringify({ username: 'app', password: SECRET, tls: { ca: SECRET }, hosts: [{ name: SECRET }], deep: JSON.parse(`${'{"a":'.repeat(70)}1${'}'.repeat(70)}`) as unknown }),
  raw: SECRET,
  bin: Uint8Array.of(0xff, 0xfe, 0x00),
};

const fails = test.macro({
  exec(t, template: string, type: typeof ConfigError | typeof NotFoundError, message: string, budgets: Partial<TemplateBudgets> = {}) {
    const error = t.throws(() => render(template, INPUTS, budgets));
    t.true(error instanceof type, `threw ${error?.name ?? 'nothing'}: ${error?.message ?? ''}`);
    t.is(error?.message, `objects[0].template: ${message}`);
    t.is((error as CourierError | undefined)?.field, 'objects[0].template');
    t.false(error?.message.includes(SECRET) ?? true, 'the message quotes a secret');
  },
  title: (given) => `fails when ${given ?? ''}`,
});

// While compiling.
test('the template is over its size budget', fails, 'x'.repeat(101), ConfigError, 'is 101 bytes, more than the template size budget of 100', { templateBytes: 100 });
test('the size budget counts UTF-8 bytes', fails, 'é'.repeat(51), ConfigError, 'is 102 bytes, more than the template size budget of 100', { templateBytes: 100 });
test('a tag is unknown', fails, 'a\n  {% shout %}', ConfigError, 'line 2, column 3: unknown tag "shout"; the tags are assign, capture, case, comment, for, if, unless, raw, break, continue, echo, liquid, #');
test('include is used', fails, '{% include "secrets.txt" %}', ConfigError, 'line 1, column 1: the include tag is not available in Courier templates: templates cannot read other files');
test('render is used', fails, '{% render "x" %}', ConfigError, 'line 1, column 1: the render tag is not available in Courier templates: templates cannot read other files');
test('layout is used', fails, '{% layout "x" %}', ConfigError, 'line 1, column 1: the layout tag is not available in Courier templates: templates cannot read other files');
test('tablerow is used', fails, '{% tablerow x in db.hosts %}{% endtablerow %}', ConfigError, 'line 1, column 1: the tablerow tag is not available in Courier templates: it writes HTML tables');
test('increment is used', fails, '{% increment n %}', ConfigError, 'line 1, column 1: the increment tag is not available in Courier templates: it is not supported');
test('a tag is used inside liquid', fails, '{% liquid\necho 1\ninclude "x" %}', ConfigError, 'line 3, column 1: the include tag is not available in Courier templates: templates cannot read other files');
test('a function is unknown', fails, '{{ db.username | shout }}', ConfigError, 'line 1, column 1: unknown function "shout"; see docs/templates.md for the functions');
test('the date function is used', fails, '{{ "now" | date: "%Y" }}', ConfigError, 'line 1, column 1: unknown function "date"; see docs/templates.md for the functions');
test('an output is not closed', fails, 'x {{ db.username', ConfigError, 'line 1, column 3: output "{{ db.username" not closed');
test('a block is not closed', fails, '{% if db %}x', ConfigError, 'line 1, column 1: tag {% if db %} not closed');
test('an end has no block', fails, 'x{% endif %}', ConfigError, 'line 1, column 2: tag "endif" not found');
test('a condition is empty', fails, '{% if %}x{% endif %}', ConfigError, 'line 1, column 6: invalid value expression: ""');
test('a for tag filters its collection', fails, '{% for k in db | keys %}{% endfor %}', ConfigError, 'line 1, column 1: a for tag cannot apply filters to its collection; assign the result first, e.g. {% assign names = db | keys %}{% for name in names %}');

// While rendering: missing keys.
test('an input has no such key', fails, 'x\n{{ db.passwrd }}', NotFoundError, 'line 2, column 4: input "db" has no key "passwrd"');
test('a nested map has no such key', fails, '{{ db.tls.crt }}', NotFoundError, 'line 1, column 4: "db.tls" has no key "crt"');
test('a quoted key is missing', fails, '{{ db["api-key"] }}', NotFoundError, 'line 1, column 4: input "db" has no key "api-key"');
test('a key named like a prototype property is missing', fails, '{{ db.constructor }}', NotFoundError, 'line 1, column 4: input "db" has no key "constructor"');
test('an assign reads a missing key', fails, '{% assign pw = db.passwrd %}{{ pw }}', NotFoundError, 'line 1, column 16: input "db" has no key "passwrd"');
test('a key given by another value is missing, without quoting that value', fails, '{{ db[raw] }}', NotFoundError, 'line 1, column 4: db[raw] reads a key that is not there');
test('a name is neither an input nor a variable', fails, '{{ nope }}', NotFoundError, 'line 1, column 4: "nope" is not an input or a variable of the template');
test('where reads a key a list element lacks', fails, '{{ db.hosts | where: "admin" | size }}', NotFoundError, 'line 1, column 1: a function (where, map, sort) read a key that an element of the list does not have');
test('where is given a secret as the key, without quoting it', fails, '{{ db.hosts | where: raw | size }}', NotFoundError, 'line 1, column 1: a function (where, map, sort) read a key that an element of the list does not have');

// While rendering: values used the wrong way.
test('a map is written as text', fails, '{{ db.tls }}', ConfigError, 'line 1, column 1: a mapping cannot be used as text; write one of its keys, or format it with json or yaml');
test('a map is passed to a text function', fails, '{{ db.tls | upcase }}', ConfigError, 'line 1, column 1: a mapping cannot be used as text; write one of its keys, or format it with json or yaml');
test('a binary input is written', fails, '{{ bin }}', ConfigError, 'line 1, column 1: input "bin" is binary and cannot be used as text; use base64_encode or hex_encode');
test('a binary input is passed to a text function', fails, '{{ bin | strip }}', ConfigError, 'line 1, column 1: input "bin" is binary and cannot be used as text; use base64_encode or hex_encode');
test('base64_decode gets something that is not base64', fails, '{{ raw | append: "!" | base64_decode }}', ConfigError, 'line 1, column 1: base64_decode: the value is not valid base64');
test('json gets a bad indent', fails, '{{ db.tls | json: 11 }}', ConfigError, 'line 1, column 1: json: the indent must be a whole number from 0 to 10');
test('json gets a binary value', fails, '{{ bin | json }}', ConfigError, 'line 1, column 1: json: the value is binary; base64_encode it first');
test('yaml gets a binary value', fails, '{{ bin | yaml }}', ConfigError, 'line 1, column 1: yaml: the value is binary; base64_encode it first');
test('json gets a value nested too deep', fails, '{{ db.deep | json }}', ConfigError, 'line 1, column 1: the value is nested more than 64 levels deep');
test('keys gets text', fails, '{% assign k = raw | keys %}', ConfigError, 'line 1, column 1: keys: the value is not a map or a list');
test('pem_certificate gets no PEM', fails, '{{ raw | pem_certificate }}', ConfigError, 'line 1, column 1: pem_certificate: the value holds no PEM block');
test('pem_chain gets a key but no certificate', fails, '{{ "-----BEGIN PRIVATE KEY-----\nA\n-----END PRIVATE KEY-----" | pem_chain }}', ConfigError, 'line 1, column 1: pem_chain: the value holds no certificate');
test('pem_private_key gets only certificates', fails, '{{ "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----" | pem_private_key }}', ConfigError, 'line 1, column 1: pem_private_key: the value holds no private key');

// While rendering: budgets.
test('the output budget is spent', fails, '{% for i in (1..100) %}{{ raw }}{% endfor %}', ConfigError, 'line 1, column 24: the template writes more than 100 bytes (its output budget)', { outputBytes: 100 });
test('captured text spends the output budget', fails, '{% capture a %}{% for i in (1..100) %}{{ raw }}{% endfor %}{% endcapture %}', ConfigError, 'line 1, column 39: the template writes more than 100 bytes (its output budget)', { outputBytes: 100 });
test('the step budget is spent', fails, '{% for i in (1..50) %}{% for j in (1..50) %}{% endfor %}{% endfor %}', ConfigError, 'line 1, column 23: the template takes more than 1000 render steps (its step budget)', { steps: 1000 });
test('the memory budget is spent', fails, '{% for i in (1..1000000) %}{% endfor %}', ConfigError, 'line 1, column 1: the template allocates more than its memory budget (1000)', { memory: 1000 });
test('fails when the time budget is spent', (t) => {
  // LiquidJS checks the clock before each node; the loop is charged, so the message names its line.
  // (The first check, before any node, would have no position: allowed, since the clock decides.)
  const error = t.throws(() => render('{% for i in (1..1000000) %}{{ i }}{% endfor %}', INPUTS, { renderMs: 1, steps: 10_000_000, outputBytes: 100_000_000, memory: 100_000_000 }), { instanceOf: ConfigError });
  t.true(
    ['objects[0].template: line 1, column 1: the template renders for longer than its time budget (1 ms)', 'objects[0].template: the template renders for longer than its time budget (1 ms)'].includes(error?.message ?? ''),
    error?.message,
  );
});
