import { status, type ServiceError } from '@grpc/grpc-js';
import test from 'ava';
import { MAX_MESSAGE_CHARS } from '../../src/errors/to-grpc-status.ts';
import { startSharedCourier, tenantMount, tenantStore, victimMountsDuring } from './tenant-rig.ts';

// A hostile tenant sends the worst inputs it can write into a Mount; each is refused with its budget named,
// before the work is done, while another tenant's Mounts keep succeeding.

const SECRET = JSON.stringify({ user: 'a', password: 'pw-a', note: 'x'.repeat(160) });

async function refusedDuring(t: Parameters<typeof startSharedCourier>[0], parameters: Record<string, string>, expected: string, times = 6) {
  const store = tenantStore(() => ({ value: SECRET }));
  const courier = await startSharedCourier(t, store);
  const attack = Promise.all(Array.from({ length: times }, () => courier.client.mount(tenantMount(parameters, 'team-a')).then(() => 'mounted', (error: ServiceError) => error)));
  const victim = await victimMountsDuring(courier, attack);
  const outcomes = await attack;
  for (const outcome of outcomes) {
    t.is((outcome as ServiceError).code, status.INVALID_ARGUMENT);
    t.is((outcome as ServiceError).details, expected);
  }
  t.deepEqual(victim.failed, []);
  t.is(victim.ok, 24);
  return store;
}

test('a JMESPath expression that doubles its input 22 times is refused before it runs', async (t) => {
  const expression = Array.from({ length: 22 }, () => '[@,@]').join(' | ');
  await refusedDuring(t, { objects: `- {source: "tenant:db", path: out, jmesPath: "${expression}"}` }, `objects[0].jmesPath: could produce 3.2e+8 bytes, over 4194304 (four times --max-object-bytes) even on a 64-byte secret: it multiplies its input (e.g. [@,@] repeated)`);
});

test('a smaller blow-up that only a large secret would trigger is refused when the secret arrives, unevaluated', async (t) => {
  const expression = Array.from({ length: 15 }, () => '[@,@]').join(' | ');
  const store = await refusedDuring(t, { objects: `- {source: "tenant:db", path: out, jmesPath: "${expression}"}` }, `objects[0].jmesPath: "${expression}" was not evaluated: over this ${SECRET.length}-byte secret it could produce 6.9e+6 bytes, over 4194304 (four times --max-object-bytes)`);
  t.true(store.calls() >= 1);
});

test('a class of 20,000 objects is refused by its size before it is parsed', async (t) => {
  const objects = Array.from({ length: 20_000 }, (_, index) => `- {source: "tenant:s${index}", path: f${index}}`).join('\n');
  const size = JSON.stringify(tenantMount({ objects }, 'team-a').attributes).length;
  await refusedDuring(t, { objects }, `attributes: the request's attributes and secrets are ${size + 4} bytes, over the budget of 262144 bytes per Mount (budget: --max-parameter-bytes)`, 2);
});

test('a class of 2,000 small objects is refused by the object budget before any entry is read', async (t) => {
  const objects = Array.from({ length: 2_000 }, (_, index) => `- {source: "tenant:s${index}"}`).join('\n');
  await refusedDuring(t, { objects }, 'objects: lists 2000 objects, over the budget of 256 per SecretProviderClass (--max-objects)', 3);
});

test('a key as long as the parameter budget allows gets no suggestion search and a message cut to size', async (t) => {
  // Suggesting a known key compared the key letter by letter with each known one: 1 s per 100 KB of key.
  const key = 'k'.repeat(120_000);
  const store = tenantStore(() => ({ value: SECRET }));
  const courier = await startSharedCourier(t, store);
  const attack = Promise.all(Array.from({ length: 3 }, () => courier.client.mount(tenantMount({ objects: `- {source: "tenant:db", path: out, ${key}: 1}` }, 'team-a')).then(() => 'mounted', (error: ServiceError) => error)));
  const victim = await victimMountsDuring(courier, attack);
  for (const outcome of await attack) {
    t.is((outcome as ServiceError).code, status.INVALID_ARGUMENT);
    const { details } = outcome as ServiceError;
    t.true(details.length <= MAX_MESSAGE_CHARS, `${details.length}`);
    t.true(details.startsWith(`objects[0].${key.slice(0, 1_000)}`));
    const total = Number(/… \(message cut; (\d+) characters in all\)$/.exec(details)?.[1]);
    t.true(total > key.length, details.slice(-60));
  }
  t.deepEqual(victim.failed, []);
  t.is(victim.ok, 24);
});

test('a YAML alias bomb in the parameters is refused', async (t) => {
  const ten = (name: string) => `[${Array.from({ length: 10 }, () => `*${name}`).join(', ')}]`;
  const objects = ['- source: tenant:db', '  path: x', '  a: &a [x, x, x, x, x, x, x, x, x, x]', `  b: &b ${ten('a')}`, `  c: &c ${ten('b')}`, `  d: ${ten('c')}`].join('\n');
  await refusedDuring(t, { objects }, 'objects: expands YAML aliases more than 100 times; write it out without anchors');
});

test('an output larger than the per-file budget is refused before it is returned', async (t) => {
  const store = tenantStore(() => ({ value: 'z'.repeat(1_100_000) }));
  const courier = await startSharedCourier(t, store, { budgets: { ...(await import('../../src/spc/budgets.ts')).DEFAULT_BUDGETS, maxSecretBytes: 4 * 1024 * 1024 } });
  const error = (await t.throwsAsync(courier.client.mount(tenantMount({ objects: '- {source: "tenant:big", path: big}' }, 'team-a')))) as ServiceError | undefined;
  t.is(error?.details, 'objects[0]: the file would be 1100000 bytes, over the budget of 1048576 bytes per file (budget: --max-object-bytes)');
});
