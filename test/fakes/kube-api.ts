/**
 * A protocol-level fake Kubernetes API server (HTTP + JSON on 127.0.0.1) serving the core/v1 REST
 * paths Courier uses, for tests that drive the real @kubernetes/client-node.
 *
 * Usage:
 *   const api = await useFakeKubeApi(t);                      // started, stopped in t.teardown
 *   api.addServiceAccount('team-a', 'app', { 'eks.amazonaws.com/role-arn': 'arn:...' });
 *   const kube = createKubeClient({ kubeconfig: api.kubeconfig });
 *   const reader = createServiceAccountReader(kube);
 *   ... api.count('GET', 'serviceaccounts')                   // requests seen
 *   await api.goDown(); ... await api.comeBack();             // connection refused, then back on the same port
 *   api.forbid('get', 'serviceaccounts');                     // 403 Forbidden like missing RBAC
 *
 * Served: GET serviceaccounts/{name}; GET secrets/{name}, POST secrets, PUT secrets/{name} (stale
 * resourceVersion → 409 Conflict), PATCH secrets/{name} (application/merge-patch+json only). Errors are
 * Status objects shaped like the real API's (404 NotFound, 409 AlreadyExists/Conflict, 422 Invalid).
 * Objects are stored as sent (ownerReferences included) plus uid, resourceVersion, creationTimestamp.
 * Outside core/v1 (kube-api-groups.ts): events.k8s.io/v1 Events (POST, merge PATCH, GET), CSIDrivers and
 * DaemonSets (GET, list), SelfSubjectAccessReviews (answered from `restrictTo`), and /version.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { FakeEvent } from './kube-api-events.ts';
import { granted, parsePath, routeGroup, type GroupState } from './kube-api-groups.ts';
import { failure, invalid as invalidObject, mergePatch, type Answer } from './kube-api-status.ts';
import { validateSecret, type KubeObject } from './kube-api-validation.ts';

/** One request the fake received. */
export interface SeenRequest {
  readonly method: string;
  /** '' for core/v1, else the API group (`events.k8s.io`). */
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly contentType: string;
}

