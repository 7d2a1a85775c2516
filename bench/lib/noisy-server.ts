/** A Courier for the noisy-neighbour bench, in its own process: the local store and a store that always throttles. Usage: node noisy-server.ts SOCKET_DIR STORE_DIR */
import { ThrottledError } from '../../src/errors/courier-error.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import type { Backend } from '../../src/stores/backend.ts';
import { FileStore } from '../../src/stores/file/file-store.ts';
import { createStoreRegistry, STORE_MODULES } from '../../src/stores/registry.ts';
import type { StoreModule } from '../../src/stores/store-module.ts';

const [socketDir, storeDir] = process.argv.slice(2);
if (!socketDir || !storeDir) throw new Error('usage: noisy-server.ts SOCKET_DIR STORE_DIR');

/** Every call throttled after 5 ms, with a Retry-After, as a store over its quota answers. */
const throttled: Backend = {
  store: 'throttled',
  maxBatchSize: 10,
  identityKey: (_request, context) => Promise.resolve(`${context.pod.namespace}/${context.pod.serviceAccount}`),
  async fetch(requests) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return requests.map(() => ({ ok: false as const, error: new ThrottledError('Rate exceeded', { retryAfterMs: 100 }) }));
  },
};
const module: StoreModule = { name: 'throttled', title: 'a throttling store', docs: 'bench/README.md', sources: [{ name: 'throttled', locatorHelp: 'anything', enableHint: 'registered by the bench' }], dialects: [], flags: [], enabled: () => true, start: () => Promise.resolve([throttled]) };

const file = new FileStore(storeDir);
await file.start();
const courier = await startCourier(
  { ...DEFAULT_SERVE_OPTIONS, socketDir, metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 2_000 },
  { logger: createLogger('silent'), metrics: createMetrics(), backends: new Map<string, Backend>([['file', file], ['throttled', throttled]]), catalog: createStoreRegistry([...STORE_MODULES, module]).catalog },
);
process.once('SIGTERM', () => {
  void courier.shutdown().then(() => file.close());
});
