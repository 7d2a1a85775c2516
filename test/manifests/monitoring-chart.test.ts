import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { parse, stringify } from 'yaml';
import { tempDir } from '../helpers/temp-dir.ts';
import { validateObject } from './kube-schema.ts';
import { CHART, helmTemplate, only, ROOT, type KubeObject } from './render.ts';

// The chart's monitoring objects as helm renders them: PrometheusRule (checked by promtool), dashboard
// ConfigMap, PodMonitor, and the pod-events switch.

const run = promisify(execFile);
const PROMTOOL = join(ROOT, '.tools/bin/promtool');
const ALL = ['metrics.prometheusRule.enabled=true', 'metrics.dashboard.enabled=true', 'metrics.podMonitor.enabled=true'];

type Rules = { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; annotations: Record<string, string> }> }> };

function rulesOf(objects: readonly KubeObject[]): Rules {
  return only(objects, 'PrometheusRule')['spec'] as Rules;
}

test('the monitoring objects match the Kubernetes and Prometheus Operator schemas', async (t) => {
  const objects = await helmTemplate({ set: ALL });
  for (const kind of ['PrometheusRule', 'ConfigMap', 'PodMonitor']) t.deepEqual(await validateObject(only(objects, kind)), [], kind);
});

test('the PrometheusRule is the chart\'s alert file with the runbook base and the memory limit filled in', async (t) => {
  const file = parse(await readFile(join(CHART, 'files/alerts.yaml'), 'utf8')) as Rules;
  const rendered = rulesOf(await helmTemplate({ set: ['metrics.prometheusRule.enabled=true', 'metrics.prometheusRule.runbookBaseUrl=https://runbooks.example.com/courier.md'] }));
  const filled = JSON.parse(JSON.stringify(file).replaceAll('RUNBOOK_BASE', 'https://runbooks.example.com/courier.md').replaceAll('MEMORY_LIMIT_BYTES', '536870912')) as Rules;
  t.deepEqual(rendered, filled);
  const memory = rendered.groups.flatMap((group) => group.rules).find((rule) => rule.alert === 'CourierMemoryNearLimit');
  t.is(memory?.expr, 'max by (namespace, pod) (courier_process_resident_memory_bytes) > 0.85 * 536870912');
});

const memoryThreshold = test.macro({
  async exec(t, set: readonly string[], bytes: string) {
    const rules = rulesOf(await helmTemplate({ set: ['metrics.prometheusRule.enabled=true', ...set] }));
    t.true(rules.groups.flatMap((group) => group.rules).some((rule) => rule.expr.endsWith(`> 0.85 * ${bytes}`)));
  },
  title: (_, set: readonly string[], bytes: string) => `the memory alert compares with ${bytes} bytes given ${set.join(' ')}`,
});

test(memoryThreshold, ['resources.limits.memory=1Gi'], '1073741824');
test(memoryThreshold, ['metrics.prometheusRule.memoryLimit=768Mi'], '805306368');
test(memoryThreshold, ['resources.limits.memory=500M'], '500000000');

test('the rule refuses to render without a memory limit, or with a fractional one', async (t) => {
  const none = await t.throwsAsync(helmTemplate({ set: ['metrics.prometheusRule.enabled=true', 'resources.limits=null'] }));
  t.regex(none.message, /metrics\.prometheusRule needs a memory limit for CourierMemoryNearLimit/);
  const fraction = await t.throwsAsync(helmTemplate({ set: ['metrics.prometheusRule.enabled=true', 'metrics.prometheusRule.memoryLimit=0.5Gi'] }));
  t.regex(fraction.message, /memory limit "0\.5Gi": use a whole number/);
});

test('promtool check rules accepts the rendered rules', async (t) => {
  // scripts/install-promtool.sh (run by test:e2e) builds promtool from the Go module proxy.
  if (!existsSync(PROMTOOL)) throw new Error('promtool is not installed: run scripts/install-promtool.sh');
  const file = join(await tempDir(t), 'rules.yaml');
  await writeFile(file, stringify(rulesOf(await helmTemplate({ set: ['metrics.prometheusRule.enabled=true'] }))));
  const { stdout } = await run(PROMTOOL, ['check', 'rules', file], { timeout: 30_000 });
  t.regex(stdout, /SUCCESS: 11 rules found/);
});

test('promtool refuses a broken rule, so the check above can fail', async (t) => {
  if (!existsSync(PROMTOOL)) throw new Error('promtool is not installed: run scripts/install-promtool.sh');
  const file = join(await tempDir(t), 'rules.yaml');
  await writeFile(file, stringify({ groups: [{ name: 'g', rules: [{ alert: 'Broken', expr: 'sum by (pod (rate(courier_mounts_total[5m]))' }] }] }));
  const failure = await t.throwsAsync(run(PROMTOOL, ['check', 'rules', file], { timeout: 30_000 }));
  t.regex(String((failure as { stderr?: string }).stderr ?? ''), /FAILED/);
});

test('the dashboard ConfigMap carries the sidecar label and the dashboard JSON unchanged', async (t) => {
  const objects = await helmTemplate({ set: ['metrics.dashboard.enabled=true', 'metrics.dashboard.namespace=monitoring', 'metrics.dashboard.annotations.grafana_folder=Platform'] });
  const map = only(objects, 'ConfigMap');
  t.like(map.metadata, { name: 'courier-dashboard', namespace: 'monitoring', labels: { grafana_dashboard: '1' }, annotations: { grafana_folder: 'Platform' } });
  const data = (map['data'] as Record<string, string>)['courier.json'] ?? '';
  t.deepEqual(JSON.parse(data), JSON.parse(await readFile(join(CHART, 'files/dashboard.json'), 'utf8')));
});

test('the PodMonitor scrapes the metrics port of the DaemonSet\'s pods, and refuses to double a ServiceMonitor', async (t) => {
  const objects = await helmTemplate({ set: ['metrics.podMonitor.enabled=true', 'metrics.podMonitor.labels.release=prometheus'] });
  const selector = (only(objects, 'DaemonSet')['spec'] as { selector: { matchLabels: unknown } }).selector.matchLabels;
  t.like(only(objects, 'PodMonitor'), { metadata: { labels: { release: 'prometheus' } }, spec: { selector: { matchLabels: selector }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics' }] } });
  t.false(objects.some((object) => object.kind === 'Service'));
  const both = await t.throwsAsync(helmTemplate({ set: ['metrics.podMonitor.enabled=true', 'metrics.serviceMonitor.enabled=true'] }));
  t.regex(both.message, /enable one of them/);
});

test('pod events off drops the events rule and passes --pod-events=false', async (t) => {
  const on = await helmTemplate();
  const off = await helmTemplate({ set: ['podEvents.enabled=false'] });
  const rules = (objects: readonly KubeObject[]) => (only(objects, 'ClusterRole')['rules'] as Array<{ apiGroups: string[] }>).map((rule) => rule.apiGroups.join(','));
  t.deepEqual(rules(on), ['', 'events.k8s.io']);
  t.deepEqual(rules(off), ['']);
  const args = (objects: readonly KubeObject[]) => (only(objects, 'DaemonSet')['spec'] as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec.containers[0]?.args ?? [];
  t.false(args(on).some((arg) => arg.startsWith('--pod-events')));
  t.true(args(off).includes('--pod-events=false'));
});
