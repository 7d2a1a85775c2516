import test from 'ava';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseFileMode } from '../../src/output/file-mode.ts';
import { checkMountPath, directoryConflicts } from '../../src/output/path-rules.ts';
import { planParameters } from '../../src/spc/plan.ts';
import type { PlanResult } from '../../src/spc/types.ts';
import { planContext } from '../helpers/catalog.ts';

const context = planContext(0o644);

/** Pieces that make YAML-ish text likely to hit the parser's corners. */
const yamlToken = fc.constantFrom(
  '- ', '  ', '\n', '\t', ':', ': ', '"', "'", '[', ']', '{', '}', ',', '#', '&a ', '*a', '!!str ', '---', '~', '|', '>',
  'source', 'path', 'mode', 'version', 'jsonKey', 'jmesPath', 'yamlKey', 'encoding', 'optional', 'sorce',
  'file:', 'aws-sm:', 'vault:', 's3:', 'a', 'a/b', '../', '/', '..data', '.', '0400', '0999', '0o777', '-1', 'true', 'yes', 'base64', '2001-12-14',
);

const yamlish = fc.array(fc.oneof(yamlToken, fc.string({ maxLength: 6 })), { maxLength: 40 }).map((parts) => parts.join(''));

/** Structured entries, turned into YAML: mostly sensible, so many plan, with some junk so some do not. */
const junk = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -2, max: 2000 }), fc.boolean(), fc.constant(null));
/** Mostly `sensible`, sometimes `junk`. */
const usually = <T>(sensible: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: sensible }, { weight: 1, arbitrary: junk });
const entry = fc.record(
  {
    source: usually(fc.constantFrom('file:a', 'file:a/b', 'file:b.json', 'aws-sm:prod/db', 'vault:secret/x', 'gcp-sm:projects/p/secrets/b', 'file:../x', 'nope')),
    path: usually(fc.constantFrom('a', 'a/b', 'b', 'c/d', 'x.json', '.env', 'e/f/g', 'a/', '/a', '..x', 'a//b', '')),
    mode: usually(fc.constantFrom(0o400, 0o644, '0400', '440', '0o600', '0999')),
    encoding: fc.constantFrom('utf-8', 'base64', 'hex', 'rot13'),
    jsonKey: fc.constantFrom('password', 'user', ''),
    optional: usually(fc.boolean()),
  },
  { requiredKeys: ['source'] },
);
const objectsYaml = fc.array(fc.oneof({ weight: 9, arbitrary: entry }, { weight: 1, arbitrary: junk }), { maxLength: 4 }).map((list) => stringify(list));

function isPlanResult(result: PlanResult): boolean {
  return result.ok ? Array.isArray(result.plan.objects) : result.issues.length > 0 && result.issues.every((issue) => issue.field !== '' && issue.message !== '');
}

test('plans any parameter map without throwing', (t) => {
  const key = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('objects', 'dialect', 'mirror', 'aws.region', 'secrets', 'secretProviderClass'));
  const value = fc.oneof(fc.string({ maxLength: 40 }), yamlish, fc.constantFrom('native', 'aws', 'gcp', 'vault'));
  fc.assert(
    fc.property(fc.dictionary(key, value), (parameters) => isPlanResult(planParameters(parameters, context))),
    { numRuns: 500 },
  );
  t.pass();
});

test('plans YAML-ish text in every parameter of every dialect without throwing', (t) => {
  const dialect = fc.constantFrom('native', 'aws', 'gcp');
  const key = fc.constantFrom('objects', 'secrets', 'mirror', 'region', 'auth', 'pathTranslation', 'usePodIdentity', 'aws.region', 'gcp.auth');
  fc.assert(
    fc.property(dialect, fc.dictionary(key, yamlish, { maxKeys: 4 }), (name, parameters) => isPlanResult(planParameters({ ...parameters, dialect: name }, context))),
    { numRuns: 500 },
  );
  t.pass();
});

test('plans any YAML-ish objects text without throwing', (t) => {
  fc.assert(
    fc.property(yamlish, (objects) => isPlanResult(planParameters({ objects }, context))),
    { numRuns: 500 },
  );
  t.pass();
});

test('accepts only paths the driver accepts, each once, none both file and directory', (t) => {
  let planned = 0;
  fc.assert(
    fc.property(objectsYaml, (objects) => {
      const result = planParameters({ objects }, context);
      if (!isPlanResult(result)) return false;
      if (!result.ok) return true;
      planned += 1;
      const paths = result.plan.objects.map((object) => object.path);
      return (
        paths.every((path) => checkMountPath(path) === undefined) &&
        new Set(paths).size === paths.length &&
        directoryConflicts(paths).size === 0
      );
    }),
    { numRuns: 1000 },
  );
  // The generator must reach the accepting side too, or the property says nothing.
  t.true(planned > 0, 'no generated SecretProviderClass planned');
});

test('reads every mode 0 to 0777 back from its octal spellings', (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0o777 }), fc.constantFrom('', '0', '0o'), fc.boolean(), (mode, prefix, pad) => {
      const digits = pad ? mode.toString(8).padStart(3, '0') : mode.toString(8);
      return parseFileMode(`${prefix}${digits}`) === mode && parseFileMode(mode) === mode;
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test('reads every mode 0 to 0777 written as YAML 1.1 octal', (t) => {
  for (let mode = 0; mode <= 0o777; mode += 1) {
    const result = planParameters({ objects: `- source: file:a\n  mode: 0${mode.toString(8)}` }, context);
    if (!result.ok || result.plan.objects[0]?.mode !== mode) {
      t.fail(`mode 0${mode.toString(8)} was not read back`);
      return;
    }
  }
  t.pass();
});
