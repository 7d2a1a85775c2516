/**
 * What the steps a Mount of the footprint case's class must take on top of the null provider's fixed
 * answer cost, each in a loop of 100,000 once warm, run with Courier's own code from dist/ (build first):
 * the floor under the footprint case's CPU and p50 ratios (docs/operations.md#footprint).
 * `node bench/lib/mount-floor.mjs`.
 */
import { openSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { systemClock } from '../../dist/fetch/clock.js';
import { ValueCache } from '../../dist/fetch/value-cache.js';
import { createLogger } from '../../dist/observability/logger.js';
import { createMetrics } from '../../dist/observability/metrics.js';
import { mountSignal } from '../../dist/server/mount-signal.js';
import { decodeRequest } from '../../dist/spc/decode-request.js';
import { createPlanCache } from '../../dist/spc/plan-cache.js';

const N = 100_000;
const objects = Array.from({ length: 10 }, (_, i) => `- source: file:app/secret-${i}.json\n  path: config/secret-${i}.json`).join('\n');
const raw = {
  attributes: JSON.stringify({ objects, secretProviderClass: 'bench', 'csi.storage.k8s.io/pod.name': 'bench-0', 'csi.storage.k8s.io/pod.namespace': 'bench', 'csi.storage.k8s.io/pod.uid': '00000000-0000-4000-8000-000000000000', 'csi.storage.k8s.io/serviceAccount.name': 'default' }),
  secrets: 'null',
  targetPath: '/tmp/courier-bench-target',
  permission: '420',
};
const request = decodeRequest(raw);
// The plan key alone: `has` computes it and looks it up, and planning reads nothing else of the context.
const plans = createPlanCache();
const context = { permission: request.permission };
const values = new ValueCache({ ttlMs: 3_600_000, maxBytes: 64 * 1024 * 1024, clock: systemClock() });
const keys = Array.from({ length: 10 }, (_, i) => `["file","",${i}]`);
for (const [i, key] of keys.entries()) values.set(key, 'file', { contents: new Uint8Array(Buffer.from(JSON.stringify({ user: `user-${i}`, password: 'x'.repeat(40), note: 'y'.repeat(100) }))), version: 'v1' });
const logger = createLogger('info', pino.destination({ fd: openSync('/dev/null', 'w'), sync: true }));
const metrics = createMetrics();
const held = keys.map((key) => values.get(key)?.contents);
let sink = 0;
const steps = {
  'decode the request (attributes JSON, 1 KB)': () => { sink += decodeRequest(raw).pod.name.length; },
  'plan key (SHA-256 of the parameters)': () => { sink += plans.has(request.parameters, context) ? 1 : 0; },
  'ten cached values: lookup and copy': () => { for (const key of keys) sink += values.get(key)?.contents.length ?? 0; },
  'ten files and versions built': () => { const files = []; const versions = []; for (let i = 0; i < 10; i++) { files.push({ path: `config/secret-${i}.json`, mode: 420, contents: held[i] }); versions.push({ id: `config/secret-${i}.json`, version: 'v1' }); } sink += files.length + versions.length; },
  "one log line (Courier's logger, synchronous write)": () => { logger.info({ namespace: 'bench', pod: 'bench-0', secretProviderClass: 'bench', objects: 10, files: 10, skipped: 0, outcome: 'ok', durationMs: 0.4 }, 'mount'); },
  "metrics (Courier's: 3 counters, 1 histogram)": () => { metrics.mounts.inc({ outcome: 'ok' }); metrics.mountSeconds.observe({ outcome: 'ok' }, 0.0004); metrics.backendRequests.inc({ store: 'file', operation: 'fetch', outcome: 'ok' }, 10); metrics.cacheHits.inc({ store: 'file' }, 10); },
  "deadline (Courier's Mount signal, set and released)": () => { const { signal, release } = mountSignal(Date.now() + 10_000, 30_000); release(); sink += signal.aborted ? 1 : 0; },
};
const results = [];
for (const [name, fn] of Object.entries(steps)) {
  for (let i = 0; i < 20_000; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) fn();
  results.push([name, ((performance.now() - t0) * 1000) / N]);
}
{ const f = async () => 1; for (let i = 0; i < 20000; i++) await f(); const t0 = performance.now(); for (let i = 0; i < N; i++) sink += await f(); results.push(['an async call awaited (x1)', ((performance.now() - t0) * 1000) / N]); }
let total = 0;
for (const [name, us] of results) {
  total += us;
  process.stdout.write(`${us.toFixed(2).padStart(7)} µs ${name}\n`);
}
process.stdout.write(`${total.toFixed(1).padStart(7)} µs in all${sink > 0 ? '' : ' (nothing computed)'}\n`);
