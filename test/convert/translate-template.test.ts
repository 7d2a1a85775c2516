import test from 'ava';
import { translateTemplate } from '../../src/convert/translate-template.ts';
import { checkTemplate, compileTemplate, DEFAULT_TEMPLATE_BUDGETS, renderTemplate } from '../../src/transform/template/index.ts';
import { courierValue, GO_CASES, type GoCase } from './go-cases.ts';

const FIELD = 'objects[0].template';

const rendersAsGo = test.macro({
  exec(t, goCase: GoCase) {
    const translated = translateTemplate(goCase.template, { ...(goCase.left ? { left: goCase.left } : {}), ...(goCase.right ? { right: goCase.right } : {}) });
    t.deepEqual(translated.notes.filter((note) => note.severity === 'untranslated'), []);
    const liquid = translated.liquid ?? '';
    t.deepEqual(checkTemplate(liquid, translated.inputs.map((input) => input.name), FIELD), []);
    const inputs = new Map(translated.inputs.map((input) => [input.name, courierValue(input, goCase.secrets)]));
    const bytes = renderTemplate(compileTemplate(liquid, FIELD), inputs, DEFAULT_TEMPLATE_BUDGETS, FIELD);
    t.is(Buffer.from(bytes).toString(goCase.binary ? 'latin1' : 'utf8'), goCase.expected);
  },
  title: (_given, goCase: GoCase) => `${goCase.title} renders the bytes Go writes`,
});

for (const goCase of GO_CASES) test(rendersAsGo, goCase);

const translates = test.macro({
  exec(t, source: string, liquid: string, inputs: ReadonlyArray<{ name: string; path: string; args?: Record<string, string> }>) {
    const translated = translateTemplate(source);
    t.deepEqual(translated.notes.filter((note) => note.severity === 'untranslated'), []);
    t.is(translated.liquid, liquid);
    t.deepEqual(translated.inputs, inputs.map((input) => ({ args: {}, ...input })));
  },
  title: (given) => `translates ${given ?? ''}`,
});

test('the JDBC example into two outputs of one input named after its path', translates,
  '{{- with secret "secrets/db/creds" -}}\njdbc:oracle:thin:{{ .Data.data.username }}/{{ .Data.data.password }}@//192.168.34.212:4464/app\n{{- end }}\n',
  'jdbc:oracle:thin:{{ creds.username }}/{{ creds.password }}@//192.168.34.212:4464/app\n',
  [{ name: 'creds', path: 'secrets/db/creds' }]);
