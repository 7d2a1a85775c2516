/**
 * The fake Kubernetes API's routes outside core/v1: events.k8s.io/v1 Events, storage.k8s.io/v1 CSIDrivers,
 * apps/v1 DaemonSets, authorization.k8s.io/v1 SelfSubjectAccessReviews, authentication.k8s.io/v1
 * TokenReviews, /openid/v1/jwks and /version.
 */
import { failure, invalid, mergePatch, type Answer } from './kube-api-status.ts';
import { validateEventUpdate, validateNewEvent, type FakeEvent } from './kube-api-events.ts';

/** A request as the routes see it: `group` is '' for core/v1, `resource` '' for a path the fake does not serve. */
export interface RoutedRequest {
  readonly method: string;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly contentType: string;
}

/** What the group routes keep. */
export interface GroupState {
  /** Events by `namespace/name`. */
  readonly events: Map<string, FakeEvent>;
  /** Cluster objects by `resource/namespace/name` (namespace '' for cluster-scoped ones). */
  readonly objects: Map<string, Record<string, unknown>>;
  /** When set, the only `group/resource:verb` grants (RBAC as a ServiceAccount with exactly these rules). */
  grants: ReadonlySet<string> | undefined;
  /** Added to the clock in /version's Date header (a skewed API server clock). */
  clockOffsetMs: number;
  /** Tokens a TokenReview accepts: the user and the audiences each is for. */
  readonly reviews: Map<string, { readonly username: string; readonly audiences: readonly string[] }>;
  /** What /openid/v1/jwks serves. */
  jwks: unknown;
  readonly stamp: <T extends { metadata?: object }>(object: T) => T;
}

const GROUP_PATH = /^\/apis\/([^/]+)\/v1\/(?:namespaces\/([^/]+)\/)?([a-z]+)(?:\/([^/]+))?$/;
const CORE_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+))?$/;

/** Splits a path into group, namespace, resource and name. */
export function parsePath(path: string): Pick<RoutedRequest, 'group' | 'resource' | 'namespace' | 'name'> {
  if (path === '/version') return { group: '', resource: 'version', namespace: '', name: '' };
  if (path === '/openid/v1/jwks') return { group: '', resource: 'jwks', namespace: '', name: '' };
  const core = CORE_PATH.exec(path);
  if (core) return { group: '', resource: core[2] ?? '', namespace: decodeURIComponent(core[1] ?? ''), name: decodeURIComponent(core[3] ?? '') };
  const group = GROUP_PATH.exec(path);
  if (group) return { group: group[1] ?? '', resource: group[3] ?? '', namespace: decodeURIComponent(group[2] ?? ''), name: decodeURIComponent(group[4] ?? '') };
  return { group: '', resource: '', namespace: '', name: '' };
}

/** Whether RBAC as the fake models it lets the caller do `verb` on `group/resource`. */
export function granted(state: GroupState, verb: string, group: string, resource: string): boolean {
  return state.grants === undefined || state.grants.has(`${group}/${resource}:${verb}`);
}

/** Answers a request outside core/v1, or undefined when the path is not one of these. */
export function routeGroup(seen: RoutedRequest, verb: string, body: Record<string, unknown>, state: GroupState): Answer | undefined {
  if (seen.resource === 'version') return version(state);
  if (seen.resource === 'jwks') return seen.method === 'GET' ? { code: 200, body: state.jwks, headers: { 'content-type': 'application/jwk-set+json' } } : undefined;
  if (seen.group === 'authentication.k8s.io' && seen.resource === 'tokenreviews' && seen.method === 'POST') return tokenReview(body, state);
  if (seen.group === 'authorization.k8s.io' && seen.resource === 'selfsubjectaccessreviews' && seen.method === 'POST') return accessReview(body, state);
  if (seen.group === 'events.k8s.io' && seen.resource === 'events') return events(seen, body, state);
  if ((seen.group === 'storage.k8s.io' && seen.resource === 'csidrivers') || (seen.group === 'apps' && seen.resource === 'daemonsets')) {
    if (verb !== 'get' && verb !== 'list') return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    return read(seen, state);
  }
  return undefined;
}

