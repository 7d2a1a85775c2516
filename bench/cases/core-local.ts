/** Core Mount path on the local store: a 10-object SecretProviderClass at concurrency 1, 16 and 128. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageNodeOptions, startCourierProcess } from '../lib/courier-process.ts';
import { driveMounts, type WireRequest } from '../lib/load.ts';
import { mebibytes, percentile, round } from '../lib/stats.ts';
import type { BenchCase, BenchTarget } from '../lib/types.ts';

export const title = 'core: 10-object SecretProviderClass on the local store';

const LEVELS = [
  { concurrency: 1, count: 3_000 },
  { concurrency: 16, count: 8_000 },
  { concurrency: 128, count: 8_000 },
];
const STARTS = 5;

/** Ten JSON secrets of about 200 bytes; two objects extract a key, eight return the whole file. */
async function makeStore(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'courier-bench-store-'));
  await mkdir(join(root, 'app'));
  for (let index = 0; index < 10; index += 1) {
    const secret = { user: `user-${index}`, password: `p-${index}-${'x'.repeat(24)}`, host: `db-${index}.internal`, port: 5432 + index, note: 'y'.repeat(100) };
    await writeFile(join(root, 'app', `secret-${index}.json`), JSON.stringify(secret));
  }
  return root;
}

function mountRequest(): WireRequest {
  const objects = Array.from({ length: 10 }, (_, index) =>
    index < 2 ? `- source: file:app/secret-${index}.json\n  path: password-${index}\n  jsonKey: password` : `- source: file:app/secret-${index}.json\n  path: config/secret-${index}.json`,
  ).join('\n');
  const attributes = {
    objects,
    secretProviderClass: 'bench',
    'csi.storage.k8s.io/pod.name': 'bench-0',
    'csi.storage.k8s.io/pod.namespace': 'bench',
    'csi.storage.k8s.io/pod.uid': '00000000-0000-4000-8000-000000000000',
    'csi.storage.k8s.io/serviceAccount.name': 'default',
    'csi.storage.k8s.io/ephemeral': 'false',
  };
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: '/tmp/courier-bench-target', permission: '420' };
}

/** Median and worst time from spawn to an accepting socket over a few starts. */
async function measureStarts(store: string): Promise<{ median: number; worst: number }> {
  const times: number[] = [];
  for (let start = 0; start < STARTS; start += 1) {
    const courier = await startCourierProcess({ args: ['--local-store', store] });
    times.push(courier.readyMs);
    await courier.stop();
  }
  return { median: percentile(times, 50), worst: Math.max(...times) };
}

export async function run(): Promise<BenchCase> {
  const store = await makeStore();
  try {
    const starts = await measureStarts(store);
    const nodeArgs = await imageNodeOptions();
    const courier = await startCourierProcess({ args: ['--local-store', store], nodeArgs });
    const request = mountRequest();
    const rows: Array<Record<string, string | number>> = [];
    const byLevel = new Map<number, { p99: number; rate: number }>();
    let rssBytes = Number.NaN;
    try {
      await driveMounts({ socketPath: courier.socketPath, request, concurrency: 16, count: 1_000 });
      for (const level of LEVELS) {
        const cpuBefore = await courier.cpuSeconds();
        const result = await driveMounts({ socketPath: courier.socketPath, request, concurrency: level.concurrency, count: level.count, maxMs: 30_000 });
        const cpuMs = ((await courier.cpuSeconds()) - cpuBefore) * 1000;
        const rate = result.completed / (result.elapsedMs / 1000);
        const p99 = percentile(result.latenciesMs, 99);
        byLevel.set(level.concurrency, { p99, rate });
        rows.push({
          concurrency: level.concurrency,
          mounts: result.completed,
          failed: result.failed,
          'p50 ms': round(percentile(result.latenciesMs, 50)),
          'p99 ms': round(p99),
          'mounts/s': Math.round(rate),
          'server CPU ms/mount': round(cpuMs / Math.max(result.completed + result.failed, 1), 3),
          ...(result.firstError === undefined ? {} : { error: result.firstError }),
        });
      }
    } finally {
      rssBytes = await courier.peakRssBytes().catch(() => Number.NaN);
      await courier.stop();
    }
    return { title: `${title} (server node options: ${nodeArgs.join(' ') || 'none'}, as in the image)`, rows, targets: targetsFrom(byLevel, starts, mebibytes(rssBytes)) };
  } finally {
    await rm(store, { recursive: true, force: true });
  }
}

function targetsFrom(byLevel: ReadonlyMap<number, { p99: number; rate: number }>, starts: { median: number; worst: number }, rss: number): BenchTarget[] {
  const at16 = byLevel.get(16)?.p99 ?? Number.NaN;
  const best = [...byLevel.entries()].sort((a, b) => b[1].rate - a[1].rate)[0];
  const rate = best?.[1].rate ?? 0;
  return [
    { metric: 'p99 latency at concurrency 16 (ms)', target: '< 5 ms', value: round(at16), met: at16 < 5 },
    { metric: `Mounts/s (best, at concurrency ${best?.[0] ?? '?'})`, target: '> 1500', value: Math.round(rate), met: rate > 1500 },
    { metric: `spawn to socket ready, median of ${STARTS} (ms; worst ${round(starts.worst, 0)})`, target: '< 400 ms', value: round(starts.median, 0), met: starts.median < 400 },
    { metric: 'peak RSS of the server (MiB)', target: '< 80 MiB', value: rss, met: rss < 80 },
  ];
}
