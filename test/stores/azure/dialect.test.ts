// The azure dialect reads SecretProviderClasses written for the Azure Key Vault provider unchanged, and refuses what Courier cannot honour with the fix.
import test from 'ava';
import fc from 'fast-check';
import { planParameters } from '../../../src/spc/plan.ts';
import type { PlanResult } from '../../../src/spc/types.ts';
import { planContext } from '../../helpers/catalog.ts';
import { PERMISSION, plannedObjects, problems } from '../../spc/plan-helpers.ts';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0b5a5f0e-5d1e-4a4f-9c3e-0e3d6c1e2a11';
const VERSION = '0123456789abcdef0123456789abcdef';

/** Plans on azure.sock: `objects` as the Azure provider nests it, `array:` of YAML strings. */
function plan(entries: readonly string[], parameters: Record<string, string> = {}): PlanResult {
  const objects = `array:\n${entries.map((entry) => `  - |\n${entry.trim().split('\n').map((line) => `    ${line.trim()}`).join('\n')}\n`).join('')}`;
  return planParameters({ keyvaultName: 'kvname', tenantId: TENANT, objects, ...parameters }, planContext(PERMISSION), 'azure');
}

test('plans the Azure provider\'s usage example', (t) => {
  const objects = plannedObjects(
    t,
    plan(
      ['objectName: secret1\nobjectAlias: SECRET_1\nobjectType: secret\nobjectVersion: ""\nfilePermission: 0755', 'objectName: key1\nobjectAlias: ""\nobjectType: key\nobjectVersion: ""'],
      { usePodIdentity: 'false', useVMManagedIdentity: 'false', userAssignedIdentityID: 'client_id', clientID: CLIENT, cloudName: '' },
    ),
  );
  t.deepEqual(
    objects.map((object) => ({ id: object.id, locator: object.locator, path: object.path, mode: object.mode, versionId: object.versionId, storeParams: object.storeParams, optional: object.optional })),
    [
      { id: 'objects.array[0]', locator: 'kvname/secrets/secret1', path: 'SECRET_1', mode: 0o755, versionId: 'secret/secret1', storeParams: { tenantID: TENANT, clientID: CLIENT }, optional: false },
      { id: 'objects.array[1]', locator: 'kvname/keys/key1', path: 'key1', mode: PERMISSION, versionId: 'key/key1', storeParams: { tenantID: TENANT, clientID: CLIENT }, optional: false },
    ],
  );
  t.true(objects.every((object) => object.store === 'azure-kv'));
});

test('writes objectVersionHistory as <alias>/0 to N-1, the older ones optional', (t) => {
  const objects = plannedObjects(t, plan([`objectName: db\nobjectType: secret\nobjectAlias: db-history\nobjectVersion: ${VERSION}\nobjectVersionHistory: 3`]));
  t.deepEqual(
    objects.map((object) => [object.id, object.path, object.version, object.storeParams['versionIndex'], object.optional, object.versionId]),
    [
      ['objects.array[0].objectVersionHistory[0]', 'db-history/0', VERSION, '0', false, 'secret/db/0'],
      ['objects.array[0].objectVersionHistory[1]', 'db-history/1', VERSION, '1', true, 'secret/db/1'],
      ['objects.array[0].objectVersionHistory[2]', 'db-history/2', VERSION, '2', true, 'secret/db/2'],
    ],
  );
});

test('treats objectVersionHistory 0 and 1 as one file', (t) => {
  for (const history of ['0', '1']) {
    const objects = plannedObjects(t, plan([`objectName: db\nobjectType: secret\nobjectVersionHistory: ${history}`]));
    t.deepEqual(objects.map((object) => [object.path, object.storeParams['versionIndex']]), [['db', undefined]]);
  }
});

test('carries objectFormat pfx and objectEncoding into the plan', (t) => {
  const [object] = plannedObjects(t, plan(['objectName: tls\nobjectType: secret\nobjectFormat: PFX\nobjectEncoding: base64\nobjectAlias: tls.pfx']));
  t.is(object?.storeParams['format'], 'pfx');
  t.is(object?.encoding, 'base64');
});

test('prefers tenantID to the deprecated tenantId', (t) => {
  const other = '11111111-2222-4333-8444-555555555555';
  const [object] = plannedObjects(t, plan(['objectName: a\nobjectType: secret'], { tenantID: other }));
  t.is(object?.storeParams['tenantID'], other);
});

test('keeps the managed identity settings only when useVMManagedIdentity is on', (t) => {
  const [object] = plannedObjects(t, plan(['objectName: a\nobjectType: secret'], { useVMManagedIdentity: 'True', userAssignedIdentityID: CLIENT }));
  t.deepEqual(object?.storeParams, { tenantID: TENANT, useVMManagedIdentity: 'true', userAssignedIdentityID: CLIENT });
});

