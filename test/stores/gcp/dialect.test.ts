import test from 'ava';
import fc from 'fast-check';
import { planParameters } from '../../../src/spc/plan.ts';
import type { PlanResult } from '../../../src/spc/types.ts';
import { PERMISSION, plannedObjects, problems } from '../../spc/plan-helpers.ts';
import { planContext } from '../../helpers/catalog.ts';

const NAME = 'projects/p1/secrets/db/versions/latest';
const plan = (secrets: string, parameters: Record<string, string> = {}): PlanResult => planParameters({ secrets, ...parameters }, planContext(PERMISSION), 'gcp');

test('plans the Google provider example with two paths from one secret', (t) => {
  const objects = plannedObjects(t, plan(`- resourceName: "${NAME}"\n  path: "good1.txt"\n- resourceName: "${NAME}"\n  fileName: "good2.txt"\n`));
  t.deepEqual(
    objects.map((object) => [object.id, object.store, object.locator, object.path, object.mode, object.encoding]),
    [
      ['secrets[0]', 'gcp-sm', NAME, 'good1.txt', PERMISSION, 'utf-8'],
      ['secrets[1]', 'gcp-sm', NAME, 'good2.txt', PERMISSION, 'utf-8'],
    ],
  );
});

test('path wins over fileName', (t) => {
  const [object] = plannedObjects(t, plan(`- resourceName: ${NAME}\n  path: a/b.txt\n  fileName: ignored.txt\n`));
  t.is(object?.path, 'a/b.txt');
});

const modes = test.macro((t, written: string, expected: number) => {
  const [object] = plannedObjects(t, plan(`- resourceName: ${NAME}\n  path: f\n  mode: ${written}\n`));
  t.is(object?.mode, expected);
});
test('reads mode 0400 as octal', modes, '0400', 0o400);
test('reads mode 256 as decimal, as the Google provider does', modes, '256', 0o400);
test('reads mode 511 as 0777', modes, '511', 0o777);

test('carries extractJSONKey, extractYAMLKey and auth into the plan', (t) => {
  const objects = plannedObjects(t, plan(`- resourceName: ${NAME}\n  path: user\n  extractJSONKey: user\n- resourceName: ${NAME}\n  path: host\n  extractYAMLKey: host\n`, { auth: 'provider-adc' }));
  t.deepEqual(objects.map((object) => object.extract), [{ kind: 'jsonKey', key: 'user', field: 'extractJSONKey' }, { kind: 'yamlKey', key: 'host', field: 'extractYAMLKey' }]);
  t.deepEqual(objects.map((object) => object.storeParams), [{ auth: 'provider-adc' }, { auth: 'provider-adc' }]);
});

test('accepts a regional resource name', (t) => {
  const [object] = plannedObjects(t, plan('- resourceName: projects/p1/locations/us-central1/secrets/db/versions/3\n  path: db\n'));
  t.is(object?.locator, 'projects/p1/locations/us-central1/secrets/db/versions/3');
});

test('is chosen by the dialect parameter on the native socket', (t) => {
  const result = planParameters({ dialect: 'gcp', secrets: `- resourceName: ${NAME}\n  path: f\n` }, planContext(PERMISSION));
  t.true(result.ok && result.plan.dialect === 'gcp');
});

const rejects = test.macro((t, secrets: string, expected: string[], parameters: Record<string, string> = {}) => {
  t.deepEqual(problems(plan(secrets, parameters)), expected);
});
test('rejects a path that leaves the mount', rejects, `- resourceName: ${NAME}\n  path: ../escape\n`, ['secrets[0].path: "../escape" leaves the mount ("..")']);
test('names fileName when the bad path came from it', rejects, `- resourceName: ${NAME}\n  fileName: /etc/passwd\n`, ['secrets[0].fileName: "/etc/passwd" is absolute; paths are relative to the mount']);
test('requires a path or fileName', rejects, `- resourceName: ${NAME}\n`, ['secrets[0].path: is required (or "fileName"): the file to write the secret to']);
test('requires a resourceName', rejects, '- path: f\n', ['secrets[0].resourceName: is required, e.g. "projects/PROJECT/secrets/SECRET/versions/latest"']);
test('requires a version in the resource name', rejects, '- resourceName: projects/p1/secrets/db\n  path: f\n', ['secrets[0].resourceName: "projects/p1/secrets/db" names no version; end it with /versions/latest or /versions/NUMBER']);
test('rejects a name that is not a secret version', rejects, '- resourceName: projects/p1/parameters/db/versions/v1\n  path: f\n', [
  'secrets[0].resourceName: "projects/p1/parameters/db/versions/v1" is not a Secret Manager secret version name; expected projects/PROJECT/secrets/SECRET/versions/VERSION or projects/PROJECT/locations/LOCATION/secrets/SECRET/versions/VERSION',
]);
test('rejects a version that is neither a number nor latest', rejects, '- resourceName: projects/p1/secrets/db/versions/newest\n  path: f\n', ['secrets[0].resourceName: "newest" is not a secret version; use a version number or "latest"']);
test('rejects both extract keys on one entry', rejects, `- resourceName: ${NAME}\n  path: f\n  extractJSONKey: a\n  extractYAMLKey: b\n`, ['secrets[0]: extractJSONKey and extractYAMLKey are mutually exclusive; use one']);
test('rejects a mode above 0777', rejects, `- resourceName: ${NAME}\n  path: f\n  mode: 512\n`, ['secrets[0].mode: 512 (octal 01000) is more than 0777; only permission bits may be set']);
test('suggests the right case for a misspelt key', rejects, `- resourceName: ${NAME}\n  filename: f\n`, ['secrets[0].filename: unknown key; did you mean "fileName"?', 'secrets[0].path: is required (or "fileName"): the file to write the secret to']);
test('rejects an unknown auth', rejects, `- resourceName: ${NAME}\n  path: f\n`, ['auth: "node-publish-secret" is not one of pod-adc, provider-adc'], { auth: 'node-publish-secret' });
test('names fileName when a duplicate path came from it', rejects, `- resourceName: ${NAME}\n  path: f\n- resourceName: ${NAME}\n  fileName: f\n`, ['secrets[1].fileName: "f" is also the path of secrets[0]']);
test('rejects two entries with one path', rejects, `- resourceName: ${NAME}\n  path: f\n- resourceName: ${NAME}\n  path: f\n`, ['secrets[1].path: "f" is also the path of secrets[0]']);
test('requires secrets', rejects, '', ['secrets: is required: a YAML list of secrets, each with a "resourceName" and a "path"']);
test('rejects secrets that are not a list', rejects, 'resourceName: x\n', ['secrets: must be a YAML list, not a mapping']);
test('rejects an unknown top-level parameter', rejects, `- resourceName: ${NAME}\n  path: f\n`, ['objects: unknown parameter for the gcp dialect; expected secrets, auth'], { objects: '[]' });

test('keeps any clean nested path and refuses any path with a ".." element', (t) => {
  const segment = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,12}$/).filter((part) => !part.startsWith('..'));
  t.notThrows(() => fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.nat(4), (parts, at) => {
      const path = parts.join('/');
      const result = plan(`- resourceName: ${NAME}\n  path: "${path}"\n`);
      const kept = result.ok ? result.plan.objects[0]?.path : undefined;
      const escaping = [...parts.slice(0, at), '..', ...parts.slice(at)].join('/');
      return kept === path && problems(plan(`- resourceName: ${NAME}\n  path: "${escaping}"\n`))[0]?.startsWith('secrets[0].path: ') === true;
    }),
  ));
});
