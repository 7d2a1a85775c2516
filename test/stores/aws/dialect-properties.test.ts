import test from 'ava';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { checkMountPath } from '../../../src/output/path-rules.ts';
import { planParameters } from '../../../src/spc/plan.ts';
import { planContext } from '../../helpers/catalog.ts';

const context = planContext(0o644);

/** Mostly sensible values with some junk, so many entries plan and some do not. */
const junk = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -2, max: 2000 }), fc.boolean(), fc.constant(null));
const usually = <T>(sensible: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: sensible }, { weight: 1, arbitrary: junk });
const name = fc.constantFrom('db', '/app/db', 'a/b/c', '../x', 'x/../../y', '..', 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbC', 'arn:aws:ssm:us-east-1:1:parameter/p', 'arn:aws:s3:us-east-1:1:b', 'arn:bad');
const entry = fc.record(
  {
    objectName: usually(name),
    objectType: usually(fc.constantFrom('secretsmanager', 'ssmparameter', 'ssm')),
    objectAlias: usually(name),
    objectVersion: usually(fc.constantFrom('1', '2', 'v1')),
    objectVersionLabel: usually(fc.constantFrom('AWSCURRENT', 'prod')),
    filePermission: usually(fc.constantFrom('0600', '0400', '0999')),
    jmesPath: usually(fc.array(fc.record({ path: usually(fc.constantFrom('a', 'a.b', 'a[')), objectAlias: usually(name) }, { requiredKeys: [] }), { maxLength: 3 })),
    failoverObject: usually(fc.record({ objectName: usually(name), objectVersion: usually(fc.constantFrom('1', '2')) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const parameters = fc.record({
  objects: fc.array(entry, { maxLength: 5 }).map((list) => stringify(list)),
  pathTranslation: fc.constantFrom('', '_', '-', 'false', 'False', '__'),
  failoverRegion: fc.constantFrom('', 'us-west-2', 'us-east-1'),
});

test('plans or reports problems for any entries, never throwing', (t) => {
  fc.assert(
    fc.property(parameters, (given) => {
      const result = planParameters({ region: 'us-east-1', ...given }, context, 'aws');
      return result.ok ? result.plan.objects.length > 0 : result.issues.length > 0;
    }),
  );
  t.pass();
});

test('plans only paths the driver accepts, each once', (t) => {
  fc.assert(
    fc.property(parameters, (given) => {
      const result = planParameters({ region: 'us-east-1', ...given }, context, 'aws');
      if (!result.ok) return true;
      const paths = result.plan.objects.map((object) => object.path);
      return paths.every((path) => checkMountPath(path) === undefined && !path.split('/').includes('..')) && new Set(paths).size === paths.length;
    }),
  );
  t.pass();
});
