import test from 'ava';
import { NotFoundError } from '../../../src/errors/courier-error.ts';
import { DEFAULT_TEMPLATE_BUDGETS, compileTemplate, renderTemplate } from '../../../src/transform/template/index.ts';
import { createEngine, TEMPLATE_TAGS } from '../../../src/transform/template/engine.ts';
import { COURIER_FILTERS, LIQUID_FILTERS } from '../../../src/transform/template/filters/index.ts';
import { FIELD, inputsOf, render } from './render.ts';

test('the engine has exactly the documented tags', (t) => {
  t.deepEqual(Object.keys(createEngine(DEFAULT_TEMPLATE_BUDGETS).tags).sort(), [...TEMPLATE_TAGS].sort());
});

test('the engine has exactly the documented functions', (t) => {
  t.deepEqual(Object.keys(createEngine(DEFAULT_TEMPLATE_BUDGETS).filters).sort(), [...LIQUID_FILTERS, ...Object.keys(COURIER_FILTERS)].sort());
});

test('the engine cannot read files even if a tag asked', (t) => {
  const { fs } = createEngine(DEFAULT_TEMPLATE_BUDGETS).options;
  t.throws(() => fs.readFileSync('/etc/passwd'), { message: 'templates cannot read files' });
  t.false(fs.existsSync('/etc/passwd'));
});

test('a template sees no environment variables and no process', (t) => {
  for (const name of ['env', 'process', 'ENV', 'globalThis', 'require']) {
    const error = t.throws(() => render(`{{ ${name} }}`), { instanceOf: NotFoundError });
    t.is(error?.message, `objects[0].template: line 1, column 4: "${name}" is not an input or a variable of the template`);
  }
});

test('a template cannot reach prototype properties of its inputs', (t) => {
  const error = t.throws(() => render('{{ db.constructor.name }}', { db: '{"a":1}' }), { instanceOf: NotFoundError });
  t.is(error?.message, 'objects[0].template: line 1, column 4: input "db" has no key "constructor"');
  t.throws(() => render('{{ db.toString }}', { db: '{"a":1}' }), { instanceOf: NotFoundError });
  t.throws(() => render('{{ db.hasOwnProperty }}', { db: '{"a":1}' }), { instanceOf: NotFoundError });
});

test('renders of one compiled template share nothing', (t) => {
  const compiled = compileTemplate('{% if seen %}leaked{% endif %}{% assign seen = "yes" %}{{ seen }}', FIELD);
  const once = () => Buffer.from(renderTemplate(compiled, inputsOf({}), DEFAULT_TEMPLATE_BUDGETS, FIELD)).toString();
  t.is(once(), 'yes');
  t.is(once(), 'yes');
});

test('a step budget spent by one render does not carry over to the next', (t) => {
  const budgets = { ...DEFAULT_TEMPLATE_BUDGETS, steps: 30 };
  const compiled = compileTemplate('{% for i in (1..20) %}{{ i }}{% endfor %}', FIELD, budgets);
  for (let i = 0; i < 5; i += 1) t.is(Buffer.from(renderTemplate(compiled, inputsOf({}), budgets, FIELD)).length, 31);
});

test('whitespace control trims around tags and outputs as in Liquid', (t) => {
  t.is(render('a  \n  {%- if db -%}  \n  b  \n  {%- endif -%}  \n  c {{- " d " -}} e', { db: '{"x":1}' }), 'abc d e');
});

test('an if on a missing key is false and default fills it', (t) => {
  t.is(render('{% if db.tls %}tls{% else %}plain{% endif %} {{ db.port | default: 5432 }}', { db: '{"host":"h"}' }), 'plain 5432');
});

test('raw keeps Liquid syntax as text', (t) => {
  t.is(render('{% raw %}{{ not.a.variable }}{% endraw %}'), '{{ not.a.variable }}');
});
