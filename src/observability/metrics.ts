/** Courier's Prometheus metrics, created per server on its own registry (no global default registry). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every part of Courier records into; passed in, never imported as a singleton. */
export interface Metrics {
  readonly registry: Registry;
  /** Mounts by outcome (`ok` or a lower-case gRPC code). */
  readonly mounts: Counter<'outcome'>;
  readonly mountSeconds: Histogram<'outcome'>;
  /** Store requests (one per object fetched) by store, operation and outcome. */
  readonly backendRequests: Counter<'store' | 'operation' | 'outcome'>;
}

/** Creates the metrics on a fresh registry; `processMetrics` adds Node.js process metrics. */
export function createMetrics(options: { readonly processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'courier_' });
  return {
    registry,
    mounts: new Counter({ name: 'courier_mounts_total', help: 'Mount calls by outcome.', labelNames: ['outcome'], registers: [registry] }),
    mountSeconds: new Histogram({
      name: 'courier_mount_duration_seconds',
      help: 'Mount latency by outcome.',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    backendRequests: new Counter({
      name: 'courier_backend_requests_total',
      help: 'Requests to secret stores by store, operation and outcome.',
      labelNames: ['store', 'operation', 'outcome'],
      registers: [registry],
    }),
  };
}
