/**
 * A protocol-level fake Kubernetes API server (HTTP or HTTPS + JSON on 127.0.0.1) serving the REST
 * paths Courier uses, for tests that drive Courier's client (src/kube/kube-client.ts);
 * test/kube/fake-kube-api.test.ts holds it to the real @kubernetes/client-node.
 *
 * Usage:
 *   const api = await useFakeKubeApi(t);                      // started, stopped in t.teardown
 *   api.addServiceAccount('team-a', 'app', { 'eks.amazonaws.com/role-arn': 'arn:...' });
 *   const kube = createKubeClient({ kubeconfig: api.kubeconfig });
 *   const reader = createServiceAccountReader(kube);
 *   ... api.count('GET', 'serviceaccounts')                   // requests seen
 *   await api.goDown(); ... await api.comeBack();             // connection refused, then back on the same port
 *   api.forbid('get', 'serviceaccounts');                     // 403 Forbidden like missing RBAC
 *   const tls = await useFakeKubeApi(t, { tls: true });       // HTTPS with its own CA; client certificates too
 *   api.acceptTokens(['rotated']);                            // the old token gets 401 from now on
 *
 * Served: GET serviceaccounts/{name}; GET secrets/{name}, POST secrets, PUT secrets/{name} (stale
 * resourceVersion → 409 Conflict), PATCH secrets/{name} (application/merge-patch+json only). Errors are
 * Status objects shaped like the real API's (404 NotFound, 409 AlreadyExists/Conflict, 422 Invalid).
 * Objects are stored as sent (ownerReferences included) plus uid, resourceVersion, creationTimestamp.
 * Outside core/v1 (kube-api-groups.ts): events.k8s.io/v1 Events (POST, merge PATCH, GET), CSIDrivers and
 * DaemonSets (GET, list), SelfSubjectAccessReviews (answered from `restrictTo`), TokenReviews (answered
 * from `trustToken`), /openid/v1/jwks and /version. A caller authenticates with the bearer token or, over
 * HTTPS, with the client certificate of `tls`; anything else gets 401.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecutionContext } from 'ava';
import type { FakeEvent } from './kube-api-events.ts';
import { parsePath, type GroupState } from './kube-api-groups.ts';
import { key, route } from './kube-api-routes.ts';
import { createFakeKubeServer, createFakeKubeTls, hasClientCertificate, kubeconfigText, listen, readBody, type FakeKubeTls } from './kube-api-server.ts';
import type { KubeObject } from './kube-api-validation.ts';

/** One request the fake received. */
export interface SeenRequest {
  readonly method: string;
  /** '' for core/v1, else the API group (`events.k8s.io`). */
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly contentType: string;
  /** The query string without `?` ('' without one). */
  readonly query: string;
  /** The Authorization header as sent ('' without one). */
  readonly authorization: string;
  /** Other headers a test may look for (`impersonate-user`, `user-agent`). */
  readonly headers: Readonly<Record<string, string>>;
}

/** How the fake listens. */
export interface FakeKubeApiOptions {
  /** HTTPS with a certificate for 127.0.0.1 from the fake's own CA (`tls`), instead of HTTP. */
  readonly tls?: boolean;
}