test('a KV version 2 path without its data/ element', translates, '{{ with secret "kv/data/team/app" }}{{ .Data.data.x }}{{ end }}', '{{ app.x }}', [{ name: 'app', path: 'kv/team/app' }]);
test('a KV version 1 or dynamic read as the data itself', translates, '{{ with secret "database/creds/ro" }}{{ .Data.username }}{{ end }}', '{{ ro.username }}', [{ name: 'ro', path: 'database/creds/ro' }]);
test('index into a dashed key and a list element', translates, '{{ with secret "kv/app" }}{{ index .Data "api-key" }}{{ index .Data.hosts 0 }}{{ end }}', '{{ app["api-key"] }}{{ app.hosts[0] }}', [{ name: 'app', path: 'kv/app' }]);
test('range $k, $v into sorted keys and a keyed read', translates, '{{ with secret "kv/app" }}{{ range $k, $v := .Data }}{{ $k }}={{ $v }};{{ end }}{{ end }}', '{% assign keys = app | keys %}{% for k in keys %}{{ k }}={{ app[k] }};{% endfor %}', [{ name: 'app', path: 'kv/app' }]);
test('range with else into a for with else', translates, '{{ with secret "kv/app" }}{{ range .Data.list }}{{ . }}{{ else }}empty{{ end }}{{ end }}', '{% assign keys = app.list | keys %}{% for key in keys %}{{ app.list[key] }}{% else %}empty{% endfor %}', [{ name: 'app', path: 'kv/app' }]);
test('toJSON, toJSONPretty and toYAML into json and yaml', translates, '{{ with secret "kv/app" }}{{ toJSON .Data }}{{ .Data.m | toJSONPretty }}{{ .Data.m | toYAML }}{{ end }}', '{{ app | json }}{{ app.m | json: 2 }}{{ app.m | yaml }}', [{ name: 'app', path: 'kv/app' }]);
test('base64Decode and base64Encode, piped or called', translates, '{{ with secret "kv/app" }}{{ base64Decode .Data.a }}{{ .Data.b | base64Encode }}{{ end }}', '{{ app.a | base64_decode }}{{ app.b | base64_encode }}', [{ name: 'app', path: 'kv/app' }]);
test('a computed variable into an assign', translates, '{{ with secret "kv/app" }}{{ $u := .Data.u | toUpper }}{{ $u }}{{ end }}', '{% assign u = app.u | upcase %}{{ u }}', [{ name: 'app', path: 'kv/app' }]);
test('a secret read with arguments into a write', translates, '{{ with secret "pki/issue/web" "common_name=a.example" "alt_names=b,c" }}{{ .Data.certificate }}{{ end }}', '{{ web.certificate }}', [{ name: 'web', path: 'pki/issue/web', args: { common_name: 'a.example', alt_names: 'b,c' } }]);
test('a leading slash or v1/ off a path', translates, '{{ with secret "/v1/kv/app" }}{{ .Data.x }}{{ end }}', '{{ app.x }}', [{ name: 'app', path: 'kv/app' }]);
test('the same secret read twice into one input', translates, '{{ with secret "kv/app" }}{{ .Data.a }}{{ end }}{{ with secret "kv/app" }}{{ .Data.b }}{{ end }}', '{{ app.a }}{{ app.b }}', [{ name: 'app', path: 'kv/app' }]);
test('two secrets with the same last element into two names', translates, '{{ with secret "kv/a/app" }}{{ .Data.x }}{{ end }}{{ with secret "kv/b/app" }}{{ .Data.x }}{{ end }}', '{{ app.x }}{{ app_2.x }}', [{ name: 'app', path: 'kv/a/app' }, { name: 'app_2', path: 'kv/b/app' }]);
test('a path element that is a Liquid word or not a name into a safe name', translates, '{{ with secret "kv/empty" }}{{ .Data.x }}{{ end }}{{ with secret "kv/9-lives" }}{{ .Data.y }}{{ end }}', '{{ empty_.x }}{{ s_9_lives.y }}', [{ name: 'empty_', path: 'kv/empty' }, { name: 's_9_lives', path: 'kv/9-lives' }]);

test('the input takes the injector\'s secret name when given', (t) => {
  const translated = translateTemplate('{{ with secret "secrets/db/creds" }}{{ .Data.data.u }}{{ end }}', { inputName: { path: 'secrets/db/creds', name: 'db-creds' } });
  t.is(translated.liquid, '{{ db_creds.u }}');
});

const reports = test.macro({
  exec(t, source: string, notes: ReadonlyArray<{ severity: 'untranslated' | 'note'; line?: number; column?: number; message: string }>) {
    const translated = translateTemplate(source);
    t.deepEqual(translated.notes.map((note) => ({ severity: note.severity, ...(note.place ? { line: note.place.line, column: note.place.column } : {}), message: note.message })), notes);
  },
  title: (given) => `reports ${given ?? ''}`,
});

