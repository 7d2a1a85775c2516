import test from 'ava';
import { planMirror } from '../../src/spc/mirror-parameter.ts';
import { planParameters } from '../../src/spc/plan.ts';
import type { ObjectSpec } from '../../src/spc/types.ts';
import { planContext } from '../helpers/catalog.ts';

const OBJECTS = `
- source: file:db/creds.json
  path: db.json
- source: file:tls/bundle.pem
  path: tls/bundle.pem
- source: file:maybe.txt
  path: maybe.txt
  optional: true
`;

function objects(): readonly ObjectSpec[] {
  const result = planParameters({ objects: OBJECTS }, planContext(0o644));
  if (!result.ok) throw new Error('fixture objects do not plan');
  return result.plan.objects;
}

function problems(mirror: string): string[] {
  return planMirror({ mirror }, objects()).issues.map((issue) => `${issue.field}: ${issue.message}`);
}

test('a mirror in the driver\'s secretObjects shape parses', (t) => {
  const { mirrors, issues } = planMirror(
    {
      mirror: `
- secretName: web-tls
  type: kubernetes.io/tls
  labels: {team: web}
  annotations: {example.com/owner: web-team}
  data:
    - {objectName: tls/bundle.pem, key: tls.crt}
    - {objectName: tls/bundle.pem, key: tls.key}
`,
    },
    objects(),
  );
  t.deepEqual(issues, []);
  t.deepEqual(mirrors, [
    {
      field: 'mirror[0]',
      secretName: 'web-tls',
      type: 'kubernetes.io/tls',
      labels: { team: 'web' },
      annotations: { 'example.com/owner': 'web-team' },
      data: [
        { field: 'mirror[0].data[0]', objectName: 'tls/bundle.pem', key: 'tls.crt' },
        { field: 'mirror[0].data[1]', objectName: 'tls/bundle.pem', key: 'tls.key' },
      ],
    },
  ]);
});

test('the type defaults to Opaque', (t) => {
  const { mirrors } = planMirror({ mirror: '- {secretName: db, data: [{objectName: db.json, key: creds}]}' }, objects());
  t.is(mirrors[0]?.type, 'Opaque');
});

test('no mirror parameter plans no mirrors', (t) => {
  t.deepEqual(planMirror({}, objects()), { mirrors: [], issues: [] });
});

const rejects = test.macro({
  exec(t, mirror: string, expected: string[]) {
    t.deepEqual(problems(mirror), expected);
  },
  title: (given) => `rejects ${given ?? ''}`,
});

