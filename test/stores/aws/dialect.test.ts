import test from 'ava';
import { planParameters } from '../../../src/spc/plan.ts';
import type { ObjectSpec } from '../../../src/spc/types.ts';
import { PERMISSION, plannedObjects, problems } from '../../spc/plan-helpers.ts';
import { planContext } from '../../helpers/catalog.ts';

const REGION = 'us-east-1';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf';

function planAws(objects: string, parameters: Readonly<Record<string, string>> = {}) {
  return planParameters({ region: REGION, ...parameters, objects }, planContext(PERMISSION), 'aws');
}

/** The parts of an object a dialect decides, in a stable order. */
function summary(object: ObjectSpec) {
  return { id: object.id, store: object.store, locator: object.locator, version: object.version, stage: object.stage, path: object.path, mode: object.mode.toString(8), extract: object.extract, storeParams: object.storeParams };
}

test('plans a Secrets Manager secret named by objectType, written under its name', (t) => {
  const [object] = plannedObjects(t, planAws('- objectName: MySecret\n  objectType: secretsmanager'));
  t.deepEqual(summary(object as ObjectSpec), { id: 'objects[0]', store: 'aws-sm', locator: 'MySecret', version: undefined, stage: undefined, path: 'MySecret', mode: '644', extract: undefined, storeParams: { region: REGION } });
});

test('takes the object type from an ARN and the file name from objectAlias', (t) => {
  const [object] = plannedObjects(t, planAws(`- objectName: ${SECRET_ARN}\n  objectAlias: db`));
  t.like(object, { store: 'aws-sm', locator: SECRET_ARN, path: 'db' });
});

test('takes an SSM parameter from an ssm ARN', (t) => {
  const [object] = plannedObjects(t, planAws('- objectName: arn:aws:ssm:us-east-1:123456789012:parameter/app/key\n  objectAlias: key'));
  t.like(object, { store: 'aws-ssm', path: 'key' });
});

test('matches field names case-insensitively as the AWS provider does', (t) => {
  const [object] = plannedObjects(t, planAws('- OBJECTNAME: MySecret\n  objecttype: secretsmanager\n  ObjectAlias: renamed\n  objectversionlabel: AWSPREVIOUS'));
  t.like(object, { locator: 'MySecret', path: 'renamed', stage: 'AWSPREVIOUS' });
});

test('maps objectVersion to a pinned version and objectVersionLabel to a stage', (t) => {
  const objects = plannedObjects(t, planAws('- {objectName: /app/p, objectType: ssmparameter, objectVersion: 3, objectAlias: v3}\n- {objectName: /app/p, objectType: ssmparameter, objectVersionLabel: prod, objectAlias: prod}'));
  t.deepEqual(objects.map((object) => [object.store, object.locator, object.version, object.stage, object.path]), [
    ['aws-ssm', '/app/p', '3', undefined, 'v3'],
    ['aws-ssm', '/app/p', undefined, 'prod', 'prod'],
  ]);
});

test('replaces slashes with the path translation character, "_" by default', (t) => {
  const objects = (parameters: Record<string, string>) => plannedObjects(t, planAws('- {objectName: /app/db/password, objectType: ssmparameter}', parameters)).map((object) => object.path);
  t.deepEqual(objects({}), ['_app_db_password']);
  t.deepEqual(objects({ pathTranslation: '-' }), ['-app-db-password']);
  t.deepEqual(objects({ pathTranslation: 'False' }), ['app/db/password']);
});

test('turns each jmesPath entry into its own file from the same secret', (t) => {
  const objects = plannedObjects(t, planAws('- objectName: db\n  objectType: secretsmanager\n  filePermission: "0600"\n  jmesPath:\n    - {path: username, objectAlias: user}\n    - {path: password, objectAlias: pass, filePermission: "0400"}'));
  t.deepEqual(objects.map((object) => [object.id, object.locator, object.path, object.mode.toString(8), object.extract?.kind === 'jmesPath' ? object.extract.expression : null]), [
    ['objects[0]', 'db', 'db', '600', null],
    ['objects[0].jmesPath[0]', 'db', 'user', '600', 'username'],
    ['objects[0].jmesPath[1]', 'db', 'pass', '400', 'password'],
  ]);
});