const refuses = test.macro({
  exec(t, entries: readonly string[], parameters: Record<string, string>, expected: readonly string[]) {
    t.deepEqual(problems(plan(entries, parameters)), expected);
  },
  title: (given) => `refuses ${given ?? ''}`,
});

const ONE = ['objectName: a\nobjectType: secret'];
test('a class without keyvaultName', refuses, ONE, { keyvaultName: '' }, ['keyvaultName: is required: the name of the key vault (https://<keyvaultName>.vault.azure.net)']);
test('a key vault name Azure would refuse', refuses, ONE, { keyvaultName: 'kv--x' }, ['keyvaultName: "kv--x" is not a key vault name: 3 to 24 letters, digits and dashes, starting with a letter, ending with a letter or digit, no two dashes in a row']);
test('AAD Pod Identity, pointing to workload identity', refuses, ONE, { usePodIdentity: 'true' }, [
  'usePodIdentity: AAD Pod Identity is retired and Courier does not support it; use Azure Workload Identity: set usePodIdentity to "false", set clientID (or annotate the ServiceAccount with azure.workload.identity/client-id) and add a federated credential (docs/azure.md)',
]);
test('a cloud environment file on the node', refuses, ONE, { cloudName: 'AzureStackCloud', cloudEnvFileName: '/etc/kubernetes/custom.json' }, [
  'cloudName: AzureStackCloud needs cloudEnvFileName, a file on the node, which Courier does not read; the administrator can point Courier at the stack\'s Entra ID with --azure-authority-host',
  'cloudEnvFileName: names a file on the node, which Courier does not read for a SecretProviderClass; for a custom cloud the administrator sets --azure-authority-host (docs/azure.md)',
]);
test('a switch that is not a Go boolean', refuses, ONE, { useVMManagedIdentity: 'yes' }, ['useVMManagedIdentity: "yes" is not true or false']);
test('an unknown object type and a misspelt key', refuses, ['objectname: a\nobjectType: password'], {}, [
  'objects.array[0].objectname: unknown key; did you mean "objectName"?',
  'objects.array[0].objectName: is required: the name of the Key Vault secret, key or certificate',
  'objects.array[0].objectType: "password" is not secret, key or cert',
]);
test('objectEncoding on a key and pfx on a certificate', refuses, ['objectName: a\nobjectType: key\nobjectEncoding: hex', 'objectName: b\nobjectType: cert\nobjectFormat: pfx'], {}, [
  'objects.array[0].objectEncoding: applies only to objectType secret',
  'objects.array[1].objectFormat: pfx applies to objectType secret (the secret of a certificate); a cert object is the leaf certificate as PEM',
]);
test('a file permission that is not octal', refuses, ['objectName: a\nobjectType: secret\nfilePermission: 0899'], {}, ['objects.array[0].filePermission: "0899" must be an octal file mode of at most 0777, such as "0644"']);
test('a version that is not a Key Vault version ID', refuses, ['objectName: a\nobjectType: secret\nobjectVersion: v2'], {}, ['objects.array[0].objectVersion: "v2" is not a Key Vault version ID: 32 hexadecimal digits (leave it out for the latest version)']);
test('two objects written to one file', refuses, ['objectName: a\nobjectType: secret', 'objectName: b\nobjectType: secret\nobjectAlias: a'], {}, ['objects.array[1].objectAlias: "a" is also the path of objects.array[0]']);
test('an alias that leaves the mount', refuses, ['objectName: a\nobjectType: secret\nobjectAlias: ../a'], {}, ['objects.array[0].objectAlias: "../a" leaves the mount ("..")']);

test('refuses objects without the array envelope, and entries that are not YAML strings', (t) => {
  const base = { keyvaultName: 'kvname', tenantId: TENANT };
  t.deepEqual(problems(planParameters({ ...base, objects: '- objectName: a\n  objectType: secret\n' }, planContext(PERMISSION), 'azure')), ['objects: must be a YAML mapping with the key "array" (the Azure provider\'s envelope), not a list']);
  t.deepEqual(problems(planParameters({ ...base, objects: 'array:\n  - objectName: a\n    objectType: secret\n' }, planContext(PERMISSION), 'azure')), ['objects.array[0]: must be a YAML string holding the object (write "- |" before it), not a mapping']);
});

test('never throws, and no message quotes the objects text (keys are named only in field paths)', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const result = planParameters({ keyvaultName: 'kvname', objects: `array:\n  - "${text.replace(/["\\]/g, '')} password-hunter2"\n` }, planContext(PERMISSION), 'azure');
      return (result.ok ? [] : result.issues).every((issue) => !issue.message.includes('hunter2'));
    }),
    { numRuns: 200 },
  );
  t.pass();
});
