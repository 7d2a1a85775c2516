/** The fake Kubernetes API's events.k8s.io/v1 Events: create, merge-patch, get and list, validated as the API server does. */

/** An events.k8s.io/v1 Event as JSON. */
export interface FakeEvent {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string };
  related?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
  note?: string;
  type?: string;
}

/** The limits of pkg/apis/core/validation/events.go for Events written through events.k8s.io/v1. */
const LIMITS = { reportingInstance: 128, action: 128, reason: 128, note: 1024 } as const;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The first validation cause of a new Event (`reportingController: Required value`), or undefined. */
export function validateNewEvent(event: FakeEvent, namespace: string): string | undefined {
  const name = event.metadata?.name ?? '';
  if (name === '' || name.length > 253 || !SUBDOMAIN.test(name)) return `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`;
  if (!event.eventTime) return 'eventTime: Required value';
  if (event.type !== 'Normal' && event.type !== 'Warning') return `type: Unsupported value: "${event.type ?? ''}": supported values: "Normal", "Warning"`;
  if (!event.reportingController) return 'reportingController: Required value';
  if (!QUALIFIED_NAME.test(event.reportingController)) return `reportingController: Invalid value: "${event.reportingController}": must be a qualified name`;
  for (const field of ['reportingInstance', 'action', 'reason'] as const) {
    const value = event[field] ?? '';
    if (value === '') return `${field}: Required value`;
    if (value.length > LIMITS[field]) return `${field}: Invalid value: "${value}": can have at most ${LIMITS[field]} characters`;
  }
  if ((event.note ?? '').length > LIMITS.note) return `note: Invalid value: can have at most ${LIMITS.note} characters`;
  if ((event.regarding?.namespace ?? '') !== namespace) return `regarding.namespace: Invalid value: "${event.regarding?.namespace ?? ''}": does not match event.namespace`;
  return seriesProblem(event);
}

/** events.k8s.io/v1 lets an update change the series (and little else): the recorder's patches touch only it. */
export function validateEventUpdate(next: FakeEvent, old: FakeEvent): string | undefined {
  for (const field of ['reason', 'action', 'reportingController', 'reportingInstance', 'type', 'eventTime'] as const) {
    if (next[field] !== old[field]) return `${field}: Invalid value: field is immutable`;
  }
  if (JSON.stringify(next.regarding) !== JSON.stringify(old.regarding)) return 'regarding: Invalid value: field is immutable';
  return seriesProblem(next);
}

function seriesProblem(event: FakeEvent): string | undefined {
  if (event.series === undefined) return undefined;
  if ((event.series.count ?? 0) < 2) return `series.count: Invalid value: ${event.series.count ?? 0}: should be at least 2`;
  if (!event.series.lastObservedTime) return 'series.lastObservedTime: Required value';
  return undefined;
}