test('carries region, failover and identity settings and the failoverObject in storeParams', (t) => {
  const [object] = plannedObjects(
    t,
    planAws(`- objectName: ${SECRET_ARN}\n  objectAlias: db\n  failoverObject:\n    objectName: arn:aws:secretsmanager:us-west-2:123456789012:secret:db-replica-XyZ\n    objectVersionLabel: AWSCURRENT`, {
      failoverRegion: 'us-west-2',
      usePodIdentity: 'true',
      preferredAddressType: 'ipv6',
    }),
  );
  t.deepEqual(object?.storeParams, {
    region: REGION,
    failoverRegion: 'us-west-2',
    usePodIdentity: 'true',
    preferredAddressType: 'ipv6',
    failoverObjectName: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:db-replica-XyZ',
    failoverObjectVersionLabel: 'AWSCURRENT',
  });
});

test('is chosen by the dialect parameter on the native socket', (t) => {
  const result = planParameters({ dialect: 'aws', region: REGION, objects: '- {objectName: a, objectType: secretsmanager}' }, planContext(PERMISSION));
  t.true(result.ok && result.plan.dialect === 'aws');
});

const rejects = test.macro({
  exec(t, objects: string, parameters: Record<string, string>, expected: readonly string[]) {
    t.deepEqual(problems(planAws(objects, parameters)), expected);
  },
  title: (given) => given ?? '',
});

