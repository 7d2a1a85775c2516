import test from 'ava';
import { checkTemplate, DEFAULT_TEMPLATE_BUDGETS } from '../../../src/transform/template/index.ts';

const FIELD = 'objects[2].template';

const checks = test.macro({
  exec(t, template: string, inputs: readonly string[], messages: readonly string[]) {
    t.deepEqual(checkTemplate(template, inputs, FIELD), messages.map((message) => ({ field: FIELD, message })));
  },
  title: (given) => given ?? '',
});

test('a template that reads only its inputs is clean', checks, 'jdbc:{{ db.username }}/{{ db["password"] }}@{{ host }}', ['db', 'host'], []);
test('names the template assigns, captures or loops over are not inputs', checks, '{% assign u = db.user %}{% capture c %}x{% endcapture %}{% assign k = db | keys %}{% for key in k %}{{ key }}{{ forloop.index }}{% endfor %}{{ u }}{{ c }}', ['db'], []);
test('an unknown name is reported with its line and column and a near input', checks, 'a\nline {{ dbb.user }}', ['db', 'api'], ['line 2, column 9: "dbb" is not an input; did you mean "db"?']);
test('an unknown name far from every input lists the inputs', checks, '{{ secrets.x }}', ['db', 'api'], ['line 1, column 4: "secrets" is not an input; the inputs are db, api']);
test('a template without inputs says so', checks, '{{ x }}', [], ['line 1, column 4: "x" is not an input; the template has no inputs']);
test('each unknown name is reported once, at its first use', checks, '{{ a }}{{ a.b }}{{ b }}', ['db'], ['line 1, column 4: "a" is not an input; the inputs are db', 'line 1, column 20: "b" is not an input; did you mean "db"?']);
test('names used in conditions, filters and loops are checked too', checks, '{% if flag %}{{ db.x | append: suffix }}{% endif %}{% assign k = list | keys %}', ['db'], [
  'line 1, column 7: "flag" is not an input; the inputs are db',
  'line 1, column 32: "suffix" is not an input; the inputs are db',
  'line 1, column 66: "list" is not an input; the inputs are db',
]);
test('a syntax error is the only issue, with its line and column', checks, 'ok\n{% for %}{{ nope }}', ['db'], ['line 2, column 1: illegal tag: {% for %}']);
test('a template over the size budget is reported without parsing', checks, 'x'.repeat(DEFAULT_TEMPLATE_BUDGETS.templateBytes + 1), [], [`is ${DEFAULT_TEMPLATE_BUDGETS.templateBytes + 1} bytes, more than the template size budget of ${DEFAULT_TEMPLATE_BUDGETS.templateBytes}`]);

test('checkTemplate never throws, whatever the text', (t) => {
  for (const text of ['{{', '{%', '{% raw %}', '{{ a | }}', '{% liquid\nfor\n%}', '\u0000{{\u0000}}', '{% comment %}', '}}{{']) {
    t.notThrows(() => checkTemplate(text, ['db'], FIELD), text);
  }
});
