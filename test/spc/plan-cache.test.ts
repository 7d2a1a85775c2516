import test from 'ava';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { createPlanCache } from '../../src/spc/plan-cache.ts';
import { planOrThrow } from '../../src/spc/plan.ts';
import type { MountPlan } from '../../src/spc/types.ts';
import { planContext } from '../helpers/catalog.ts';

const OBJECTS = '- source: file:demo/db.json\n  path: db.json';
const POD_A = { objects: OBJECTS, 'csi.storage.k8s.io/pod.name': 'a', 'csi.storage.k8s.io/serviceAccount.tokens': '{"x":{"token":"t-a"}}' };
const POD_B = { objects: OBJECTS, 'csi.storage.k8s.io/pod.name': 'b', 'csi.storage.k8s.io/serviceAccount.tokens': '{"x":{"token":"t-b"}}' };

test('answers a repeated SecretProviderClass with the same plan, whatever the pod', (t) => {
  const cache = createPlanCache();
  const first = cache.plan(POD_A, planContext(0o644));
  t.is(cache.plan(POD_B, planContext(0o644)), first);
  t.deepEqual(first, planOrThrow(POD_A, planContext(0o644)));
});

test('plans again when the parameters, the default mode or the dialect differ', (t) => {
  const cache = createPlanCache();
  const first = cache.plan(POD_A, planContext(0o644));
  t.not(cache.plan({ ...POD_A, objects: `${OBJECTS}\n  mode: "0400"` }, planContext(0o644)), first);
  t.is(cache.plan(POD_A, planContext(0o600)).objects[0]?.mode, 0o600);
  // The aws dialect reads `objects` differently: a native list is not a valid aws one.
  t.throws(() => cache.plan(POD_A, planContext(0o644), 'aws'), { instanceOf: ConfigError });
});

test('parameter sets that differ only in how their text would run together, or in a lone surrogate against its replacement character, are planned apart', (t) => {
  const cache = createPlanCache();
  // Unknown parameters fail planning, and a failure is remembered like a plan.
  const plan = (parameters: Record<string, string>) => t.throws(() => cache.plan(parameters, planContext(0o644)), { instanceOf: ConfigError });
  plan({ objects: OBJECTS, region: 'ab', roleArn: '' });
  t.false(cache.has({ objects: OBJECTS, region: 'a', roleArn: 'b' }, planContext(0o644)));
  t.false(cache.has({ objects: OBJECTS, region: 'abroleArn' }, planContext(0o644)));
  t.true(cache.has({ roleArn: '', region: 'ab', objects: OBJECTS }, planContext(0o644)), 'the order of the parameters does not matter');
  plan({ objects: OBJECTS, note: '\ud800' });
  t.false(cache.has({ objects: OBJECTS, note: '\ufffd' }, planContext(0o644)));
  t.true(cache.has({ objects: OBJECTS, note: '\ud800' }, planContext(0o644)), 'text with a lone surrogate is found again under its own key');
  t.false(cache.has({ objects: OBJECTS, note: '\udc00' }, planContext(0o644)));
});

test('throws the same ConfigError for a bad SecretProviderClass every time', (t) => {
  const cache = createPlanCache();
  const bad = { objects: '- source: file:../x' };
  const first = t.throws(() => cache.plan(bad, planContext(0o644)), { instanceOf: ConfigError });
  const second = t.throws(() => cache.plan(bad, planContext(0o644)));
  t.is(second, first);
  t.is(first?.message, 'objects[0].source: file locator "../x" leaves the local store ("..")');
});

test('forgets the least recently used plan past its size', (t) => {
  const cache = createPlanCache(2);
  const one = cache.plan({ objects: OBJECTS }, planContext(0o644));
  const two = cache.plan({ objects: `${OBJECTS}\n  mode: "0400"` }, planContext(0o644));
  t.is(cache.plan({ objects: OBJECTS }, planContext(0o644)), one);
  cache.plan({ objects: `${OBJECTS}\n  mode: "0440"` }, planContext(0o644));
  t.is(cache.plan({ objects: OBJECTS }, planContext(0o644)), one);
  t.not(cache.plan({ objects: `${OBJECTS}\n  mode: "0400"` }, planContext(0o644)), two);
});

test('remembered answers a plan it holds, or nothing, and counts as a use: the plan it answered is not the next to go', (t) => {
  const cache = createPlanCache(2);
  t.is(cache.remembered({ objects: OBJECTS }, planContext(0o644)), undefined);
  t.false(cache.has({ objects: OBJECTS }, planContext(0o644)), 'asking plans nothing');
  const one = cache.plan({ objects: OBJECTS }, planContext(0o644));
  cache.plan({ objects: `${OBJECTS}\n  mode: "0400"` }, planContext(0o644));
  t.is(cache.remembered({ objects: OBJECTS }, planContext(0o644)), one);
  cache.plan({ objects: `${OBJECTS}\n  mode: "0440"` }, planContext(0o644));
  t.is(cache.remembered({ objects: OBJECTS }, planContext(0o644)), one);
  t.is(cache.remembered({ objects: `${OBJECTS}\n  mode: "0400"` }, planContext(0o644)), undefined, 'the other plan was pushed out instead');
});

test('drops the oldest plans once the cache holds more bytes than its budget', (t) => {
  // Each class below is about 50 bytes of parameters, counted as about 200 bytes of plan.
  const cache = createPlanCache({ maxEntries: 10, maxBytes: 500 });
  const first = cache.plan({ objects: OBJECTS }, planContext(0o644));
  const second = cache.plan({ objects: `${OBJECTS}\n  mode: "0440"` }, planContext(0o644));
  t.is(cache.plan({ objects: OBJECTS }, planContext(0o644)), first, 'two fit');
  cache.plan({ objects: `${OBJECTS}\n  mode: "0444"` }, planContext(0o644));
  t.not(cache.plan({ objects: `${OBJECTS}\n  mode: "0440"` }, planContext(0o644)), second, 'the third pushed out the least recently used');
});

test('uses but does not keep a plan larger than the whole cache', (t) => {
  const cache = createPlanCache({ maxEntries: 10, maxBytes: 100 });
  const once = cache.plan({ objects: OBJECTS }, planContext(0o644));
  t.is(once.objects[0]?.path, 'db.json');
  t.not(cache.plan({ objects: OBJECTS }, planContext(0o644)), once);
});

test('a tenant holds at most a quarter of the cache: new classes on every Mount evict only its own plans', (t) => {
  const cache = createPlanCache({ maxEntries: 8, maxBytes: 1024 * 1024 });
  const fresh = (index: number) => ({ objects: `${OBJECTS}\n# class ${index}` });
  const victim = cache.plan({ objects: OBJECTS }, planContext(0o644), undefined, 'team-b');
  const planned = Array.from({ length: 50 }, (_, index) => cache.plan(fresh(index), planContext(0o644), undefined, 'team-a'));
  t.is(cache.plan({ objects: OBJECTS }, planContext(0o644), undefined, 'team-b'), victim, "the other tenant's plan is still there");
  // team-a keeps its two newest plans (a quarter of eight entries), not the older ones.
  t.is(cache.plan(fresh(49), planContext(0o644), undefined, 'team-a'), planned[49] as MountPlan);
  t.is(cache.plan(fresh(48), planContext(0o644), undefined, 'team-a'), planned[48] as MountPlan);
  t.not(cache.plan(fresh(40), planContext(0o644), undefined, 'team-a'), planned[40] as MountPlan);
});
