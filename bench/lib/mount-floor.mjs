/**
 * What the steps a Mount of the footprint case's class must take on top of the null provider's fixed
 * answer cost with Courier's libraries, each in a loop of 100,000 once warm: the floor under the footprint
 * case's CPU and p50 ratios (docs/operations.md#footprint). `node bench/lib/mount-floor.mjs`.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import pino from 'pino';
import prom from 'prom-client';

const N = 100_000;
const objects = Array.from({ length: 10 }, (_, i) => `- source: file:app/secret-${i}.json\n  path: config/secret-${i}.json`).join('\n');
const attributes = JSON.stringify({ objects, secretProviderClass: 'bench', 'csi.storage.k8s.io/pod.name': 'bench-0', 'csi.storage.k8s.io/pod.namespace': 'bench', 'csi.storage.k8s.io/pod.uid': '00000000-0000-4000-8000-000000000000', 'csi.storage.k8s.io/serviceAccount.name': 'default' });
const values = new Map(Array.from({ length: 10 }, (_, i) => [`["file","",${i}]`, new Uint8Array(Buffer.from(JSON.stringify({ user: `user-${i}`, password: 'x'.repeat(40), note: 'y'.repeat(100) })))]));
const keys = [...values.keys()];
const logger = pino({ base: null }, pino.destination({ dest: '/dev/null', sync: true }));
const registry = new prom.Registry();
const counter = new prom.Counter({ name: 'm_total', help: 'h', labelNames: ['outcome'], registers: [registry] });
const hist = new prom.Histogram({ name: 'm_seconds', help: 'h', labelNames: ['outcome'], registers: [registry] });
const backend = new prom.Counter({ name: 'b_total', help: 'h', labelNames: ['store', 'operation', 'outcome'], registers: [registry] });
const hits = new prom.Counter({ name: 'c_total', help: 'h', labelNames: ['store'], registers: [registry] });
let sink = 0;
const steps = {
  'parse attributes (JSON, 1 KB)': () => { sink += Object.keys(JSON.parse(attributes)).length; },
  'plan key (SHA-256 of the parameters)': () => { sink += createHash('sha256').update(objects, 'utf16le').update('secretProviderClass').digest('base64').length; },
  'ten cached values: lookup and copy': () => { for (const key of keys) sink += Buffer.from(values.get(key)).length; },
  'ten files and versions built': () => { const files = []; const versions = []; for (let i = 0; i < 10; i++) { files.push({ path: `config/secret-${i}.json`, mode: 420, contents: values.get(keys[i]) }); versions.push({ id: `config/secret-${i}.json`, version: 'v1' }); } sink += files.length + versions.length; },
  'one log line (pino, synchronous write)': () => { logger.info({ namespace: 'bench', pod: 'bench-0', secretProviderClass: 'bench', objects: 10, files: 10, skipped: 0, outcome: 'ok', durationMs: 0.4 }, 'mount'); },
  'metrics (4 counters, 1 histogram)': () => { counter.inc({ outcome: 'ok' }); hist.observe({ outcome: 'ok' }, 0.0004); backend.inc({ store: 'file', operation: 'fetch', outcome: 'ok' }, 10); hits.inc({ store: 'file' }, 10); },
  'deadline (AbortController, timer set and cleared)': () => { const c = new globalThis.AbortController(); const t = setTimeout(() => c.abort(), 10_000); clearTimeout(t); sink += c.signal.aborted ? 1 : 0; },
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
