/** kube: what the first Kubernetes API call costs a fresh process: @kubernetes/client-node against Courier's own client. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeKubeApi } from '../../test/fakes/kube-api.ts';
import { mebibytes, percentile, round } from '../lib/stats.ts';
import type { BenchCase } from '../lib/types.ts';

export const title = 'kube: resident memory and time of the first Kubernetes API call in a fresh process';

const exec = promisify(execFile);
const CHILD = fileURLToPath(new URL('../lib/kube-first-call.ts', import.meta.url));
const RUNS = 5;
/** Another checkout's root with a built dist/ (COURIER_BENCH_BASELINE_ROOT) measures that code's courier-call too: a before/after. */
const BASELINE_ROOT = process.env['COURIER_BENCH_BASELINE_ROOT'];
/** What one row measures; `root` is a checkout other than this one. */
interface Variant {
  readonly variant: 'client-node-import' | 'client-node-call' | 'courier-call';
  readonly what: string;
  readonly root?: string;
}
const VARIANTS: readonly Variant[] = [
  { variant: 'client-node-import', what: '@kubernetes/client-node: import + KubeConfig + makeApiClient' },
  { variant: 'client-node-call', what: '@kubernetes/client-node: the same + one GET' },
  { variant: 'courier-call', what: 'Courier\'s kube client: import + one GET' },
  ...(BASELINE_ROOT === undefined ? [] : [{ variant: 'courier-call' as const, what: `the same, built from ${BASELINE_ROOT}`, root: BASELINE_ROOT }]),
];

interface Sample {
  readonly ms: number;
  readonly rssAddedBytes: number;
}

export async function run(): Promise<BenchCase> {
  const api = await startFakeKubeApi();
  try {
    api.addServiceAccount('bench', 'app', { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/app' });
    const rows: BenchCase['rows'] = [];
    const medians = new Map<string, { ms: number; mib: number }>();
    for (const { variant, what, root } of VARIANTS) {
      const samples: Sample[] = [];
      // One at a time, each in a fresh process: the figure is a cold start, as the first Mount after a rollout pays it.
      for (let index = 0; index < RUNS; index++) {
        const { stdout } = await exec(process.execPath, [CHILD, variant, api.kubeconfig, ...(root === undefined ? [] : [root])], { timeout: 60_000 });
        samples.push(JSON.parse(stdout) as Sample);
      }
      const ms = percentile(samples.map((sample) => sample.ms), 50);
      const mib = mebibytes(percentile(samples.map((sample) => sample.rssAddedBytes), 50));
      if (root === undefined) medians.set(variant, { ms, mib });
      rows.push({ variant: what, runs: RUNS, 'median ms': round(ms, 0), 'median RSS added MiB': mib, 'ms range': `${round(Math.min(...samples.map((s) => s.ms)), 0)}–${round(Math.max(...samples.map((s) => s.ms)), 0)}` });
    }
    const courier = medians.get('courier-call');
    return {
      title,
      rows,
      targets: courier ? [
        { metric: 'RSS added by the first API call with Courier\'s client (MiB)', target: '< 10 MiB', value: courier.mib, met: courier.mib < 10 },
        { metric: 'time of the first API call with Courier\'s client (ms)', target: '< 200 ms', value: round(courier.ms, 0), met: courier.ms < 200 },
      ] : [],
    };
  } finally {
    await api.close();
  }
}
