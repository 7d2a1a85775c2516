import test from 'ava';
import type { ObjectSpec } from '../../src/spc/types.ts';
import { planObjects, plannedObjects, problems } from './plan-helpers.ts';

/** Plans one `objects` entry written as YAML mapping lines (indented under `- `). */
function entry(lines: string): string {
  return `- ${lines.split('\n').join('\n  ')}\n`;
}

const accepts = test.macro({
  exec(t, lines: string, expected: Partial<ObjectSpec>) {
    const [object] = plannedObjects(t, planObjects(entry(lines)));
    t.like(object, expected);
  },
  title: (given, lines: string) => given ?? `accepts ${JSON.stringify(lines)}`,
});

const reports = test.macro({
  exec(t, lines: string, expected: readonly string[]) {
    t.deepEqual(problems(planObjects(entry(lines))), expected);
  },
  title: (given, lines: string) => given ?? `reports ${JSON.stringify(lines)}`,
});

test('plans a file source with every default filled in', (t) => {
  t.deepEqual(plannedObjects(t, planObjects(entry('source: file:demo/db.json'))), [
    { id: 'objects[0]', store: 'file', locator: 'demo/db.json', storeParams: {}, path: 'demo/db.json', mode: 0o644, encoding: 'utf-8', optional: false },
  ]);
});

test('accepts every field at once', (t) => {
  const yaml = entry('source: file:demo/db.json\npath: db/config.json\nmode: "0400"\nversion: "3"\nstage: AWSCURRENT\njsonKey: password\nencoding: base64\noptional: true');
  t.deepEqual(plannedObjects(t, planObjects(yaml)), [
    {
      id: 'objects[0]',
      store: 'file',
      locator: 'demo/db.json',
      version: '3',
      stage: 'AWSCURRENT',
      storeParams: {},
      path: 'db/config.json',
      mode: 0o400,
      extract: { kind: 'jsonKey', key: 'password', field: 'jsonKey' },
      encoding: 'base64',
      optional: true,
    },
  ]);
});

// Sources and the paths derived from them.
test(accepts, 'source: aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf', {
  store: 'aws-sm',
  locator: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
  path: 'db-AbCdEf',
});
test(accepts, 'source: aws-sm:prod/db', { store: 'aws-sm', locator: 'prod/db', path: 'db' });
test(accepts, 'source: aws-ssm:/app/db/password', { store: 'aws-ssm', locator: '/app/db/password', path: 'password' });
test(accepts, 'source: gcp-sm:projects/p/secrets/db-pass/versions/3', { store: 'gcp-sm', locator: 'projects/p/secrets/db-pass/versions/3', path: 'db-pass' });
test(accepts, 'source: aws-ssm:/app/prod/db', { store: 'aws-ssm', locator: '/app/prod/db', path: 'db' });
test(accepts, 'source: file:.env', { locator: '.env', path: '.env' });
test(accepts, 'source: file:demo/db.json\npath: app/db.json', { locator: 'demo/db.json', path: 'app/db.json' });
test(accepts, 'source: file:x\npath: 42', { path: '42' });

// Modes: YAML 1.1 integers (0400 is octal), decimal integers, octal strings.
test(accepts, 'source: file:x\nmode: 0400', { mode: 0o400 });
test(accepts, 'source: file:x\nmode: 256', { mode: 0o400 });
test(accepts, 'source: file:x\nmode: 0', { mode: 0 });
test(accepts, 'source: file:x\nmode: "0400"', { mode: 0o400 });
test(accepts, 'source: file:x\nmode: "400"', { mode: 0o400 });
test(accepts, 'source: file:x\nmode: "0o400"', { mode: 0o400 });
test(accepts, 'source: file:x\nmode: 0o440', { mode: 0o440 });
test(accepts, 'source: file:x\nmode: "0777"', { mode: 0o777 });
test(accepts, 'source: file:x\nmode: ~', { mode: 0o644 });

