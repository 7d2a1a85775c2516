/** Courier's Prometheus metrics, created per server on its own registry (no global default registry). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The metrics every part of Courier records into; passed in, never imported as a singleton. */
export interface Metrics {
  readonly registry: Registry;
  /** Mounts by outcome (`ok` or a lower-case gRPC code). */
  readonly mounts: Counter<'outcome'>;
  readonly mountSeconds: Histogram<'outcome'>;
  /** Store requests (one per object fetched) by store, operation and outcome. */
  readonly backendRequests: Counter<'store' | 'operation' | 'outcome'>;
  /** Object requests answered from the value cache, by store. */
  readonly cacheHits: Counter<'store'>;
  readonly cacheMisses: Counter<'store'>;
  /** Object requests answered from the short negative cache (a recent NOT_FOUND or PERMISSION_DENIED), by store. */
  readonly negativeCacheHits: Counter<'store'>;
  /** Requests that joined a store call already in flight for the same store, identity and selector. */
  readonly singleflightJoins: Counter<'store'>;
  /** Requests waiting for a free store-call slot. */
  readonly fetchQueueDepth: Gauge<'store'>;
  /** Bytes held by the value cache. */
  readonly cacheBytes: Gauge;
  /** Calls to a store (one per batch), by store, operation and outcome. */
  readonly storeCalls: Counter<'store' | 'operation' | 'outcome'>;
  /** Requests retried, by store and reason (`throttled` or `unavailable`). */
  readonly fetchRetries: Counter<'store' | 'reason'>;
  /** Mirror Secret writes by outcome (created, updated, unchanged, refused, forbidden, invalid, conflict, unavailable). */
  readonly mirrorWrites: Counter<'outcome'>;
  /** Pod events by reason and outcome (created, updated, deduplicated, rate_limited, failed); kube/pod-events.ts. */
  readonly podEvents: Counter<'reason' | 'outcome'>;
  /** Jobs run off the main thread (transform/isolate), by kind and outcome. */
  readonly isolateJobs: Counter<'kind' | 'outcome'>;
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
    cacheHits: new Counter({ name: 'courier_cache_hits_total', help: 'Object requests answered from the value cache.', labelNames: ['store'], registers: [registry] }),
    cacheMisses: new Counter({ name: 'courier_cache_misses_total', help: 'Object requests the value cache could not answer.', labelNames: ['store'], registers: [registry] }),
    negativeCacheHits: new Counter({ name: 'courier_negative_cache_hits_total', help: 'Object requests answered with a recent NOT_FOUND or PERMISSION_DENIED without asking the store.', labelNames: ['store'], registers: [registry] }),
    singleflightJoins: new Counter({ name: 'courier_singleflight_joins_total', help: 'Object requests that joined a store call already in flight.', labelNames: ['store'], registers: [registry] }),
    fetchQueueDepth: new Gauge({ name: 'courier_fetch_queue_depth', help: 'Requests waiting for a free store-call slot.', labelNames: ['store'], registers: [registry] }),
    cacheBytes: new Gauge({ name: 'courier_cache_bytes', help: 'Bytes held by the value cache.', registers: [registry] }),
    storeCalls: new Counter({ name: 'courier_store_calls_total', help: 'Calls to secret stores (one per batch) by store, operation and outcome.', labelNames: ['store', 'operation', 'outcome'], registers: [registry] }),
    fetchRetries: new Counter({ name: 'courier_fetch_retries_total', help: 'Store requests retried, by store and reason.', labelNames: ['store', 'reason'], registers: [registry] }),
    mirrorWrites: new Counter({ name: 'courier_mirror_writes_total', help: 'Mirror Secret writes by outcome.', labelNames: ['outcome'], registers: [registry] }),
    podEvents: new Counter({ name: 'courier_pod_events_total', help: 'Pod events by reason and outcome (created, updated, deduplicated, rate_limited, failed).', labelNames: ['reason', 'outcome'], registers: [registry] }),
    isolateJobs: new Counter({ name: 'courier_isolate_jobs_total', help: 'Extractions and template renders run in the isolate (off the main thread), by kind and outcome.', labelNames: ['kind', 'outcome'], registers: [registry] }),
  };
}
