/** Builds and runs a Courier: stores, one gRPC server per socket, health and metrics, graceful stop. */
import { connect } from 'node:net';
import { join } from 'node:path';
import type { BackendRegistry } from '../stores/backend.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import { closeStores } from '../stores/start-stores.ts';
import type { ObjectFetcher } from '../fetch/fetch-objects.ts';
import { createScaledFetcher } from '../fetch/fetch-layer.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { MountEvents } from '../kube/pod-events.ts';
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { createContentVersion, randomVersionKey, type ContentVersion } from '../output/content-version.ts';
import { createAtomicWriter } from '../output/atomic-writer.ts';
import { createFairScheduler } from '../pipeline/fair-scheduler.ts';
import { createIsolate } from '../transform/isolate/isolate.ts';
import type { StoreCatalog } from '../spc/store-catalog.ts';
import { startHttpEndpoint, parseListenAddress, type HttpEndpoint } from './http-endpoints.ts';
import type { ServeOptions } from './options.ts';
import { createUnaryServer, type UnaryServer } from './grpc-unary.ts';
import { createProviderService } from './provider-service.ts';
import { bindSocket, checkReplaceable, isOwnSocket, removeOwnSocket, type OwnedSocket } from './unix-socket.ts';

/** Long-lived things a Courier is built with. */
export interface CourierParts {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly backends: BackendRegistry;
  /** The stores planning knows (the production registry's by default; tests add their own store modules). */
  readonly catalog?: StoreCatalog;
  /** Replaces the fetch layer built from the options (cache, single-flight, queues). */
  readonly fetcher?: ObjectFetcher;
  /** Keyed versions for rendered template files (the stores' SharedParts.contentVersion). */
  readonly contentVersion?: ContentVersion;
  /** Writes mirror Secrets (courier serve --mirror-secrets); Mounts asking for a mirror fail without it. */
  readonly mirror?: SecretMirror;
  /** Records Mount outcomes as pod events (courier serve --pod-events, on by default). */
  readonly events?: MountEvents;
}

/** A running Courier. */
export interface RunningCourier {
  readonly sockets: readonly OwnedSocket[];
  readonly metricsUrl?: string;
  readonly healthUrl?: string;
  /** True while every socket is ours and accepts connections. */
  ready(): Promise<boolean>;
  /** Calls (Mount, Version) answered by none of the sockets yet. */
  activeCalls(): number;
  /** Stops accepting, lets in-flight Mounts finish within the grace period, removes our sockets. */
  shutdown(): Promise<void>;
}

/** Starts Courier on its sockets and HTTP endpoints. */
export async function startCourier(options: ServeOptions, parts: CourierParts): Promise<RunningCourier> {
  const catalog = parts.catalog ?? createStoreRegistry().catalog;
  const unknown = options.compat.find((name) => !catalog.dialects.has(name));
  if (unknown !== undefined) throw new Error(`--compat: "${unknown}" is not a compatibility dialect; use ${[...catalog.dialects.keys()].join(', ')}`);
  const fetcher = parts.fetcher ?? createScaledFetcher(parts.backends, parts.metrics, options);
  const contentVersion = parts.contentVersion ?? createContentVersion(randomVersionKey());
  // One writer for every socket: writes of one target never overlap, whichever socket the Mount came on.
  const writer = createAtomicWriter();
  // One scheduler for every socket: tenants take turns at the CPU whichever socket their Mounts come on.
  const scheduler = createFairScheduler();
  // One isolate for every socket: work that cannot be split runs there, one job at a time, tenants taking turns.
  const isolate = createIsolate({ onJob: (kind, outcome) => parts.metrics.isolateJobs.inc({ kind, outcome }) });
  const dialects: Array<[string, string]> = [[options.providerName, 'native'], ...options.compat.map((name): [string, string] => [name, name])];
  const bound: Array<{ server: UnaryServer; socket: OwnedSocket }> = [];
  const stopping = new AbortController();
  let serving = false;
  let draining = false;
  const ready = async () => serving && !draining && (await Promise.all(bound.map(({ socket }) => accepts(socket)))).every(Boolean);
  // Everything that can fail is tried before the first socket is renamed into place: during a rollout a
  // successor that cannot start (a busy port, a bad address, a file in a socket's way) must exit and
  // leave its predecessor serving, not take the socket over and then die.
  const servers: UnaryServer[] = [];
  let endpoints: Awaited<ReturnType<typeof startEndpoints>> | undefined;
  try {
    for (const [name] of dialects) await checkReplaceable(join(options.socketDir, `${name}.sock`));
    endpoints = await startEndpoints(options, parts, ready);
    for (const [name, socketDialect] of dialects) {
      const methods = createProviderService({ ...parts, catalog, contentVersion, writer, scheduler, isolate, budgets: options.budgets, fetcher, writeFiles: options.writeFiles, defaultTimeoutMs: options.mountTimeoutMs, socketDialect, stopSignal: stopping.signal });
      const server = createUnaryServer(methods, { maxReceiveBytes: MAX_REQUEST_BYTES, onError: (error) => parts.logger.warn({ socket: name, err: error }, 'provider socket error; still serving') });
      servers.push(server);
      bound.push({ server, socket: await bindSocket(server.listen, join(options.socketDir, `${name}.sock`)) });
    }
  } catch (error) {
    await giveBack(servers, bound, endpoints?.servers ?? [], parts.backends, fetcher);
    await isolate.close();
    throw error;
  }
  serving = true;
  const { servers: httpServers, urls } = endpoints;
  return {
    sockets: bound.map(({ socket }) => socket),
    ...urls,
    ready,
    activeCalls: () => bound.reduce((sum, { server }) => sum + server.active(), 0),
    async shutdown() {
      draining = true;
      await Promise.all(bound.map(({ server }) => drain(server, options.gracePeriodMs, parts.logger, stopping)));
      await Promise.all(bound.map(({ socket }) => removeOwnSocket(socket)));
      await Promise.all(httpServers.map((endpoint) => endpoint.close()));
      await closeStores(parts.backends);
      fetcher.close?.();
      await isolate.close();
      // Events of the last Mounts go out before the process exits (each call is bounded by the client's timeout).
      await parts.events?.settled();
    },
  };
}

