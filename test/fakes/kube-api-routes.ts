/** The fake Kubernetes API's routing: authentication, RBAC as `forbid` and `restrictTo` model it, and core/v1 ServiceAccounts and Secrets. */
import { granted, routeGroup, type GroupState, type RoutedRequest } from './kube-api-groups.ts';
import { failure, invalid as invalidObject, mergePatch, type Answer } from './kube-api-status.ts';
import { validateSecret, type KubeObject } from './kube-api-validation.ts';

/** What the routes read and change. */
export interface RouteState {
  readonly store: Map<string, KubeObject>;
  readonly forbidden: ReadonlySet<string>;
  readonly stamp: (object: KubeObject, uid?: string) => KubeObject;
  readonly groups: GroupState;
}

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** The answer to one request. */
export function route(seen: RoutedRequest, body: string, authenticated: boolean, state: RouteState): Answer {
  if (!authenticated) return failure(401, 'Unauthorized', 'Unauthorized');
  if (seen.resource === '') return failure(404, 'NotFound', 'the server could not find the requested resource');
  const verb = seen.method === 'GET' && seen.name === '' ? 'list' : (VERBS[seen.method] ?? seen.method.toLowerCase());
  // Every authenticated caller may read /version and the issuer's keys and review its own access, as with the API server's default roles.
  const open = seen.resource === 'version' || seen.resource === 'jwks' || seen.resource === 'selfsubjectaccessreviews';
  if (!open && (state.forbidden.has(`${verb} ${seen.resource}`) || !granted(state.groups, verb, seen.group, seen.resource))) {
    return failure(403, 'Forbidden', `${seen.resource} "${seen.name}" is forbidden: User "system:serviceaccount:kube-system:courier" cannot ${verb} resource "${seen.resource}" in API group "${seen.group}" in the namespace "${seen.namespace}"`, { name: seen.name, kind: seen.resource });
  }
  if (seen.group !== '' || seen.resource === 'version' || seen.resource === 'jwks') {
    const parsed = parseJson(body);
    if (parsed === undefined) return failure(400, 'BadRequest', 'the request body is not valid JSON');
    return routeGroup(seen, verb, parsed as Record<string, unknown>, state.groups) ?? failure(404, 'NotFound', 'the server could not find the requested resource');
  }
  if (seen.resource !== 'secrets' && seen.resource !== 'serviceaccounts') return failure(404, 'NotFound', 'the server could not find the requested resource');
  const id = key(seen.resource, seen.namespace, seen.name);
  const existing = state.store.get(id);
  const notFound = () => failure(404, 'NotFound', `${seen.resource} "${seen.name}" not found`, { name: seen.name, kind: seen.resource });
  if (seen.method === 'GET' && seen.name !== '') return existing ? { code: 200, body: existing } : notFound();
  if (seen.resource !== 'secrets') return failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const parsed = parseJson(body);
  if (parsed === undefined) return failure(400, 'BadRequest', 'the request body is not valid JSON');
  if (seen.method === 'POST' && seen.name === '') return create(seen, parsed, state);
  if (seen.method === 'PUT') return existing ? update(seen, parsed, existing, state) : notFound();
  if (seen.method === 'PATCH') {
    if (!existing) return notFound();
    if (seen.contentType !== 'application/merge-patch+json') return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json`);
    const patched = mergePatch(existing, parsed) as KubeObject;
    return update(seen, { ...patched, metadata: { ...patched.metadata, resourceVersion: parsed.metadata?.resourceVersion ?? existing.metadata?.resourceVersion } }, existing, state);
  }
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

function create(seen: RoutedRequest, object: KubeObject, state: RouteState): Answer {
  const name = object.metadata?.name ?? '';
  const namespace = object.metadata?.namespace ?? seen.namespace;
  if (namespace !== seen.namespace) return failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  const problem = validateSecret(object);
  if (problem) return invalid(name, problem);
  if (state.store.has(key('secrets', namespace, name))) return failure(409, 'AlreadyExists', `secrets "${name}" already exists`, { name, kind: 'secrets' });
  const stored = state.stamp({ ...object, apiVersion: 'v1', kind: 'Secret', metadata: { ...object.metadata, namespace, uid: undefined, resourceVersion: undefined } });
  state.store.set(key('secrets', namespace, name), stored);
  return { code: 201, body: stored };
}

function update(seen: RoutedRequest, object: KubeObject, existing: KubeObject, state: RouteState): Answer {
  if ((object.metadata?.name ?? '') !== seen.name) return failure(400, 'BadRequest', `the name of the object (${object.metadata?.name ?? ''}) does not match the name on the URL (${seen.name})`);
  if ((object.metadata?.namespace ?? seen.namespace) !== seen.namespace) return failure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  const sent = object.metadata?.resourceVersion;
  if (sent !== undefined && sent !== existing.metadata?.resourceVersion) {
    return failure(409, 'Conflict', `Operation cannot be fulfilled on secrets "${seen.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: seen.name, kind: 'secrets' });
  }
  const type = object.type ?? 'Opaque';
  if (type !== (existing.type ?? 'Opaque')) return invalid(seen.name, `type: Invalid value: "${type}": field is immutable`);
  const problem = validateSecret(object);
  if (problem) return invalid(seen.name, problem);
  const stored = state.stamp({ ...object, apiVersion: 'v1', kind: 'Secret', metadata: { ...object.metadata, namespace: seen.namespace, uid: existing.metadata?.uid, creationTimestamp: existing.metadata?.creationTimestamp } });
  state.store.set(key('secrets', seen.namespace, seen.name), stored);
  return { code: 200, body: stored };
}

function invalid(name: string, cause: string): Answer {
  return invalidObject('Secret', name, cause);
}

/** The store's key of an object. */
export function key(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}

function parseJson(text: string): KubeObject | undefined {
  if (text === '') return {};
  try {
    return JSON.parse(text) as KubeObject;
  } catch {
    return undefined;
  }
}