test('requires objectName', rejects, '- objectType: secretsmanager', {}, ['objects[0].objectName: is required: the secret name or ARN, or the parameter name']);
test('requires objectType unless the name is an ARN', rejects, '- objectName: db', {}, ['objects[0].objectType: is required unless objectName is a full ARN']);
test('requires objectType when it is given as null', rejects, '- objectName: db\n  objectType: null', {}, ['objects[0].objectType: is required unless objectName is a full ARN']);
test('refuses an unknown objectType', rejects, '- {objectName: db, objectType: ssm}', {}, ['objects[0].objectType: "ssm" is not secretsmanager or ssmparameter']);
test('refuses an objectType that contradicts the ARN', rejects, `- {objectName: "${SECRET_ARN}", objectType: ssmparameter}`, {}, ['objects[0].objectType: "ssmparameter" does not match the ARN\'s service "secretsmanager"']);
test('refuses an ARN from another region', rejects, '- objectName: arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', {}, ['objects[0].objectName: the ARN\'s region "eu-west-1" does not match the region "us-east-1"']);
test('refuses an ARN of another service', rejects, '- objectName: arn:aws:s3:us-east-1:123456789012:bucket/x', {}, ['objects[0].objectName: the ARN\'s service "s3" is neither secretsmanager nor ssm']);
test('refuses a malformed ARN', rejects, '- objectName: "arn:aws:secretsmanager"', {}, ['objects[0].objectName: "arn:aws:secretsmanager" is not a valid ARN']);
test('refuses both a version and a label on an SSM parameter', rejects, '- {objectName: p, objectType: ssmparameter, objectVersion: 2, objectVersionLabel: prod}', {}, ['objects[0].objectVersionLabel: an ssmparameter takes objectVersion or objectVersionLabel, not both']);
test('refuses ../ in an objectAlias', rejects, '- {objectName: db, objectType: secretsmanager, objectAlias: a/../../etc}', { pathTranslation: 'false' }, ['objects[0].objectAlias: "a/../../etc" would leave the mount through ".."']);
test('refuses ../ in a jmesPath alias', rejects, '- objectName: db\n  objectType: secretsmanager\n  jmesPath: [{path: u, objectAlias: ../u}]', { pathTranslation: 'False' }, ['objects[0].jmesPath[0].objectAlias: "../u" would leave the mount through ".."']);
test('refuses a translated name the driver would refuse', rejects, '- {objectName: ../x, objectType: secretsmanager}', {}, ['objects[0].objectName: ".._x" starts with "..", which is reserved for the atomic writer (the file name is ".._x")']);
test('requires path and objectAlias in jmesPath entries', rejects, '- objectName: db\n  objectType: secretsmanager\n  jmesPath: [{}]', {}, [
  'objects[0].jmesPath[0].path: is required: the JMESPath expression to extract',
  'objects[0].jmesPath[0].objectAlias: is required: the file name of the extracted value',
]);
test('refuses an invalid JMESPath expression', rejects, '- objectName: db\n  objectType: secretsmanager\n  jmesPath: [{path: "a[", objectAlias: a}]', {}, ['objects[0].jmesPath[0].path: is not a valid JMESPath expression: Expected Star, got: EOF']);
test('refuses jmesPath that is not a list', rejects, '- {objectName: db, objectType: secretsmanager, jmesPath: username}', {}, ['objects[0].jmesPath: must be a YAML list, not a string']);
test('refuses a duplicate object with the same alias and label', rejects, '- {objectName: db, objectType: secretsmanager}\n- {objectName: db, objectType: secretsmanager}', {}, [
  'objects[1].objectName: "db" is also objects[0]\'s objectName with the same objectAlias and objectVersionLabel',
]);
test('refuses two files with the same alias', rejects, '- {objectName: a, objectType: secretsmanager, objectAlias: x}\n- objectName: b\n  objectType: secretsmanager\n  jmesPath: [{path: k, objectAlias: x}]', {}, ['objects[1].jmesPath[0].objectAlias: "x" is also the path of objects[0]']);
test('requires failoverRegion for a failoverObject', rejects, '- {objectName: a, objectType: secretsmanager, objectAlias: a, failoverObject: {objectName: b}}', {}, ['objects[0].failoverObject: needs the failoverRegion parameter']);
test('requires objectAlias for a failoverObject', rejects, '- {objectName: a, objectType: secretsmanager, failoverObject: {objectName: b}}', { failoverRegion: 'us-west-2' }, ['objects[0].objectAlias: is required when failoverObject is set']);
test('requires the failover version to match', rejects, '- {objectName: a, objectType: secretsmanager, objectAlias: a, objectVersion: v1, failoverObject: {objectName: b, objectVersion: v2}}', { failoverRegion: 'us-west-2' }, ['objects[0].failoverObject.objectVersion: must equal objectVersion ("v1"); versions must match between the regions']);
test('requires a failover ARN in the failover region', rejects, `- {objectName: "${SECRET_ARN}", objectAlias: a, failoverObject: {objectName: "${SECRET_ARN}"}}`, { failoverRegion: 'us-west-2' }, ['objects[0].failoverObject.objectName: the ARN\'s region "us-east-1" does not match the failoverRegion "us-west-2"']);
test('refuses a failover region equal to the region', rejects, '- {objectName: a, objectType: secretsmanager}', { failoverRegion: REGION }, ['failoverRegion: "us-east-1" is also the region; the failover region must differ']);
test('refuses a region that is not a region name', rejects, '- {objectName: a, objectType: secretsmanager}', { region: 'US East' }, ['region: "US East" is not an AWS region name such as "us-east-1"']);
test('refuses a long path translation', rejects, '- {objectName: a, objectType: secretsmanager}', { pathTranslation: '__' }, ['pathTranslation: must be "False" or a single character, not "__"']);
test('refuses a usePodIdentity that is not a boolean', rejects, '- {objectName: a, objectType: secretsmanager}', { usePodIdentity: 'yes' }, ['usePodIdentity: must be "true" or "false", not "yes"']);
test('refuses an unknown preferredAddressType', rejects, '- {objectName: a, objectType: secretsmanager}', { preferredAddressType: 'ipv5' }, ['preferredAddressType: must be one of auto, ipv4, ipv6, not "ipv5"']);
test('refuses unknown keys', rejects, '- {objectName: a, objectType: secretsmanager, objectPath: x}', {}, ['objects[0].objectPath: unknown key; expected one of objectName, objectType, objectAlias, objectVersion, objectVersionLabel, filePermission, jmesPath, failoverObject, objectTemplate']);
test('refuses a key given twice in different cases', rejects, '- {objectName: a, objectname: b, objectType: secretsmanager}', {}, ['objects[0].objectname: is "objectName" again (already given as "objectName"); field names are case-insensitive']);
test('refuses objectTemplate, which Courier does not run', rejects, '- {objectName: a, objectType: secretsmanager, objectTemplate: "{{ . }}"}', {}, ['objects[0].objectTemplate: is not supported by Courier; use jmesPath entries, or the native dialect\'s templates']);
test('refuses a bad filePermission', rejects, '- {objectName: a, objectType: secretsmanager, filePermission: "0999"}', {}, ['objects[0].filePermission: "0999" is not an octal file mode such as "0400"']);
test('refuses unknown top-level parameters', rejects, '- {objectName: a, objectType: secretsmanager}', { roleArn: 'x' }, ['roleArn: unknown parameter for the aws dialect; expected objects, region, failoverRegion, pathTranslation, usePodIdentity, preferredAddressType']);
test('requires objects', rejects, '', {}, ['objects: is required: a YAML list of objects, each with an "objectName"']);