// Version, stage, optional, encoding, extraction.
test(accepts, 'source: file:x\nversion: 3', { version: '3' });
test(accepts, 'source: file:x\nversion: v2', { version: 'v2' });
test(accepts, 'source: aws-sm:db\nstage: AWSPREVIOUS', { stage: 'AWSPREVIOUS' });
test(accepts, 'source: file:x\noptional: true', { optional: true });
test(accepts, 'source: file:x\noptional: "false"', { optional: false });
test(accepts, 'source: file:x\noptional: yes', { optional: true });
test(accepts, 'source: file:x\nencoding: utf-8', { encoding: 'utf-8' });
test(accepts, 'source: file:x\nencoding: BASE64', { encoding: 'base64' });
test(accepts, 'source: file:x\nencoding: hex', { encoding: 'hex' });
test(accepts, 'source: file:x\njsonKey: password', { extract: { kind: 'jsonKey', key: 'password', field: 'jsonKey' } });
test(accepts, 'source: file:x\njsonKey: 0', { extract: { kind: 'jsonKey', key: '0', field: 'jsonKey' } });
test(accepts, 'source: file:x\njmesPath: "db.users[0].password"', { extract: { kind: 'jmesPath', expression: 'db.users[0].password', field: 'jmesPath' } });
test(accepts, 'source: file:x\nyamlKey: token', { extract: { kind: 'yamlKey', key: 'token', field: 'yamlKey' } });

// Sources that cannot be used.
test(reports, 'path: x', ['objects[0].source: is required, e.g. "file:demo/db.json"']);
test(reports, 'source: ~', ['objects[0].source: is required, e.g. "file:demo/db.json"']);
test(reports, 'source: ""', ['objects[0].source: must not be empty']);
test(reports, 'source: [file:x]', ['objects[0].source: must be a string, not a list']);
test(reports, 'source: demo/db.json', ['objects[0].source: "demo/db.json" must be <store>:<locator>, e.g. "file:demo/db.json"']);
test(reports, 'source: ":x"', ['objects[0].source: ":x" must be <store>:<locator>, e.g. "file:demo/db.json"']);
test(reports, 'source: s3:bucket/key', ['objects[0].source: unknown store "s3"; expected one of file, aws-sm, aws-ssm, gcp-sm, vault, azure-kv']);
test(reports, 'source: "file:"', ['objects[0].source: "file:" has no locator after "file:"']);
test(reports, 'source: file:../etc/passwd', ['objects[0].source: file locator "../etc/passwd" leaves the local store ("..")']);
test(reports, 'source: file:/etc/passwd', ['objects[0].source: file locator "/etc/passwd" is absolute; paths are relative to the local store']);
test(reports, 'source: file:a//b', ['objects[0].source: file locator "a//b" is not in clean form; write "a/b"']);
test(reports, 'source: file:.', ['objects[0].source: file locator "." names the local store itself, not a file in it']);
test(reports, 'source: "file:the mount/../x"', ['objects[0].source: file locator "the mount/../x" leaves the local store ("..")']);

// Paths.
test(reports, 'source: aws-sm:..hidden', ['objects[0].path: "..hidden" starts with "..", which is reserved for the atomic writer (derived from the source; set "path")']);
test(reports, 'source: file:x\npath: /etc/x', ['objects[0].path: "/etc/x" is absolute; paths are relative to the mount']);
test(reports, 'source: file:x\npath: ../x', ['objects[0].path: "../x" leaves the mount ("..")']);
test(reports, 'source: file:x\npath: a/./b', ['objects[0].path: "a/./b" is not in clean form; write "a/b"']);
test(reports, 'source: file:x\npath: ..data', ['objects[0].path: "..data" starts with "..", which is reserved for the atomic writer']);
test(reports, 'source: file:x\npath: ""', ['objects[0].path: must not be empty']);
test(reports, 'source: file:x\npath: [a]', ['objects[0].path: must be a string, not a list']);

// Modes.
test(reports, 'source: file:x\nmode: "0999"', ['objects[0].mode: "0999" is not an octal file mode such as "0400"']);
test(reports, 'source: file:x\nmode: 0999', ['objects[0].mode: 999 (octal 01747) is more than 0777; only permission bits may be set']);
test(reports, 'source: file:x\nmode: 01777', ['objects[0].mode: 1023 (octal 01777) is more than 0777; only permission bits may be set']);
test(reports, 'source: file:x\nmode: 0o1777', ['objects[0].mode: "0o1777" is not an octal file mode such as "0400"']);
test(reports, 'source: file:x\nmode: -1', ['objects[0].mode: -1 is not a file mode between 0 and 0777']);
test(reports, 'source: file:x\nmode: 1.5', ['objects[0].mode: 1.5 is not a file mode between 0 and 0777']);
test(reports, 'source: file:x\nmode: rw-r--r--', ['objects[0].mode: "rw-r--r--" is not an octal file mode such as "0400"']);
test(reports, 'source: file:x\nmode: true', ['objects[0].mode: must be an octal string such as "0400" or an integer']);