test('pkiCert, and the writeToFile inside its dropped block', reports, 'x\n{{ with pkiCert "pki/issue/a" "common_name=a" }}{{ .Cert | writeToFile "/a" "" "" "0644" }}{{ end }}', [
  { severity: 'untranslated', line: 2, column: 9, message: 'pkiCert: keeps an issued certificate across renders; issue it with `secret "pki/issue/<role>" "common_name=..."` (a write on every Mount) or store it' },
  { severity: 'untranslated', line: 2, column: 60, message: 'writeToFile: writes files beside the template; make each file its own object' },
]);
test('env, file and timestamp', reports, '{{ env "HOME" }}{{ file "/etc/x" }}{{ timestamp }}', [
  { severity: 'untranslated', line: 1, column: 4, message: 'env: templates cannot read environment variables' },
  { severity: 'untranslated', line: 1, column: 20, message: 'file: templates cannot read files' },
  { severity: 'untranslated', line: 1, column: 39, message: 'timestamp: templates cannot read the clock' },
]);
test('a function it does not know', reports, '{{ sprig_upper "a" }}', [{ severity: 'untranslated', line: 1, column: 4, message: 'the function sprig_upper is not translated' }]);
test('KV version 2 metadata', reports, '{{ with secret "kv/data/app" }}{{ .Data.data.x }}{{ .Data.metadata.version }}{{ end }}', [
  { severity: 'untranslated', line: 1, column: 53, message: '.Data.metadata of a KV version 2 secret is not available; Courier reads only .Data.data' },
]);
test('lease fields of a response', reports, '{{ with secret "database/creds/a" }}{{ .LeaseDuration }}{{ end }}', [
  { severity: 'untranslated', line: 1, column: 40, message: '.LeaseDuration of a Vault response (lease and request details) is not available; only .Data is' },
]);
test('a whole secret written in Go\'s map form', reports, '{{ with secret "kv/app" }}{{ .Data }}{{ end }}', [
  { severity: 'untranslated', line: 1, column: 27, message: 'a whole secret is written in Go\'s map[...] form, which Courier does not reproduce; write its keys, or use toJSON' },
]);
test('the else of a with secret', reports, '{{ with secret "kv/app" }}{{ .Data.x }}{{ else }}none{{ end }}', [
  { severity: 'untranslated', line: 1, column: 1, message: 'the else of a with secret block is dropped: Courier fails the Mount when a secret is missing' },
]);
test('define and template', reports, '{{ define "x" }}a{{ end }}{{ template "x" }}', [
  { severity: 'untranslated', line: 1, column: 1, message: 'define: named templates are not supported' },
  { severity: 'untranslated', line: 1, column: 27, message: 'template: named templates are not supported' },
]);
test('conditions with and and or', reports, '{{ with secret "kv/app" }}{{ if and .Data.a .Data.b }}y{{ end }}{{ end }}', [
  { severity: 'untranslated', line: 1, column: 33, message: 'the condition and is not translated; only a value, not, eq and ne are' },
]);
test('a reassigned variable', reports, '{{ $x := "a" }}{{ $x = "b" }}', [{ severity: 'untranslated', line: 1, column: 16, message: 'assigning to an existing variable ($x = ...) is not translated' }]);
test('toJSON\'s HTML escaping as a note', reports, '{{ with secret "kv/app" }}{{ .Data | toJSON }}{{ end }}', [
  { severity: 'note', line: 1, column: 38, message: 'toJSON: Courier\'s json writes <, > and & as they are where Go writes \\u003c, \\u003e and \\u0026 (the JSON means the same)' },
]);
test('a write on every Mount as a note', reports, '{{ with secret "pki/issue/a" "common_name=a" }}{{ .Data.certificate }}{{ end }}', [
  { severity: 'note', message: 'secret "pki/issue/a" with arguments writes to Vault (PUT) on every Mount: with rotation on, a new certificate is issued at each rotation poll' },
]);
test('a template that is not valid Go template syntax', reports, 'ok\n{{ with secret "kv/app" }}{{ .Data.x ', [
  { severity: 'untranslated', line: 2, column: 27, message: 'the template is not valid Go template syntax: unclosed action' },
]);
test('a with that is never ended', reports, '{{ with secret "kv/app" }}{{ .Data.x }}', [
  { severity: 'untranslated', line: 1, column: 1, message: 'the template is not valid Go template syntax: with has no end' },
]);
