// azure-kv sources in Courier's native dialect: locator and pin checks, default paths, per-object options and azure.* settings.
import test from 'ava';
import { PERMISSION, planObjects, plannedObjects, problems } from '../../spc/plan-helpers.ts';

const VERSION = 'fedcba9876543210fedcba9876543210';
const CLIENT = '0b5a5f0e-5d1e-4a4f-9c3e-0e3d6c1e2a11';

test('plans secrets, keys and certificates of a vault with their names as default paths', (t) => {
  const objects = plannedObjects(t, planObjects(`- source: azure-kv:kv1/secrets/db\n- source: azure-kv:kv1/keys/signing/${VERSION}\n- {source: azure-kv:kv1/certificates/web, path: tls/web.crt, mode: "0400"}\n`));
  t.deepEqual(
    objects.map((object) => [object.store, object.locator, object.path, object.mode]),
    [
      ['azure-kv', 'kv1/secrets/db', 'db', PERMISSION],
      ['azure-kv', `kv1/keys/signing/${VERSION}`, 'signing', PERMISSION],
      ['azure-kv', 'kv1/certificates/web', 'tls/web.crt', 0o400],
    ],
  );
});

test('carries azure.* settings and per-object options to the store', (t) => {
  const [object] = plannedObjects(t, planObjects('- {source: azure-kv:kv1/secrets/tls, part: key, path: tls.key}\n', { 'azure.clientID': CLIENT, 'azure.cloudName': 'AzureChinaCloud' }));
  t.deepEqual(object?.storeParams, { clientID: CLIENT, cloudName: 'AzureChinaCloud', part: 'key' });
});

test('mixes with other stores in one class', (t) => {
  const objects = plannedObjects(t, planObjects('- source: azure-kv:kv1/secrets/db\n- {source: "aws-sm:prod/db", path: aws-db}\n- {source: "gcp-sm:projects/p/secrets/s", path: gcp-db}\n'));
  t.deepEqual(objects.map((object) => object.store), ['azure-kv', 'aws-sm', 'gcp-sm']);
});

const refuses = test.macro({
  exec(t, objects: string, parameters: Record<string, string>, expected: readonly string[]) {
    t.deepEqual(problems(planObjects(objects, parameters)), expected);
  },
  title: (given) => `refuses ${given ?? ''}`,
});

test('a locator without a collection', refuses, '- source: azure-kv:kv1/db\n', {}, ['objects[0].source: "kv1/db" must be <vault>/<secrets|keys|certificates>/<name>[/<version>]']);
test('a collection Key Vault does not have', refuses, '- source: azure-kv:kv1/passwords/db\n', {}, ['objects[0].source: "passwords" in "kv1/passwords/db" must be secrets, keys or certificates']);
test('an object name with an underscore', refuses, '- source: azure-kv:kv1/secrets/db_password\n', {}, ['objects[0].source: "db_password" is not a Key Vault object name: 1 to 127 letters, digits and dashes']);
test('a stage and a version that disagrees with the locator', refuses, `- {source: "azure-kv:kv1/secrets/db/${VERSION}", version: "${VERSION.replace('f', 'e')}", stage: AWSCURRENT}\n`, {}, [
  'objects[0].stage: Key Vault has no stages; pin a version with "version" instead',
  `objects[0].version: "${VERSION.replace('f', 'e')}" differs from the version ${VERSION} in the source`,
]);
test('options outside their values', refuses, '- {source: azure-kv:kv1/secrets/db, format: der, part: all, versionIndex: "-1"}\n', {}, [
  'objects[0].format: "der" is not pem or pfx',
  'objects[0].part: "all" is not one of key, cert, chain',
  'objects[0].versionIndex: "-1" is not a version index from 0 (the newest) to 99',
]);
test('settings that are not IDs, and a user-assigned identity without the managed identity', refuses, '- source: azure-kv:kv1/secrets/db\n', { 'azure.clientID': 'app', 'azure.userAssignedIdentityID': CLIENT, 'azure.cloudName': 'AzureGermanCloud' }, [
  'azure.clientID: "app" is not a client ID (a GUID such as 00000000-0000-0000-0000-000000000000)',
  'azure.cloudName: Azure Germany (AzureGermanCloud) closed in 2021; its vaults moved to AzurePublicCloud',
  'azure.userAssignedIdentityID: names a managed identity of the node, which is used only with useVMManagedIdentity: "true"',
]);