/** Undoes a start that failed part-way, so the process can exit: no server, port, store client or socket of ours left. */
async function giveBack(servers: readonly UnaryServer[], bound: ReadonlyArray<{ socket: OwnedSocket }>, endpoints: readonly HttpEndpoint[], backends: BackendRegistry, fetcher: ObjectFetcher): Promise<void> {
  for (const server of servers) server.destroy();
  await Promise.all(bound.map(({ socket }) => removeOwnSocket(socket)));
  await Promise.all(endpoints.map((endpoint) => endpoint.close()));
  await closeStores(backends);
  fetcher.close?.();
}

async function startEndpoints(options: ServeOptions, parts: CourierParts, ready: () => Promise<boolean>) {
  const metricsListen = parseListenAddress(options.metricsAddr, '--metrics-addr');
  const healthListen = parseListenAddress(options.healthAddr, '--health-addr');
  const servers: HttpEndpoint[] = [];
  const urls: { metricsUrl?: string; healthUrl?: string } = {};
  const shared = metricsListen && healthListen && metricsListen.host === healthListen.host && metricsListen.port === healthListen.port && metricsListen.port !== 0;
  try {
    if (metricsListen) {
      const endpoint = await startHttpEndpoint(metricsListen, shared ? { registry: parts.metrics.registry, ready } : { registry: parts.metrics.registry });
      servers.push(endpoint);
      urls.metricsUrl = urlOf(endpoint);
      if (shared) urls.healthUrl = urls.metricsUrl;
    }
    if (healthListen && !shared) {
      const endpoint = await startHttpEndpoint(healthListen, { ready });
      servers.push(endpoint);
      urls.healthUrl = urlOf(endpoint);
    }
  } catch (error) {
    // A busy or unusable port: close the endpoint already listening, or it keeps the process alive.
    await Promise.all(servers.map((endpoint) => endpoint.close()));
    throw error;
  }
  return { servers, urls };
}

function urlOf(endpoint: HttpEndpoint): string {
  const host = endpoint.address.family === 'IPv6' ? `[${endpoint.address.address}]` : endpoint.address.address;
  return `http://${host}:${endpoint.address.port}`;
}

/** Ready means: the socket path is still ours and a connection to it is accepted. */
async function accepts(socket: OwnedSocket): Promise<boolean> {
  if (!(await isOwnSocket(socket))) return false;
  return new Promise((resolve) => {
    const connection = connect(socket.path);
    connection.once('connect', () => {
      connection.destroy();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
  });
}

/**
 * Closing the server waits for in-flight calls; past the grace period they are stopped: each answers
 * UNAVAILABLE (which the driver retries), and the connections are closed shortly after. A client may
 * also hold a connection open with a call it never finishes sending: once no call has been in flight
 * for a while there is nothing left to drain, so the connections are closed then.
 */
function drain(server: UnaryServer, graceMs: number, logger: Logger, stopping: AbortController): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      clearInterval(idle);
      resolve();
    };
    const timer = setTimeout(() => {
      clearInterval(idle);
      logger.warn({ gracePeriodMs: graceMs }, 'grace period over; cancelling in-flight mounts');
      stopping.abort();
      // Leave the UNAVAILABLE answers a moment to go out before the connections are cut.
      setTimeout(() => {
        server.destroy();
        resolve();
      }, STOP_ANSWER_MS);
    }, graceMs);
    // An answered call's response may still be on its way out, so the connections are only cut once
    // no call has been in flight for IDLE_SETTLE_MS (closing normally finishes well before).
    let idleSince: number | undefined;
    const idle = setInterval(() => {
      if (server.active() > 0) {
        idleSince = undefined;
        return;
      }
      idleSince ??= performance.now();
      if (performance.now() - idleSince < IDLE_SETTLE_MS) return;
      server.destroy();
      done();
    }, IDLE_CHECK_MS);
    // Last: with no connection at all, closing resolves at once.
    void server.close().then(done);
  });
}

/** The largest request message the driver may send: its parameters and secrets are budgeted far below this. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** How often a drain looks whether any call is still in flight. */
const IDLE_CHECK_MS = 50;

/** How long no call must have been in flight before a drain cuts connections a client keeps open. */
const IDLE_SETTLE_MS = 1_000;

/** How long Mounts stopped at the end of the grace period get to send their answer. */
const STOP_ANSWER_MS = 100;
