/** Starts a real Courier in-process on a temporary socket with a temporary local store, for integration tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { MountEvents } from '../../src/kube/pod-events.ts';
import type { Backend } from '../../src/stores/backend.ts';
import { FileStore } from '../../src/stores/file/file-store.ts';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { captureLogs } from '../helpers/log-capture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { startCourier, type RunningCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS, type ServeOptions } from '../../src/server/options.ts';
import { connectProvider, type ProviderClient } from '../helpers/provider-client.ts';
import { registryWith } from '../helpers/test-store-module.ts';
import type { SecretMirror } from '../../src/kube/secret-mirror.ts';

/** What a test Courier is started with; everything is optional. */
export interface FixtureOptions {
  /** Files of the local store, by path relative to its root; no local store when absent. */
  readonly localFiles?: Readonly<Record<string, string>>;
  /** Extra backends (e.g. a scripted one) besides the local store. */
  readonly backends?: ReadonlyArray<readonly [string, Backend]>;
  /** Overrides of the serve options (socketDir defaults to a fresh temp dir, endpoints off). */
  readonly options?: Partial<ServeOptions>;
  /** Writes mirror Secrets (as --mirror-secrets would). */
  readonly mirror?: SecretMirror;
  /** A pod event recorder (test/kube/pod-events.test.ts). */
  readonly events?: MountEvents;
}

/** A started Courier with a connected client; everything is removed in t.teardown. */
export interface CourierFixture {
  readonly courier: RunningCourier;
  readonly client: ProviderClient;
  readonly socketPath: string;
  readonly dir: string;
  readonly storeDir: string;
  readonly metrics: Metrics;
  /** Every log line the server wrote, as written (JSON text). */
  readonly logLines: string[];
  /** Calls courier.shutdown() once (later calls share it); teardown reuses it. */
  readonly shutdown: () => Promise<void>;
}


/** Writes `files` (path → text) under `root`. */
export async function writeTree(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Starts Courier on `<tmp>/sockets/courier.sock` and connects a real gRPC client to it. */
export async function startTestCourier(t: ExecutionContext, fixture: FixtureOptions = {}): Promise<CourierFixture> {
  const dir = await tempDir(t);
  const storeDir = join(dir, 'store');
  const backends = new Map<string, Backend>(fixture.backends ?? []);
  if (fixture.localFiles) {
    await mkdir(storeDir);
    await writeTree(storeDir, fixture.localFiles);
    const store = new FileStore(storeDir);
    await store.start();
    backends.set('file', store);
  }
  const metrics = createMetrics();
  const options: ServeOptions = { ...DEFAULT_SERVE_OPTIONS, socketDir: join(dir, 'sockets'), metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 5_000, ...fixture.options };
  const { logger, lines: logLines } = captureLogs(options.logLevel);
  const courier = await startCourier(options, { logger, metrics, backends, catalog: registryWith([...backends.values()]).catalog, ...(fixture.mirror ? { mirror: fixture.mirror } : {}), ...(fixture.events ? { events: fixture.events } : {}) });
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= courier.shutdown());
  const socketPath = join(options.socketDir, `${options.providerName}.sock`);
  const client = connectProvider(socketPath);
  t.teardown(async () => {
    client.close();
    await shutdown();
  });
  return { courier, client, socketPath, dir, storeDir, metrics, logLines, shutdown };
}

/** The attributes the driver sends: parameters plus the pod keys. */
export function driverAttributes(parameters: Readonly<Record<string, string>>, pod: { namespace?: string; name?: string } = {}): Record<string, string> {
  return {
    ...parameters,
    [DRIVER_KEYS.secretProviderClass]: 'test-spc',
    [DRIVER_KEYS.podName]: pod.name ?? 'app-0',
    [DRIVER_KEYS.podNamespace]: pod.namespace ?? 'team-a',
    [DRIVER_KEYS.podUid]: '6f1e2c1a-0000-4000-8000-000000000001',
    [DRIVER_KEYS.serviceAccount]: 'app',
    [DRIVER_KEYS.ephemeral]: 'false',
  };
}

/** A native `objects` parameter from entries written as YAML flow mappings. */
export function objectsYaml(entries: readonly string[]): string {
  return entries.map((entry) => `- ${entry}`).join('\n');
}

export { tempDir };
