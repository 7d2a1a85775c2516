/** `courier serve`: runs the provider until SIGTERM or SIGINT. */
import { startBackends } from '../backends/registry.ts';
import { createKubeClientAtStartup } from '../kube/kube-client.ts';
import { createSecretMirror } from '../kube/secret-mirror.ts';
import { createServiceAccountReader } from '../kube/service-account-reader.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { startCourier } from '../server/courier-server.ts';
import type { ServeOptions } from '../server/options.ts';
import { VERSION } from '../version.ts';

/** Serves until a signal arrives, then drains and resolves (the process exits 0). */
export async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  const metrics = createMetrics({ processMetrics: true });
  // Lazy: nothing connects until a store or the mirror needs the Kubernetes API.
  const kube = createKubeClientAtStartup(options.kubeconfig);
  // --mirror-secrets without a usable configuration fails now, not at the first Mount.
  if (options.mirrorSecrets) kube.core();
  const mirror = options.mirrorSecrets ? createSecretMirror(kube, { logger, metrics }) : undefined;
  const backends = await startBackends(options, { serviceAccounts: createServiceAccountReader(kube) });
  const courier = await startCourier(options, { logger, metrics, backends, ...(mirror ? { mirror } : {}) });
  logger.info(
    { version: VERSION, sockets: courier.sockets.map((socket) => socket.path), stores: [...backends.keys()], metrics: courier.metricsUrl, health: courier.healthUrl, writeFiles: options.writeFiles, mirrorSecrets: options.mirrorSecrets === true, kube: kube.source },
    'courier is serving',
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal, gracePeriodMs: options.gracePeriodMs }, 'stopping: draining in-flight mounts');
  await courier.shutdown();
  logger.info('stopped');
}
