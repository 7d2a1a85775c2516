/** Writes pod Events with the events.k8s.io/v1 API: create one, or bring its series count up to date. */
import { EventsV1Api, PatchStrategy, setHeaderOptions, V1MicroTime, type EventsV1Event } from '@kubernetes/client-node';
import type { PodInfo } from '../spc/types.ts';
import type { KubeClient } from './kube-client.ts';
import { statusOf, toKubeError } from './kube-errors.ts';

/** The `reportingController` of Courier's Events; `kubectl describe` shows it as the source (`courier, <instance>`). */
export const REPORTING_CONTROLLER = 'courier';
/** The API server refuses a longer note. */
export const NOTE_LIMIT = 1024;

/** One Event to create. */
export interface NewPodEvent {
  readonly name: string;
  readonly pod: PodInfo;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  /** Machine-readable: `Mount` or `Republish`. */
  readonly action: string;
  readonly note: string;
  readonly secretProviderClass: string;
  readonly at: Date;
}

/** The two calls the recorder makes. */
export interface EventWriter {
  create(event: NewPodEvent, signal?: AbortSignal): Promise<void>;
  /** Sets the series of an existing Event; resolves false when the Event is gone (404). */
  updateSeries(namespace: string, name: string, count: number, at: Date, signal?: AbortSignal): Promise<boolean>;
}

/**
 * The writer over the lazy Kubernetes client. `instance` is the reportingInstance, this Courier's
 * pod name, so an operator can tell which node's Courier saw the failure.
 */
export function createEventWriter(kube: KubeClient, instance: string): EventWriter {
  const api = () => kube.api(EventsV1Api);
  return {
    async create(event, signal) {
      await api().createNamespacedEvent({ namespace: event.pod.namespace, body: eventBody(event, instance) }, kube.callOptions(signal)).catch((error: unknown) => {
        throw toKubeError(error, { verb: 'create', resource: 'events', namespace: event.pod.namespace, name: event.name });
      });
    },
    async updateSeries(namespace, name, count, at, signal) {
      // MicroTime: RFC 3339 with six fractional digits, as the API server parses it.
      const body = { series: { count, lastObservedTime: new V1MicroTime(at).toISOString() } };
      try {
        await api().patchNamespacedEvent({ name, namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch, kube.callOptions(signal)));
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw toKubeError(error, { verb: 'patch', resource: 'events', namespace, name });
      }
    },
  };
}

function eventBody(event: NewPodEvent, instance: string): EventsV1Event {
  const { pod } = event;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: event.name, namespace: pod.namespace },
    eventTime: new V1MicroTime(event.at),
    reportingController: REPORTING_CONTROLLER,
    reportingInstance: instance.slice(0, 128),
    action: event.action,
    reason: event.reason,
    type: event.type,
    note: truncate(event.note, NOTE_LIMIT),
    regarding: { apiVersion: 'v1', kind: 'Pod', name: pod.name, namespace: pod.namespace, uid: pod.uid },
    related: { apiVersion: 'secrets-store.csi.x-k8s.io/v1', kind: 'SecretProviderClass', name: event.secretProviderClass, namespace: pod.namespace },
  };
}

/** Cuts `text` to at most `limit` characters, marking the cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
