import test from 'ava';
import fc from 'fast-check';
import { CourierError } from '../../src/errors/courier-error.ts';
import { assembleOutput } from '../../src/output/assemble.ts';
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';
import { planParameters } from '../../src/spc/plan.ts';
import type { Extract, ObjectSpec } from '../../src/spc/types.ts';
import type { FetchResult } from '../../src/stores/backend.ts';
import { planContext } from '../helpers/catalog.ts';

// Whatever a pod author writes, planning and extraction answer with a plan or a CourierError, never
// another exception, and no file comes out over its budget. Planning time grows linearly with the objects.

const budgets = { ...DEFAULT_BUDGETS, maxObjectBytes: 4_096, maxSecretBytes: 8_192 };
const context = { ...planContext(0o644), budgets };

const text = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('- source: file:a', '- {objectName: db, objectType: secretsmanager}', '- resourceName: projects/p/secrets/s/versions/1\n  path: s', '- path: t\n  template: "{{ a.b }}"\n  inputs: {a: {source: file:a}}', '[@,@]', '&a [*a]', '{{'));
const parameters = fc.dictionary(fc.constantFrom('objects', 'secrets', 'region', 'aws.region', 'gcp.auth', 'dialect', 'mirror', 'courier.templates', 'pathTranslation', 'x'), text, { maxKeys: 5 });

test('no parameters make planning throw anything but a CourierError, in any dialect', (t) => {
  fc.assert(
    fc.property(parameters, fc.constantFrom('native', 'aws', 'gcp'), (given, dialect) => {
      try {
        const result = planParameters(given, context, dialect);
        return result.ok ? result.plan.objects.length + (result.plan.templates?.length ?? 0) > 0 : result.issues.length > 0;
      } catch (error) {
        return error instanceof CourierError;
      }
    }),
    { numRuns: 600 },
  );
  t.pass();
});

const extract: fc.Arbitrary<Extract> = fc.oneof(
  fc.string({ maxLength: 12 }).map((key) => ({ kind: 'jsonKey' as const, key, field: 'jsonKey' })),
  fc.string({ maxLength: 12 }).map((key) => ({ kind: 'yamlKey' as const, key, field: 'yamlKey' })),
  fc.constantFrom('a', 'a.b', '[@,@]', '[@,@] | [@,@] | [@,@] | [@,@] | [@,@] | [@,@] | [@,@] | [@,@]', 'to_string(@)', '*', 'values(@)[]', 'sort(keys(@))').map((expression) => ({ kind: 'jmesPath' as const, expression, field: 'jmesPath' })),
);
const contents = fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 300 }), fc.constantFrom('a: &a [x, x]\nb: [*a, *a, *a]', 'a: b\n'));

test('no secret and extraction produce a file over the budget, or anything but a CourierError', (t) => {
  fc.assert(
    fc.property(contents, fc.option(extract, { nil: undefined }), fc.constantFrom('utf-8', 'base64', 'hex'), (secret, chosen, encoding) => {
      const object: ObjectSpec = { id: 'objects[0]', store: 'file', locator: 'a', storeParams: {}, path: 'a', mode: 0o644, encoding, optional: false, ...(chosen === undefined ? {} : { extract: chosen }) };
      const results = new Map<ObjectSpec, FetchResult>([[object, { ok: true, contents: Buffer.from(secret), version: 'v1' }]]);
      try {
        const output = assembleOutput([object], results, { budgets });
        return output.files.every((file) => file.contents.byteLength <= budgets.maxObjectBytes);
      } catch (error) {
        return error instanceof CourierError;
      }
    }),
    { numRuns: 800 },
  );
  t.pass();
});

/** Median of three runs, in ms, of planning a class of `count` native objects under distinct nested paths. */
function planTime(count: number): number {
  const objects = Array.from({ length: count }, (_, index) => `- {source: "file:d${index % 50}/f${index}", path: "d${index % 50}/f${index}"}`).join('\n');
  const big = { ...context, budgets: { ...budgets, maxObjects: 100_000 } };
  const times = [0, 1, 2].map(() => {
    const started = performance.now();
    const result = planParameters({ objects }, big);
    if (!result.ok) throw new Error(result.issues[0]?.message);
    return performance.now() - started;
  });
  return times.sort((a, b) => a - b)[1] as number;
}

test('planning time grows linearly with the number of objects', (t) => {
  planTime(500); // warm up
  const small = planTime(1_000);
  const large = planTime(8_000);
  // Linear: about 8 times as long; pairwise checks would take about 64 times as long.
  t.true(large / small < 24, `1,000 objects: ${small.toFixed(1)} ms; 8,000: ${large.toFixed(1)} ms (${(large / small).toFixed(1)}x)`);
  t.log(`1,000 objects: ${small.toFixed(1)} ms; 8,000: ${large.toFixed(1)} ms (${(large / small).toFixed(1)}x)`);
});
