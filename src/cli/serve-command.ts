/** `courier serve`: runs the provider until SIGTERM or SIGINT. */
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { startCourier } from '../server/courier-server.ts';
import type { ServeOptions } from '../server/options.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import { preloadStores, storesToPreload } from '../stores/preload.ts';
import { startStores } from '../stores/start-stores.ts';
import { VERSION } from '../version.ts';
import { lazyKube, type LazyKube } from './lazy-kube.ts';
import { kubeApiConfigured, startPodEvents } from './pod-event-parts.ts';
import { createSharedParts } from './shared-parts.ts';

/** Serves until a signal arrives, then drains and resolves (the process exits 0). */
export async function serve(options: ServeOptions): Promise<void> {
  // Listen for the stop signal before the socket exists: a signal that arrives while Courier is
  // still starting is then honoured once it has started, instead of killing the process mid-way.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const logger = createLogger(options.logLevel);
  const metrics = createMetrics({ processMetrics: true });
  // Lazy: nothing is loaded or connected until a store or the mirror needs the Kubernetes API.
  const kube = lazyKube(options.kubeconfig);
  const mirror = options.mirrorSecrets ? await startMirror(kube, { logger, metrics }) : undefined;
  const events = startPodEvents(options.podEvents !== false, kubeApiConfigured(options.kubeconfig, process.env), kube, { logger, metrics });
  const registry = createStoreRegistry();
  const shared = await createSharedParts(options, kube, metrics.registry);
  const backends = await startStores(registry, options.stores, shared);
  const courier = await startCourier(options, { logger, metrics, backends, catalog: registry.catalog, contentVersion: shared.contentVersion, ...(mirror ? { mirror } : {}), ...(events ? { events } : {}) });
  logger.info(
    { version: VERSION, sockets: courier.sockets.map((socket) => socket.path), stores: [...backends.keys()], metrics: courier.metricsUrl, health: courier.healthUrl, writeFiles: options.writeFiles, mirrorSecrets: options.mirrorSecrets === true, podEvents: events !== undefined, kube: kube.source },
    'courier is serving',
  );
  // In the background, between Mounts; one that needs a store still loading waits for the same load.
  const stopped = new AbortController();
  void preloadStores(storesToPreload(registry.modules, options.stores, options.preloadStores ?? 'auto'), backends, logger, { busy: () => courier.activeCalls(), stopped: stopped.signal });
  const signal = await stopSignal;
  stopped.abort();
  logger.info({ signal, gracePeriodMs: options.gracePeriodMs }, 'stopping: draining in-flight mounts');
  await courier.shutdown();
  logger.info('stopped');
}

/** --mirror-secrets without a usable configuration fails now, not at the first Mount. */
async function startMirror(kube: LazyKube, deps: { logger: Logger; metrics: Metrics }): Promise<SecretMirror> {
  const client = await kube.client();
  client.check();
  const { createSecretMirror } = await import('../kube/secret-mirror.ts');
  return createSecretMirror(client, deps);
}
