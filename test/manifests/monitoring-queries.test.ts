import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { startCourierProcess } from '../e2e/helpers/courier-process.ts';
import { connectProvider } from '../helpers/provider-client.ts';
import { buildDist } from '../cli/run-cli.ts';
import { driverAttributes, objectsYaml, tempDir } from '../server/courier-fixture.ts';
import { exposedNames, metricNames } from './promql-names.ts';
import { CHART, ROOT } from './render.ts';

// The chart's dashboard and alerts may only read metrics Courier exports: a renamed metric would leave a
// panel empty and an alert silent, and nothing else would notice.

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

async function alertRules(): Promise<Rule[]> {
  const file = parse(await readFile(join(CHART, 'files/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

async function dashboardQueries(): Promise<string[]> {
  const dashboard = JSON.parse(await readFile(join(CHART, 'files/dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }>; templating: { list: Array<{ query?: unknown }> } };
  const variables = dashboard.templating.list.flatMap((variable) => {
    const query = (variable.query as { query?: string } | undefined)?.query;
    return typeof query === 'string' ? [query.replace(/^label_values\(([^,]+),.*\)$/, '$1')] : [];
  });
  return [...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)), ...variables];
}

/** A real `courier serve` with the local store and gcp-sm configured, after Mounts that fill the Mount, store and cache series. */
async function scrapeAfterMounts(t: ExecutionContext): Promise<string> {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'store'));
  await writeFile(join(dir, 'store', 'db.txt'), 'db-password');
  const courier = await startCourierProcess(t, { args: ['--local-store', join(dir, 'store'), '--gcp-project', 'my-project', '--gcp-cluster-location', 'europe-west1', '--gcp-cluster-name', 'prod'] });
  const client = connectProvider(courier.socketPath);
  t.teardown(() => client.close());
  const good = { attributes: driverAttributes({ objects: objectsYaml(['{source: "file:db.txt"}']) }) };
  await client.mount(good);
  await client.mount(good);
  await t.throwsAsync(client.mount({ attributes: driverAttributes({ objects: objectsYaml(['{source: "file:absent.txt"}']) }) }));
  const response = await fetch(`${courier.metricsUrl ?? ''}/metrics`);
  t.is(response.status, 200);
  return response.text();
}

test.before(async () => {
  await buildDist();
});

test('metric names are read from expressions, not functions, labels, ranges or keywords', (t) => {
  t.deepEqual(metricNames('histogram_quantile(0.99, sum by (le) (rate(courier_mount_duration_seconds_bucket{pod=~"$pod"}[$__rate_interval]))) > 10'), ['courier_mount_duration_seconds_bucket']);
  t.deepEqual(metricNames('sum by (store) (rate(a_total[5m])) / (sum by (store) (rate(a_total[5m])) + rate(b_total[5m])) < 0.2 and on (store) c > 1e3'), ['a_total', 'b_total', 'c']);
  t.deepEqual(metricNames('max(up{job="x"} offset 5m) > bool 0.85 * 536870912'), ['up']);
});

test('every alert and dashboard query reads only metrics a running Courier exports', async (t) => {
  const exposed = exposedNames(await scrapeAfterMounts(t));
  t.true(exposed.has('courier_mounts_total') && exposed.has('courier_process_resident_memory_bytes') && exposed.has('courier_token_exchanges_total'), 'the scrape lists Courier\'s, the process\'s and the stores\' metrics');
  const rules = await alertRules();
  const queries = [...rules.map((rule) => rule.expr.replaceAll('MEMORY_LIMIT_BYTES', '1')), ...(await dashboardQueries())];
  t.true(rules.length >= 10 && queries.length > 30);
  const unknown = [...new Set(queries.flatMap(metricNames))].filter((name) => !exposed.has(name));
  t.deepEqual(unknown, []);
});

test('the Mounts of the scrape are in its series, so the exposed names are live ones', async (t) => {
  const text = await scrapeAfterMounts(t);
  t.regex(text, /^courier_mounts_total\{outcome="ok"\} 2$/m);
  t.regex(text, /^courier_mounts_total\{outcome="not_found"\} 1$/m);
  t.regex(text, /^courier_cache_hits_total\{store="file"\} 1$/m);
  t.regex(text, /^courier_mount_duration_seconds_bucket\{le="\+Inf",outcome="ok"\} 2$/m);
});

test('every alert names its severity and links a runbook section of docs/troubleshooting.md', async (t) => {
  const troubleshooting = await readFile(join(ROOT, 'docs/troubleshooting.md'), 'utf8');
  const anchors = new Set([...troubleshooting.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading = '']) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
  for (const rule of await alertRules()) {
    t.is(rule.annotations['runbook_url'], `RUNBOOK_BASE#${rule.alert.toLowerCase()}`, rule.alert);
    t.true(anchors.has(rule.alert.toLowerCase()), `docs/troubleshooting.md has a section "${rule.alert}"`);
    t.truthy(rule.annotations['summary'], rule.alert);
    t.true(['critical', 'warning', 'info'].includes(rule.labels['severity'] ?? ''), rule.alert);
  }
});