// Other fields of the wrong type or value.
test(reports, 'source: file:x\nversion: [1]', ['objects[0].version: must be a string, not a list']);
test(reports, 'source: file:x\nversion: {id: 1}', ['objects[0].version: must be a string, not a mapping']);
test(reports, 'source: file:x\nversion: ""', ['objects[0].version: must not be empty']);
test(reports, 'source: file:x\nversion: 2001-12-14', ['objects[0].version: must be a string, not a date; quote it']);
test(reports, 'source: file:x\nstage: true', ['objects[0].stage: must be a string, not a boolean']);
test(reports, 'source: file:x\noptional: "yes"', ['objects[0].optional: must be true or false, not a string']);
test(reports, 'source: file:x\noptional: 1', ['objects[0].optional: must be true or false, not a number']);
test(reports, 'source: file:x\nencoding: base32', ['objects[0].encoding: "base32" is not one of utf-8, base64, hex']);
test(reports, 'source: file:x\nencoding: 64', ['objects[0].encoding: "64" is not one of utf-8, base64, hex']);
test(reports, 'source: file:x\njsonKey: ""', ['objects[0].jsonKey: must not be empty']);

// Extraction.
test(reports, 'source: file:x\njsonKey: a\njmesPath: b', ['objects[0]: jsonKey, jmesPath and yamlKey are mutually exclusive; use one']);
test(reports, 'source: file:x\njsonKey: a\nyamlKey: b', ['objects[0]: jsonKey, jmesPath and yamlKey are mutually exclusive; use one']);
test(reports, 'source: file:x\njsonKey: a\njmesPath: b\nyamlKey: c', ['objects[0]: jsonKey, jmesPath and yamlKey are mutually exclusive; use one']);
test(reports, 'source: file:x\njmesPath: "a["', ['objects[0].jmesPath: is not a valid JMESPath expression: Expected Star, got: EOF']);
test(reports, 'source: file:x\njmesPath: "a ^ b"', ['objects[0].jmesPath: is not a valid JMESPath expression: Unknown character:^']);

// Unknown keys.
test(reports, 'source: file:x\njsonkey: a', ['objects[0].jsonkey: unknown key; did you mean "jsonKey"?']);
test(reports, 'source: file:x\nJMESPath: a', ['objects[0].JMESPath: unknown key; did you mean "jmesPath"?']);
test(reports, 'source: file:x\nencodng: hex', ['objects[0].encodng: unknown key; did you mean "encoding"?']);
test(reports, 'source: file:x\npaht: a', ['objects[0].paht: unknown key; did you mean "path"?']);
test(reports, 'sorce: file:x', ['objects[0].sorce: unknown key; did you mean "source"?', 'objects[0].source: is required, e.g. "file:demo/db.json"']);
test(reports, 'source: file:x\ncolour: red', [
  'objects[0].colour: unknown key; expected one of source, path, mode, version, stage, jsonKey, jmesPath, yamlKey, encoding, optional',
]);

test('reports every problem of one entry', (t) => {
  t.deepEqual(problems(planObjects(entry('source: file:x\npath: /x\nmode: "9"\nencoding: rot13\nextra: 1'))), [
    'objects[0].extra: unknown key; expected one of source, path, mode, version, stage, jsonKey, jmesPath, yamlKey, encoding, optional',
    'objects[0].mode: "9" is not an octal file mode such as "0400"',
    'objects[0].encoding: "rot13" is not one of utf-8, base64, hex',
    'objects[0].path: "/x" is absolute; paths are relative to the mount',
  ]);
});

test('names each entry by its index', (t) => {
  const yaml = `${entry('source: file:a')}${entry('source: file:b\nmode: x')}${entry('source: nope')}`;
  t.deepEqual(problems(planObjects(yaml)), [
    'objects[1].mode: "x" is not an octal file mode such as "0400"',
    'objects[2].source: "nope" must be <store>:<locator>, e.g. "file:demo/db.json"',
  ]);
});