function version(state: GroupState): Answer {
  const date = new Date(Date.now() + state.clockOffsetMs).toUTCString();
  return { code: 200, body: { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' }, headers: { date } };
}

function accessReview(body: Record<string, unknown>, state: GroupState): Answer {
  const spec = (body['spec'] ?? {}) as { resourceAttributes?: { verb?: string; group?: string; resource?: string; subresource?: string } };
  const attributes = spec.resourceAttributes ?? {};
  const resource = attributes.subresource ? `${attributes.resource ?? ''}/${attributes.subresource}` : (attributes.resource ?? '');
  const allowed = granted(state, attributes.verb ?? '', attributes.group ?? '', resource);
  return { code: 201, body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec, status: { allowed, ...(allowed ? {} : { reason: '' }) } } };
}

function tokenReview(body: Record<string, unknown>, state: GroupState): Answer {
  const spec = (body['spec'] ?? {}) as { token?: string; audiences?: string[] };
  const trusted = state.reviews.get(spec.token ?? '');
  const audiences = (spec.audiences ?? []).filter((audience) => trusted?.audiences.includes(audience));
  // The real API server never echoes the token back; neither does the fake.
  const answer = trusted && audiences.length > 0
    ? { authenticated: true, user: { username: trusted.username, groups: ['system:serviceaccounts', 'system:authenticated'] }, audiences }
    : { authenticated: false, error: trusted ? '[invalid bearer token, token audiences is invalid for the target audiences]' : '[invalid bearer token, square/go-jose: error in cryptographic primitive]' };
  return { code: 201, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', metadata: {}, spec: { audiences: spec.audiences ?? [] }, status: answer } };
}

function read(seen: RoutedRequest, state: GroupState): Answer {
  const prefix = `${seen.resource}/${seen.namespace}/`;
  if (seen.name !== '') {
    const found = state.objects.get(`${prefix}${seen.name}`);
    return found ? { code: 200, body: found } : failure(404, 'NotFound', `${seen.resource}.${seen.group} "${seen.name}" not found`, { name: seen.name, kind: seen.resource });
  }
  // A list without a namespace spans every namespace, as /apis/apps/v1/daemonsets does.
  const items = [...state.objects.entries()].filter(([key]) => key.startsWith(seen.namespace === '' ? `${seen.resource}/` : prefix)).map(([, object]) => object);
  return { code: 200, body: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' }, items } };
}

function events(seen: RoutedRequest, body: Record<string, unknown>, state: GroupState): Answer {
  const key = `${seen.namespace}/${seen.name}`;
  const existing = state.events.get(key);
  if (seen.method === 'GET') {
    if (seen.name === '') return { code: 200, body: { apiVersion: 'events.k8s.io/v1', kind: 'EventList', metadata: {}, items: [...state.events.values()].filter((event) => event.metadata?.namespace === seen.namespace) } };
    return existing ? { code: 200, body: existing } : failure(404, 'NotFound', `events.events.k8s.io "${seen.name}" not found`, { name: seen.name, kind: 'events' });
  }
  if (seen.method === 'POST' && seen.name === '') {
    const event = body as FakeEvent;
    const name = event.metadata?.name ?? '';
    const problem = validateNewEvent(event, seen.namespace);
    if (problem) return invalid('Event.events.k8s.io', name, problem);
    if (state.events.has(`${seen.namespace}/${name}`)) return failure(409, 'AlreadyExists', `events.events.k8s.io "${name}" already exists`, { name, kind: 'events' });
    const stored = state.stamp({ ...event, apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { ...event.metadata, namespace: seen.namespace } });
    state.events.set(`${seen.namespace}/${name}`, stored);
    return { code: 201, body: stored };
  }
  if (seen.method === 'PATCH' && seen.name !== '') {
    if (!existing) return failure(404, 'NotFound', `events.events.k8s.io "${seen.name}" not found`, { name: seen.name, kind: 'events' });
    if (seen.contentType !== 'application/merge-patch+json') return failure(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/merge-patch+json');
    const patched = mergePatch(existing, body) as FakeEvent;
    const problem = validateEventUpdate(patched, existing);
    if (problem) return invalid('Event.events.k8s.io', seen.name, problem);
    const stored = state.stamp(patched);
    state.events.set(key, stored);
    return { code: 200, body: stored };
  }
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}
