import test from 'ava';
import { dialectsOf, planParameters } from '../../src/spc/plan.ts';
import { CATALOG, planContext } from '../helpers/catalog.ts';
import { PERMISSION, planObjects, problems } from './plan-helpers.ts';

const JDBC = [
  '- path: db/jdbc.properties',
  '  mode: "0400"',
  '  template: |',
  '    jdbc:oracle:thin:{{ db.username }}/{{ db.password }}@//192.168.34.212:4464/app',
  '  inputs:',
  '    db:',
  '      source: file:demo/db.json',
].join('\n');

test('plans a template file with its inputs as objects that are not files', (t) => {
  const result = planObjects(JDBC);
  if (!result.ok) return t.fail(problems(result).join('; '));
  t.deepEqual(result.plan.objects, []);
  const [template] = result.plan.templates ?? [];
  t.like(template, { id: 'objects[0]', path: 'db/jdbc.properties', mode: 0o400 });
  t.deepEqual(template?.inputs.map(({ name, object }) => [name, object.id, object.store, object.locator, object.path]), [['db', 'objects[0].inputs.db', 'file', 'demo/db.json', '']]);
});

const reports = test.macro({
  exec(t, objects: string, expected: readonly string[]) {
    t.deepEqual(problems(planObjects(objects)), expected);
  },
  title: (given) => `reports ${given ?? ''}`,
});

test('a reference to an input the template was not given, with line and column', reports, JDBC.replace('{{ db.password }}', '{{ dbb.password }}'), ['objects[0].template: line 1, column 39: "dbb" is not an input; did you mean "db"?']);
test('a template without a path', reports, '- template: "x"', ['objects[0].path: is required for a template: the file to render it into']);
test('a template with a syntax error', reports, '- path: a\n  template: "{% if %}"', ['objects[0].template: line 1, column 6: invalid value expression: ""']);
test('an input name that cannot be used in a template', reports, '- path: a\n  template: "x"\n  inputs:\n    my-db: {source: file:a}', ['objects[0].inputs.my-db: is not an input name: letters, digits and "_", not starting with a digit']);
test('an input with a path of its own', reports, '- path: a\n  template: "{{ db }}"\n  inputs:\n    db: {source: file:a, path: b}', ['objects[0].inputs.db.path: unknown key; did you mean "paht"?'.replace('did you mean "paht"?', 'expected one of source, version, stage, jsonKey, jmesPath, yamlKey, encoding, optional')]);
test('a template path that clashes with a file', reports, `${JDBC}\n- source: file:x\n  path: db/jdbc.properties`, ['objects[1].path: "db/jdbc.properties" is also the path of objects[0]']);

test('another provider\'s dialect takes templates through courier.templates', (t) => {
  const result = planParameters(
    {
      region: 'eu-west-1',
      objects: '- {objectName: prod/db, objectType: secretsmanager}',
      'courier.templates': '- path: url\n  template: "postgres://{{ db.user }}@h/app"\n  inputs:\n    db: {source: "aws-sm:prod/db"}',
    },
    planContext(PERMISSION),
    'aws',
  );
  if (!result.ok) return t.fail(problems(result).join('; '));
  t.deepEqual(result.plan.objects.map((object) => object.path), ['prod_db']);
  t.deepEqual(result.plan.templates?.map((template) => [template.id, template.path]), [['courier.templates[0]', 'url']]);
});

test('the native dialect has no courier.templates key: templates go in objects', (t) => {
  const keys = dialectsOf(CATALOG).get('native')?.parameterKeys.join(', ');
  t.deepEqual(problems(planObjects('- source: file:a', { 'courier.templates': '[]' })), [`courier.templates: unknown parameter for the native dialect; expected ${keys}`]);
});

test('counts templates and their inputs against the object budget', (t) => {
  const context = { ...planContext(PERMISSION), budgets: { ...planContext(PERMISSION).budgets, maxObjects: 2 } };
  t.deepEqual(problems(planParameters({ objects: `${JDBC}\n- source: file:other` }, context)), ['objects: plans 3 objects (files, templates and their inputs), over the budget of 2 per SecretProviderClass (--max-objects)']);
});

test('the object budget is checked before any template is compiled', (t) => {
  const context = { ...planContext(PERMISSION), budgets: { ...planContext(PERMISSION).budgets, maxObjects: 2 } };
  const broken = Array.from({ length: 2 }, (_, index) => `- path: t${index}\n  template: "{% if %}"\n  inputs: {a: {source: "file:a"}}`).join('\n');
  t.deepEqual(problems(planParameters({ objects: broken }, context)), ['objects: plans 4 objects (files, templates and their inputs), over the budget of 2 per SecretProviderClass (--max-objects)']);
});
