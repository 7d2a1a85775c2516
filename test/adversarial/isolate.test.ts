import test from 'ava';
import { parseYamlText } from '../../src/spc/yaml-parse.ts';
import { applyExtract } from '../../src/transform/extract.ts';
import { startSharedCourier, tenantMount, tenantStore, victimMountsDuring } from './tenant-rig.ts';

// Work a tenant controls that cannot be split into slices — a long template render, a costly search, the
// parse of a large secret — runs in the isolate, beside the main thread; its files are the ones inline
// work would make, and another tenant's Mounts keep succeeding meanwhile.

const ITEMS = JSON.stringify({ items: Array.from({ length: 3_000 }, (_, index) => ({ name: `n${(index * 7919) % 3001}`, y: `y${index}` })) });

async function isolateJobs(courier: Awaited<ReturnType<typeof startSharedCourier>>): Promise<Record<string, number>> {
  const { values } = await courier.metrics.isolateJobs.get();
  return Object.fromEntries(values.map(({ labels, value }) => [`${labels.kind} ${labels.outcome}`, value]));
}

test('a long template and a costly search run in the isolate and give the files inline work gives', async (t) => {
  const store = tenantStore(() => ({ value: ITEMS }));
  const courier = await startSharedCourier(t, store);
  const objects = [
    '- {source: "tenant:items", path: sorted, jmesPath: "sort_by(items, &name)[0:3].y"}',
    '- path: counted',
    '  template: "{% for i in (1..2000) %}{% if i == 2000 %}{{ i }}{% endif %}{% endfor %}"',
  ].join('\n');
  const inline = Buffer.from(applyExtract(Buffer.from(ITEMS), { kind: 'jmesPath', expression: 'sort_by(items, &name)[0:3].y', field: 'jmesPath' }, 'objects[0]')).toString('utf8');
  const attack = Promise.all(Array.from({ length: 4 }, () => courier.client.mount(tenantMount({ objects }, 'team-a'))));
  const victim = await victimMountsDuring(courier, attack);
  const responses = await attack;
  for (const response of responses) {
    const files = Object.fromEntries(response.files.map((file) => [file.path, Buffer.from(file.contents).toString('utf8')]));
    t.deepEqual(files, { sorted: inline, counted: '2000' });
  }
  t.deepEqual(await isolateJobs(courier), { 'extract ok': 4, 'template ok': 4 });
  t.deepEqual(victim.failed, []);
  t.is(victim.ok, 24);
});

test('what fails in the isolate fails the Mount with the message and field it has inline', async (t) => {
  const store = tenantStore(() => ({ value: ITEMS }));
  const courier = await startSharedCourier(t, store);
  const error = await t.throwsAsync(courier.client.mount(tenantMount({ objects: '- {source: "tenant:items", path: sorted, jmesPath: "sort_by(items, &y)[*].missing | [0]"}' }, 'team-a')));
  t.is((error as Error & { details: string }).details, 'objects[0].jmesPath: "sort_by(items, &y)[*].missing | [0]" matched nothing in the secret');
  t.deepEqual(await isolateJobs(courier), { 'extract error': 1 });
});

test('a large class is parsed in the isolate the first time it is planned, and comes from the plan cache after', async (t) => {
  const store = tenantStore(() => ({ value: ITEMS }));
  const courier = await startSharedCourier(t, store);
  // 200 entries, about 20 KiB: over the size from which parameters are parsed ahead.
  const objects = Array.from({ length: 200 }, (_, index) => `- {source: "tenant:s${index}", path: "f${index}", jmesPath: "items[${index}].y"}  # padding to make the class larger`).join('\n');
  const attack = Promise.all(Array.from({ length: 3 }, async () => courier.client.mount(tenantMount({ objects }, 'team-a'))));
  const victim = await victimMountsDuring(courier, attack);
  const [first] = await attack;
  t.is(first?.files.length, 200);
  t.is(Buffer.from(first?.files.find((file) => file.path === 'f7')?.contents ?? []).toString('utf8'), 'y7');
  const parses = (await isolateJobs(courier))['yaml ok'] ?? 0;
  t.true(parses >= 1 && parses <= 3, `${parses} parses for three concurrent first Mounts`);
  await courier.client.mount(tenantMount({ objects }, 'team-a'));
  t.is((await isolateJobs(courier))['yaml ok'], parses, 'a planned class is not parsed again');
  t.deepEqual(victim.failed, []);
  t.is(victim.ok, 24);
});

test('a large class with a YAML error parsed in the isolate fails with the message planning gives inline', async (t) => {
  const courier = await startSharedCourier(t, tenantStore(() => ({ value: ITEMS })));
  const objects = `${Array.from({ length: 600 }, (_, index) => `- {source: "tenant:s${index}", path: "f${index}"}`).join('\n')}\n- {source: "tenant:broken", path: "x"`;
  const error = await t.throwsAsync(courier.client.mount(tenantMount({ objects }, 'team-a')));
  t.is((error as Error & { details: string }).details, 'objects: is not valid YAML at line 601, column 38: BAD_INDENT');
  t.deepEqual(parseYamlText(objects, 'spc'), { problem: 'is not valid YAML at line 601, column 38: BAD_INDENT' }, 'as parsed on the main thread');
  t.deepEqual(await isolateJobs(courier), { 'yaml ok': 1 });
});

test('a YAML secret of 40,000 keys is extracted from and rendered with, while the other tenant keeps mounting', async (t) => {
  // yaml's own repeated-key check compares every pair of keys: this secret took 15 s to parse with it.
  const yaml = `${Array.from({ length: 40_000 }, (_, index) => `key${index}: value-${index}`).join('\n')}\nwanted: found\n`;
  t.true(Buffer.byteLength(yaml) < 1024 * 1024);
  const courier = await startSharedCourier(t, tenantStore(() => ({ value: yaml })));
  const objects = ['- {source: "tenant:big", path: key, yamlKey: wanted}', '- path: rendered', '  template: "{{ big.key39999 }}"', '  inputs: {big: {source: "tenant:big"}}'].join('\n');
  const attack = courier.client.mount(tenantMount({ objects }, 'team-a'), 60_000);
  const victim = await victimMountsDuring(courier, attack);
  const response = await attack;
  const files = Object.fromEntries(response.files.map((file) => [file.path, Buffer.from(file.contents).toString('utf8')]));
  t.deepEqual(files, { key: 'found', rendered: 'value-39999' });
  t.deepEqual(await isolateJobs(courier), { 'extract ok': 1, 'template ok': 1 });
  t.deepEqual(victim.failed, []);
});