/** A running fake API server. */
export interface FakeKubeApi {
  readonly url: string;
  /** A kubeconfig file pointing at this server with a bearer token. */
  readonly kubeconfig: string;
  readonly requests: readonly SeenRequest[];
  /** Requests by method and resource (`GET`, `secrets`); either may be omitted. */
  count(method?: string, resource?: string): number;
  addServiceAccount(namespace: string, name: string, annotations?: Record<string, string>): void;
  /** Stores a Secret as if someone else created it; returns the stored object. */
  putSecret(secret: KubeObject): KubeObject;
  secret(namespace: string, name: string): KubeObject | undefined;
  /** Deletes a Secret as if someone else did. */
  deleteSecret(namespace: string, name: string): void;
  /** Answers 403 Forbidden to this verb on this resource from now on. */
  forbid(verb: string, resource: string): void;
  /** From now on grants only these `group/resource:verb` rules (core group ''): other calls get 403, access reviews say no. */
  restrictTo(grants: readonly string[]): void;
  /** Events stored in `namespace`, in the order they were created. */
  events(namespace: string): FakeEvent[];
  /** Deletes an Event as the API server does when its time to live is over. */
  deleteEvent(namespace: string, name: string): void;
  /** Stores a cluster object (`csidrivers`, `daemonsets`) as if someone had applied it. */
  putObject(resource: string, object: KubeObject & Record<string, unknown>): void;
  /** Shifts the API server's clock (the Date header of /version) by this many milliseconds. */
  skewClock(offsetMs: number): void;
  /** Runs `action` once, just before the next request of this method is handled (a concurrent writer). */
  beforeNext(method: string, action: () => void): void;
  /** Closes the listener and every connection: clients get connection refused. */
  goDown(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

const TOKEN = 'fake-kube-api-token';

/** Starts the fake on 127.0.0.1 with its kubeconfig in a temp directory; stopped in t.teardown. */
export async function useFakeKubeApi(t: ExecutionContext): Promise<FakeKubeApi> {
  const api = await startFakeKubeApi();
  t.teardown(() => api.close());
  return api;
}

/** Starts the fake; call close() when done. */
export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const store = new Map<string, KubeObject>();
  const requests: SeenRequest[] = [];
  const forbidden = new Set<string>();
  const hooks: Array<{ method: string; action: () => void }> = [];
  let version = 100;
  const stamp = <T extends { metadata?: KubeObject['metadata'] }>(object: T, uid: string = randomUUID()): T => {
    version += 1;
    const metadata = { ...object.metadata, uid: object.metadata?.uid ?? uid, resourceVersion: String(version), creationTimestamp: object.metadata?.creationTimestamp ?? new Date().toISOString() };
    return { ...object, metadata };
  };
  const groups: GroupState = { events: new Map(), objects: new Map(), grants: undefined, clockOffsetMs: 0, stamp };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void readBody(request).then((body) => {
      const seen = describeRequest(request);
      requests.push(seen);
      const hook = hooks.findIndex((entry) => entry.method === request.method);
      if (hook >= 0) hooks.splice(hook, 1)[0]?.action();
      const answer = route(seen, body, request.headers.authorization, { store, forbidden, stamp, groups });
      response.writeHead(answer.code, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  };
  const server = createServer(handler);
  const port = await listen(server, 0);
  const dir = await mkdtemp(join(tmpdir(), 'courier-kube-'));
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(url, TOKEN));
  let listening = true;
  const stop = async () => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return {
    url,
    kubeconfig,
    requests,
    count: (method, resource) => requests.filter((r) => (method === undefined || r.method === method) && (resource === undefined || r.resource === resource)).length,
    addServiceAccount(namespace, name, annotations = {}) {
      store.set(key('serviceaccounts', namespace, name), stamp({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, annotations } }));
    },
    putSecret(secret) {
      const stored = stamp({ apiVersion: 'v1', kind: 'Secret', ...secret });
      store.set(key('secrets', stored.metadata?.namespace ?? 'default', stored.metadata?.name ?? ''), stored);
      return stored;
    },
    secret: (namespace, name) => store.get(key('secrets', namespace, name)),
    deleteSecret: (namespace, name) => {
      store.delete(key('secrets', namespace, name));
    },
    forbid: (verb, resource) => forbidden.add(`${verb} ${resource}`),
    restrictTo(grants) {
      groups.grants = new Set(grants);
    },
    events: (namespace) => [...groups.events.values()].filter((event) => event.metadata?.namespace === namespace),
    deleteEvent(namespace, name) {
      groups.events.delete(`${namespace}/${name}`);
    },
    putObject(resource, object) {
      groups.objects.set(`${resource}/${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`, stamp(object));
    },
    skewClock(offsetMs) {
      groups.clockOffsetMs = offsetMs;
    },
    beforeNext: (method, action) => hooks.push({ method, action }),
    goDown: stop,
    async comeBack() {
      if (listening) return;
      await listen(server, port);
      listening = true;
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface RouteState {
  readonly store: Map<string, KubeObject>;
  readonly forbidden: ReadonlySet<string>;
  readonly stamp: (object: KubeObject, uid?: string) => KubeObject;
  readonly groups: GroupState;
}

const VERBS: Record<string, string> = { GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function route(seen: SeenRequest, body: string, authorization: string | undefined, state: RouteState): Answer {
  if (authorization !== `Bearer ${TOKEN}`) return failure(401, 'Unauthorized', 'Unauthorized');
  if (seen.resource === '') return failure(404, 'NotFound', 'the server could not find the requested resource');
  const verb = seen.method === 'GET' && seen.name === '' ? 'list' : (VERBS[seen.method] ?? seen.method.toLowerCase());
  // Every authenticated caller may read /version and review its own access, as with the API server's default roles.
  const open = seen.resource === 'version' || seen.resource === 'selfsubjectaccessreviews';
  if (!open && (state.forbidden.has(`${verb} ${seen.resource}`) || !granted(state.groups, verb, seen.group, seen.resource))) {
    return failure(403, 'Forbidden', `${seen.resource} "${seen.name}" is forbidden: User "system:serviceaccount:kube-system:courier" cannot ${verb} resource "${seen.resource}" in API group "${seen.group}" in the namespace "${seen.namespace}"`, { name: seen.name, kind: seen.resource });
  }
  if (seen.group !== '' || seen.resource === 'version') {
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

function create(seen: SeenRequest, object: KubeObject, state: RouteState): Answer {
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

function update(seen: SeenRequest, object: KubeObject, existing: KubeObject, state: RouteState): Answer {
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

function describeRequest(request: IncomingMessage): SeenRequest {
  const path = new URL(request.url ?? '/', 'http://fake').pathname;
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  return { method: request.method ?? 'GET', ...parsePath(path), contentType };
}

function key(resource: string, namespace: string, name: string): string {
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

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A kubeconfig (JSON is YAML) with one cluster, one token user and a current context. */
export function kubeconfigText(server: string, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'courier', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'courier' } }],
    'current-context': 'fake',
  });
}
