/** `courier serve`: runs the provider until SIGTERM or SIGINT. */
import { startBackends } from '../backends/registry.ts';
import { createLogger } from '../observability/logger.ts';
import { createMetrics } from '../observability/metrics.ts';
import { startCourier } from '../server/courier-server.ts';
import type { ServeOptions } from '../server/options.ts';
import { VERSION } from '../version.ts';

/** Serves until a signal arrives, then drains and resolves (the process exits 0). */
export async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel);
  const metrics = createMetrics({ processMetrics: true });
  const backends = await startBackends(options);
  const courier = await startCourier(options, { logger, metrics, backends });
  logger.info(
    { version: VERSION, sockets: courier.sockets.map((socket) => socket.path), stores: [...backends.keys()], metrics: courier.metricsUrl, health: courier.healthUrl, writeFiles: options.writeFiles },
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