test('a mapping instead of a list', rejects, 'secretName: db', ['mirror: must be a YAML list of Secrets, each with secretName, type and data, not a mapping']);
test('an empty list', rejects, '[]', ['mirror: must be a YAML list of Secrets, each with secretName, type and data, not an empty list']);
test('malformed YAML', rejects, '- secretName: [db', ['mirror: is not valid YAML at line 1, column 18: BAD_INDENT']);
test('a missing secretName', rejects, '- data: [{objectName: db.json, key: creds}]', ['mirror[0].secretName: is required']);
test('an invalid secretName', rejects, '- {secretName: Web_TLS, data: [{objectName: db.json, key: creds}]}', [
  'mirror[0].secretName: "Web_TLS" is not a valid Secret name (lower-case letters, digits, "-" and ".", at most 253 characters)',
]);
test('a namespace, since mirrors live in the pod\'s namespace', rejects, '- {secretName: db, namespace: other, data: [{objectName: db.json, key: creds}]}', [
  'mirror[0].namespace: courier writes a mirror only into the pod\'s own namespace; remove "namespace"',
]);
test('an unknown key', rejects, '- {secretName: db, secretname: x, data: [{objectName: db.json, key: creds}]}', ['mirror[0].secretname: unknown key; did you mean "secretName"?']);
test('an unsupported type', rejects, '- {secretName: db, type: kubernetes.io/service-account-token, data: [{objectName: db.json, key: creds}]}', [
  'mirror[0].type: "kubernetes.io/service-account-token" is not a Secret type courier mirrors; expected one of Opaque, kubernetes.io/tls, kubernetes.io/dockerconfigjson, kubernetes.io/basic-auth, kubernetes.io/ssh-auth',
]);
test('a secretName mirrored twice', rejects, '- {secretName: db, data: [{objectName: db.json, key: a}]}\n- {secretName: db, data: [{objectName: db.json, key: b}]}', [
  'mirror[1].secretName: "db" is already mirrored by mirror[0]',
]);
test('missing data', rejects, '- {secretName: db}', ['mirror[0].data: is required: a list of {objectName, key}']);
test('empty data', rejects, '- {secretName: db, data: []}', ['mirror[0].data: must be a non-empty list of {objectName, key}, not an empty list']);
test('a data entry without a key', rejects, '- {secretName: db, data: [{objectName: db.json}]}', ['mirror[0].data[0].key: is required: the key of the Secret']);
test('an invalid data key', rejects, '- {secretName: db, data: [{objectName: db.json, key: "a/b"}]}', ['mirror[0].data[0].key: "a/b" is not a valid Secret key (letters, digits, "-", "_" and ".")']);
test('a data key set twice', rejects, '- {secretName: db, data: [{objectName: db.json, key: a}, {objectName: tls/bundle.pem, key: a}]}', ['mirror[0].data[1].key: "a" is already set by mirror[0].data[0]']);
test('an objectName that is not a file of the mount', rejects, '- {secretName: db, data: [{objectName: nope.json, key: a}]}', [
  'mirror[0].data[0].objectName: "nope.json" is not a file of this mount; expected one of "db.json", "tls/bundle.pem", "maybe.txt"',
]);
test('an objectName from an optional object', rejects, '- {secretName: db, data: [{objectName: maybe.txt, key: a}]}', [
  'mirror[0].data[0].objectName: "maybe.txt" comes from an optional object (objects[2]); a mirrored file cannot be optional',
]);
test('the managed-by label, which courier sets', rejects, '- {secretName: db, labels: {app.kubernetes.io/managed-by: me}, data: [{objectName: db.json, key: a}]}', [
  'mirror[0].labels.app.kubernetes.io/managed-by: is set by courier to "courier"; remove it',
]);
test('an invalid label value', rejects, '- {secretName: db, labels: {team: "a b"}, data: [{objectName: db.json, key: a}]}', [
  'mirror[0].labels.team: is not a valid label value (at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric)',
]);
test('an invalid annotation key', rejects, '- {secretName: db, annotations: {"bad key": x}, data: [{objectName: db.json, key: a}]}', [
  'mirror[0].annotations.bad key: is not a valid key (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")',
]);
test('a non-string annotation', rejects, '- {secretName: db, annotations: {note: [1]}, data: [{objectName: db.json, key: a}]}', ['mirror[0].annotations.note: must be a string, not a list']);
test('a tls Secret without tls.key', rejects, '- {secretName: web, type: kubernetes.io/tls, data: [{objectName: tls/bundle.pem, key: tls.crt}]}', [
  'mirror[0].data: a kubernetes.io/tls Secret needs the key tls.key',
]);
test('a dockerconfigjson Secret without .dockerconfigjson', rejects, '- {secretName: pull, type: kubernetes.io/dockerconfigjson, data: [{objectName: db.json, key: config.json}]}', [
  'mirror[0].data: a kubernetes.io/dockerconfigjson Secret needs the key .dockerconfigjson',
]);
test('a basic-auth Secret without username or password', rejects, '- {secretName: basic, type: kubernetes.io/basic-auth, data: [{objectName: db.json, key: user}]}', [
  'mirror[0].data: a kubernetes.io/basic-auth Secret needs the key username or password',
]);
test('an ssh-auth Secret without ssh-privatekey', rejects, '- {secretName: ssh, type: kubernetes.io/ssh-auth, data: [{objectName: db.json, key: id_rsa}]}', [
  'mirror[0].data: a kubernetes.io/ssh-auth Secret needs the key ssh-privatekey',
]);

test('planning reports mirror problems with the field named, in any dialect\'s key set', (t) => {
  const result = planParameters({ objects: OBJECTS, mirror: '- {secretName: db, data: [{objectName: nope.json, key: a}]}' }, planContext(0o644));
  t.deepEqual(result.ok ? [] : result.issues.map((issue) => issue.field), ['mirror[0].data[0].objectName']);
});

test('planning accepts a valid mirror parameter', (t) => {
  const result = planParameters({ objects: OBJECTS, mirror: '- {secretName: db, data: [{objectName: db.json, key: creds}]}' }, planContext(0o644));
  t.true(result.ok);
});

test('more Secrets or data items than --max-objects are refused before any is read', (t) => {
  const items = (count: number) => Array.from({ length: count }, (_, index) => `{objectName: nope, key: k${index}}`).join(', ');
  t.deepEqual(problems(`- {secretName: s, data: [${items(257)}]}`), ['mirror[0].data: lists 257 items, over the budget of 256 (--max-objects)']);
  t.deepEqual(
    planMirror({ mirror: Array.from({ length: 3 }, (_, index) => `- {secretName: s${index}, data: [{objectName: db.json, key: a}]}`).join('\n') }, objects(), 2).issues.map((issue) => `${issue.field}: ${issue.message}`),
    ['mirror: lists 3 Secrets, over the budget of 2 (--max-objects)'],
  );
});

test('an unknown objectName lists at most ten of the files, and how many more there are', (t) => {
  const many = Array.from({ length: 30 }, (_, index) => ({ ...objects()[0], path: `f${index}` }) as ObjectSpec);
  const [issue] = planMirror({ mirror: '- {secretName: s, data: [{objectName: nope, key: a}]}' }, many).issues;
  t.is(issue?.message, `"nope" is not a file of this mount; expected one of ${Array.from({ length: 10 }, (_, index) => `"f${index}"`).join(', ')} (and 20 more)`);
});