/** A running fake API server. */
export interface FakeKubeApi {
  readonly url: string;
  /** A kubeconfig file pointing at this server with a bearer token (and the CA, over HTTPS). */
  readonly kubeconfig: string;
  /** The directory of `kubeconfig`, removed on close: a place for the files a test writes. */
  readonly dir: string;
  /** The first bearer token the fake accepts now. */
  readonly token: string;
  /** The CA and a client certificate the fake accepts, over HTTPS. */
  readonly tls: FakeKubeTls | undefined;
  /** From now on accepts only these bearer tokens, as the API server does once the old one expired. */
  acceptTokens(tokens: readonly string[]): void;
  /** TCP connections accepted so far (a keep-alive client reuses them). */
  connections(): number;
  /** TokenReviews of `token` for one of `audiences` answer authenticated as `username`. */
  trustToken(token: string, username: string, audiences: readonly string[]): void;
  /** What /openid/v1/jwks serves. */
  setJwks(jwks: unknown): void;
  /** Waits this long before every answer from now on (0 to stop). */
  slowDown(delayMs: number): void;
  /** Answers the next request of this method with `code` and `text` as the body, verbatim. */
  failNext(method: string, code: number, text: string): void;
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

/** The bearer token the fake accepts until acceptToken changes it. */
export const FAKE_KUBE_TOKEN = 'fake-kube-api-token';

/** Starts the fake on 127.0.0.1 with its kubeconfig in a temp directory; stopped in t.teardown. */
export async function useFakeKubeApi(t: ExecutionContext, options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const api = await startFakeKubeApi(options);
  t.teardown(() => api.close());
  return api;
}

/** Starts the fake; call close() when done. */
export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const store = new Map<string, KubeObject>();
  const requests: SeenRequest[] = [];
  const forbidden = new Set<string>();
  const hooks: Array<{ method: string; action: () => void }> = [];
  const failures: Array<{ method: string; code: number; text: string }> = [];
  const tls = options.tls ? createFakeKubeTls() : undefined;
  let tokens: readonly string[] = [FAKE_KUBE_TOKEN];
  let connections = 0;
  let delayMs = 0;
  let version = 100;
  const stamp = <T extends { metadata?: KubeObject['metadata'] }>(object: T, uid: string = randomUUID()): T => {
    version += 1;
    const metadata = { ...object.metadata, uid: object.metadata?.uid ?? uid, resourceVersion: String(version), creationTimestamp: object.metadata?.creationTimestamp ?? new Date().toISOString() };
    return { ...object, metadata };
  };
  const groups: GroupState = { events: new Map(), objects: new Map(), grants: undefined, clockOffsetMs: 0, stamp, reviews: new Map(), jwks: { keys: [] } };
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    void readBody(request).then(async (body) => {
      const seen = describeRequest(request);
      requests.push(seen);
      const hook = hooks.findIndex((entry) => entry.method === request.method);
      if (hook >= 0) hooks.splice(hook, 1)[0]?.action();
      if (delayMs > 0) await sleep(delayMs, undefined, { ref: false });
      if (response.destroyed) return;
      const failed = failures.findIndex((entry) => entry.method === request.method);
      if (failed >= 0) {
        const { code, text } = failures.splice(failed, 1)[0] ?? { code: 500, text: '' };
        response.writeHead(code, { 'content-type': 'text/html' });
        response.end(text);
        return;
      }
      const authenticated = tokens.some((token) => seen.authorization === `Bearer ${token}`) || hasClientCertificate(request);
      const answer = route(seen, body, authenticated, { store, forbidden, stamp, groups });
      response.writeHead(answer.code, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
  };
  const server = createFakeKubeServer(handler, tls);
  server.on('connection', () => (connections += 1));
  const port = await listen(server, 0);
  const dir = await mkdtemp(join(tmpdir(), 'courier-kube-'));
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, kubeconfigText(url, FAKE_KUBE_TOKEN, tls?.caPem));
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
    dir,
    get token() {
      return tokens[0] ?? '';
    },
    tls,
    acceptTokens(next) {
      tokens = [...next];
    },
    connections: () => connections,
    trustToken(reviewed, username, audiences) {
      groups.reviews.set(reviewed, { username, audiences });
    },
    setJwks(jwks) {
      groups.jwks = jwks;
    },
    slowDown(next) {
      delayMs = next;
    },
    failNext: (method, code, text) => failures.push({ method, code, text }),
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

function describeRequest(request: IncomingMessage): SeenRequest {
  const { pathname: path, search } = new URL(request.url ?? '/', 'http://fake');
  const contentType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const headers = Object.fromEntries(Object.entries(request.headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])));
  return { method: request.method ?? 'GET', ...parsePath(path), contentType, query: search.replace(/^\?/, ''), authorization: request.headers.authorization ?? '', headers };
}
