import test from 'ava';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { dialectsOf, planOrThrow, planParameters } from '../../src/spc/plan.ts';
import { PERMISSION, planObjects, plannedObjects, problems } from './plan-helpers.ts';
import { CATALOG, planContext } from '../helpers/catalog.ts';

const DIALECTS = dialectsOf(CATALOG);

const context = planContext(PERMISSION);

const reports = test.macro({
  exec(t, objects: string | undefined, expected: readonly string[]) {
    t.deepEqual(problems(planParameters(objects === undefined ? {} : { objects }, context)), expected);
  },
  title: (given, objects: string | undefined) => given ?? `reports objects written as ${JSON.stringify(objects)}`,
});

// The `objects` list itself.
test('reports a missing objects parameter', reports, undefined, ['objects: is required: a YAML list of objects, each with a "source" (or a "template")']);
test(reports, '', ['objects: is required: a YAML list of objects, each with a "source" (or a "template")']);
test(reports, '  \n', ['objects: is required: a YAML list of objects, each with a "source" (or a "template")']);
test(reports, '[]', ['objects: must list at least one object']);
test(reports, 'source: file:x', ['objects: must be a YAML list, not a mapping']);
test(reports, 'file:x', ['objects: must be a YAML list, not a string']);
test(reports, '42', ['objects: must be a YAML list, not a number']);
test(reports, '~', ['objects: must be a YAML list, not null']);
test(reports, '- file:x', ['objects[0]: must be a mapping with at least "source", not a string']);
test(reports, '- [file:x]', ['objects[0]: must be a mapping with at least "source", not a list']);
test(reports, '- ~', ['objects[0]: must be a mapping with at least "source", not null']);

// YAML syntax errors name the position and the error code, never the text.
test(reports, '- source: [file:x', ['objects: is not valid YAML at line 1, column 18: BAD_INDENT']);
test(reports, '- source: file:a\n  source: file:b', ['objects: is not valid YAML at line 2, column 3: DUPLICATE_KEY']);
test(reports, '- source: file:a\n---\n- source: file:b', ['objects: is not valid YAML at line 2, column 1: MULTIPLE_DOCS']);
test(reports, '- source: "file:a\n', ['objects: is not valid YAML at line 2, column 1: MISSING_CHAR']);
test(reports, '- source: file:a\n\t- path: b', ['objects: is not valid YAML at line 2, column 1: TAB_AS_INDENT']);

test('keeps the YAML text out of syntax error messages', (t) => {
  const [message] = problems(planObjects('- source: file:a\n  password: "hunter2-secret'));
  t.false(message?.includes('hunter2') ?? true);
});

// Paths across entries.
test(reports, '- source: file:a\n- source: file:b\n  path: a', ['objects[1].path: "a" is also the path of objects[0]']);
test(reports, '- source: file:a\n- source: aws-sm:prod/a', ['objects[1].path: "a" is also the path of objects[0]']);
test(reports, '- source: file:a\n- source: file:b\n  path: a\n- source: file:c\n  path: a', [
  'objects[1].path: "a" is also the path of objects[0]',
  'objects[2].path: "a" is also the path of objects[0]',
]);
test(reports, '- source: file:a\n- source: file:b\n  path: a/b', ['objects[1].path: "a/b" and "a" (objects[0]) would need one name to be both a file and a directory']);
test(reports, '- source: file:x\n  path: a/b/c\n- source: file:y\n  path: a/b', ['objects[1].path: "a/b" and "a/b/c" (objects[0]) would need one name to be both a file and a directory']);

test('accepts sibling paths that share a prefix', (t) => {
  const objects = plannedObjects(t, planObjects('- source: file:a\n- source: file:ab\n- source: file:a.d/x\n- source: file:dir/a\n- source: file:dir/b'));
  t.deepEqual(
    objects.map((object) => object.path),
    ['a', 'ab', 'a.d/x', 'dir/a', 'dir/b'],
  );
});

test('names each object by its entry', (t) => {
  const objects = plannedObjects(t, planObjects('- source: file:a\n- source: file:b'));
  t.deepEqual(
    objects.map((object) => object.id),
    ['objects[0]', 'objects[1]'],
  );
});

// Top-level parameters and dialects.
test('ignores the driver attributes and accepts the dialect switch', (t) => {
  const result = planParameters(
    { objects: '- source: file:a', dialect: 'native', secretProviderClass: 'app', 'csi.storage.k8s.io/pod.name': 'web-0', 'example.com/anything': 'x' },
    context,
  );
  t.true(result.ok);
  t.is(result.ok ? result.plan.dialect : undefined, 'native');
});

test('reports an unknown top-level parameter before the entries', (t) => {
  const keys = DIALECTS.get('native')?.parameterKeys.join(', ');
  t.deepEqual(problems(planParameters({ objects: '- source: nope', region: 'eu-west-1' }, context)), [
    `region: unknown parameter for the native dialect; expected ${keys}`,
    'objects[0].source: "nope" must be <store>:<locator>, e.g. "file:demo/db.json"',
  ]);
});

test('reports an unknown dialect', (t) => {
  t.deepEqual(problems(planParameters({ objects: '- source: file:a', dialect: 'conjur' }, context)), [
    `dialect: "conjur" is not a dialect; expected one of ${[...DIALECTS.keys()].join(', ')}`,
  ]);
});

test('lists the native dialect first and then each store\'s dialect', (t) => {
  t.deepEqual([...DIALECTS.keys()], ['native', 'aws', 'gcp', 'vault', 'openbao', 'azure']);
});

test('plans in the dialect of the socket when the parameters name none', (t) => {
  const result = planParameters({ objects: '- source: file:a' }, context, 'native');
  t.is(result.ok ? result.plan.dialect : undefined, 'native');
});

test('gives files without a mode the request permission', (t) => {
  const result = planParameters({ objects: '- source: file:a' }, planContext(0o600));
  t.is(plannedObjects(t, result)[0]?.mode, 0o600);
});

// planOrThrow.
test('planOrThrow returns the plan', (t) => {
  t.is(planOrThrow({ objects: '- source: file:a' }, context).objects[0]?.path, 'a');
});

const throws = test.macro({
  exec(t, objects: string, message: string, field: string) {
    const error = t.throws(() => planOrThrow({ objects }, context), { instanceOf: ConfigError });
    t.is(error?.message, message);
    t.is(error?.field, field);
  },
  title: (given) => `planOrThrow ${given ?? ''}`,
});

test('names the only problem', throws, '- source: file:a\n  path: /a', 'objects[0].path: "/a" is absolute; paths are relative to the mount', 'objects[0].path');
test(
  'counts one more problem',
  throws,
  '- source: file:a\n  path: /a\n- source: s3:x',
  'objects[0].path: "/a" is absolute; paths are relative to the mount (and 1 more problem; run "courier validate" to list them)',
  'objects[0].path',
);
test(
  'counts several more problems',
  throws,
  '- source: file:a\n  mode: x\n- source: s3:x\n- 42',
  'objects[0].mode: "x" is not an octal file mode such as "0400" (and 2 more problems; run "courier validate" to list them)',
  'objects[0].mode',
);
