import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { parse } from 'yaml';
import { envName } from '../../src/cli/store-flags.ts';
import { STORE_MODULES } from '../../src/stores/registry.ts';

// Each store module declares its flags, sources and dialect once (src/stores/<name>/index.ts); the
// README, the chart and the docs must agree with those declarations. These checks need no helm.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHART = join(ROOT, 'manifests/charts/courier');
const read = (path: string) => readFile(join(ROOT, path), 'utf8');
const FLAGS = STORE_MODULES.flatMap((module) => module.flags.map((flag) => ({ module, flag })));

test('every store declares at least its sources and its docs exist', async (t) => {
  for (const module of STORE_MODULES) {
    t.true(module.sources.length > 0, module.name);
    await t.notThrowsAsync(read(module.docs.replace(/#.*$/, '')), `${module.name}: ${module.docs}`);
  }
});

test('the README serve table names every store flag and its source names', async (t) => {
  const readme = await read('README.md');
  const serveTable = readme.slice(readme.indexOf('### `courier serve`'), readme.indexOf('### `courier mount`'));
  t.true(serveTable.length > 0);
  t.deepEqual(FLAGS.filter(({ flag }) => !serveTable.includes(`--${flag.name}`)).map(({ flag }) => flag.name), []);
  const sourceRow = readme.split('\n').find((line) => line.startsWith('| `source` |')) ?? '';
  t.deepEqual(STORE_MODULES.flatMap((module) => module.sources.map((source) => source.name)).filter((name) => !sourceRow.includes(`\`${name}\``)), []);
});

test('every store flag with a chart value is set from that value, and no other store flag is', async (t) => {
  const helpers = await readFile(join(CHART, 'templates/_helpers.tpl'), 'utf8');
  const values = parse(await readFile(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const at = (path: string) => path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined), values);
  for (const { flag } of FLAGS) {
    if (flag.chartValue === undefined) {
      t.false(helpers.includes(`"${flag.name}" `), `--${flag.name} is development-only: left to extraFlags`);
      continue;
    }
    t.regex(helpers, new RegExp(`"${flag.name}" \\$v\\.${flag.chartValue.replaceAll('.', '\\.')}\\b`), `--${flag.name} is set from ${flag.chartValue}`);
    t.not(at(flag.chartValue), undefined, `values.yaml has ${flag.chartValue}`);
  }
});

test('the chart offers exactly the compatibility dialects the stores declare', async (t) => {
  const schema = JSON.parse(await readFile(join(CHART, 'values.schema.json'), 'utf8')) as { properties: { compat: { items: { enum: string[] } } } };
  t.deepEqual(schema.properties.compat.items.enum, STORE_MODULES.flatMap((module) => module.dialects.map((dialect) => dialect.name)));
});

test('store flags are kebab-case, documented and read from COURIER_ variables', (t) => {
  for (const { module, flag } of FLAGS) {
    t.regex(flag.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, flag.name);
    t.regex(envName(flag), /^COURIER_[A-Z0-9_]+$/);
    t.true(flag.help.length > 10, `${module.name}: --${flag.name} has help`);
  }
});
