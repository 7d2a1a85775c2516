/** Builds `courier serve`'s pod event recorder; the Kubernetes client library loads only when the first Event is written. */
import { hostname } from 'node:os';
import type { EventWriter } from '../kube/event-writer.ts';
import { createPodEvents, type MountEvents } from '../kube/pod-events.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { LazyKube } from './lazy-kube.ts';

/** Whether the Kubernetes API is configured at all: a --kubeconfig, or the in-cluster service variables. */
export function kubeApiConfigured(kubeconfig: string | undefined, env: Readonly<Record<string, string | undefined>>): boolean {
  return kubeconfig !== undefined || (Boolean(env['KUBERNETES_SERVICE_HOST']) && Boolean(env['KUBERNETES_SERVICE_PORT']));
}

/**
 * The recorder for `--pod-events`, or undefined when it is off or there is no Kubernetes API to write to
 * (a laptop serving the local store): that is said once at start-up instead of on every failed Mount.
 */
export function startPodEvents(enabled: boolean, configured: boolean, kube: LazyKube, deps: { logger: Logger; metrics: Metrics }): MountEvents | undefined {
  if (!enabled) return undefined;
  if (!configured) {
    deps.logger.info('pod events are off: no Kubernetes API is configured (not in a cluster and no --kubeconfig)');
    return undefined;
  }
  // The reporting instance is this Courier's pod (its hostname), so an Event says which node's Courier wrote it.
  return createPodEvents({ writer: lazyEventWriter(kube, hostname()), logger: deps.logger, metrics: deps.metrics });
}

function lazyEventWriter(kube: LazyKube, instance: string): EventWriter {
  let loaded: Promise<EventWriter> | undefined;
  const writer = () =>
    (loaded ??= (async () => {
      const [{ createEventWriter }, client] = await Promise.all([import('../kube/event-writer.ts'), kube.client()]);
      return createEventWriter(client, instance);
    })());
  return {
    create: async (event, signal) => (await writer()).create(event, signal),
    updateSeries: async (namespace, name, count, at, signal) => (await writer()).updateSeries(namespace, name, count, at, signal),
  };
}
