/** Writes pod Events with the events.k8s.io/v1 API: create one, or bring its series count up to date. */
import type { PodInfo } from '../spc/types.ts';
import type { KubeClient } from './kube-client.ts';
import { kubePath } from './kube-http.ts';
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
  return {
    async create(event, signal) {
      const path = kubePath`/apis/events.k8s.io/v1/namespaces/${event.pod.namespace}/events`;
      await kube.request({ method: 'POST', path, body: eventBody(event, instance) }, signal).catch((error: unknown) => {
        throw toKubeError(error, { verb: 'create', resource: 'events', group: 'events.k8s.io', namespace: event.pod.namespace, name: event.name });
      });
    },
    async updateSeries(namespace, name, count, at, signal) {
      const body = { series: { count, lastObservedTime: microTime(at) } };
      try {
        await kube.request({ method: 'PATCH', path: kubePath`/apis/events.k8s.io/v1/namespaces/${namespace}/events/${name}`, body, contentType: 'application/merge-patch+json' }, signal);
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw toKubeError(error, { verb: 'patch', resource: 'events', group: 'events.k8s.io', namespace, name });
      }
    },
  };
}

/** An events.k8s.io/v1 Event as Courier writes it. */
interface EventBody {
  readonly apiVersion: 'events.k8s.io/v1';
  readonly kind: 'Event';
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly eventTime: string;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly type: 'Normal' | 'Warning';
  readonly note: string;
  readonly regarding: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace: string; readonly uid: string };
  readonly related: { readonly apiVersion: string; readonly kind: string; readonly name: string; readonly namespace: string };
}

function eventBody(event: NewPodEvent, instance: string): EventBody {
  const { pod } = event;
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: event.name, namespace: pod.namespace },
    eventTime: microTime(event.at),
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

/** A MicroTime: RFC 3339 with six fractional digits, as the API server parses eventTime and series times. */
export function microTime(at: Date): string {
  return `${at.toISOString().slice(0, -1)}000Z`;
}

/** Cuts `text` to at most `limit` characters, marking the cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}
