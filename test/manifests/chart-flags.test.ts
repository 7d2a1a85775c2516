import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse } from 'yaml';
import { STORE_MODULES } from '../../src/stores/registry.ts';
import { CHART, helmTemplate, ROOT } from './render.ts';

// The chart and `courier serve` must agree on flag names: a flag the chart emits that Courier does not
// know makes every pod crash at start, and a new Courier flag should get a chart setting.

const run = promisify(execFile);

/** Flags left to `extraFlags` on purpose: development and test settings (store flags without a chart value). */
const EXTRA_FLAGS_ONLY = ['local-store', 'kubeconfig', ...STORE_MODULES.flatMap((module) => module.flags.filter((flag) => flag.chartValue === undefined).map((flag) => flag.name))];

async function serveFlags(): Promise<string[]> {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'src/cli/main.ts'), 'serve', '--help'], { cwd: ROOT, timeout: 30_000 });
  return [...stdout.matchAll(/^ {2}--([a-z0-9-]+)/gm)].map((match) => match[1] ?? '').filter((name) => name !== 'help');
}

/** Flag names in the chart's flags dict (templates/_helpers.tpl). */
async function chartFlags(): Promise<string[]> {
  const helpers = await readFile(join(CHART, 'templates/_helpers.tpl'), 'utf8');
  const dict = helpers.slice(helpers.indexOf('$flags := dict'), helpers.indexOf('-}}', helpers.indexOf('$flags := dict')));
  return [...dict.matchAll(/^\s+"([a-z0-9-]+)" /gm)].map((match) => match[1] ?? '');
}

test('every flag the chart can render is a courier serve flag', async (t) => {
  const known = await serveFlags();
  t.true(known.includes('socket-dir') && known.includes('grace-period'), 'the help output was read');
  const full = await helmTemplate({ values: [join(CHART, 'ci/full-values.yaml')] });
  const args = (full.find((object) => object.kind === 'DaemonSet')?.['spec'] as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec.containers[0]?.args ?? [];
  const rendered = args.map((arg) => arg.replace(/^--/, '').split('=')[0] ?? '');
  t.deepEqual([...rendered, ...(await chartFlags())].filter((name) => !known.includes(name)), []);
});

test('every courier serve flag has a chart setting or is left to extraFlags on purpose', async (t) => {
  const mapped = await chartFlags();
  const missing = (await serveFlags()).filter((name) => !mapped.includes(name) && !EXTRA_FLAGS_ONLY.includes(name));
  t.deepEqual(missing, [], 'add one line per flag to the dict in manifests/charts/courier/templates/_helpers.tpl and a value in values.yaml (or list it in EXTRA_FLAGS_ONLY)');
});

test('every value under stores, fetch and the switches reaches a flag', async (t) => {
  const values = parse(await readFile(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const helpers = await readFile(join(CHART, 'templates/_helpers.tpl'), 'utf8');
  const leaves = (prefix: string, value: unknown): string[] =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.entries(value).flatMap(([key, item]) => leaves(`${prefix}.${key}`, item)) : [prefix];
  const settings = [...leaves('stores', values['stores']), ...leaves('fetch', values['fetch']), 'allowProviderIdentity'].filter((path) => path !== 'stores.aws.endpoints');
  t.true(settings.length > 15);
  for (const path of settings) t.true(helpers.includes(`$v.${path}`), `${path} is used in the flags dict`);
});
