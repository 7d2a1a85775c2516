import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import test, { type ExecutionContext } from 'ava';
import type { Backend } from '../../src/stores/backend.ts';
import { FileStore } from '../../src/stores/file/file-store.ts';
import type { SecretMirror } from '../../src/kube/secret-mirror.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { startCourier } from '../../src/server/courier-server.ts';
import { DEFAULT_SERVE_OPTIONS } from '../../src/server/options.ts';
import { DRIVER_KEYS } from '../../src/spc/decode-request.ts';
import { connectProvider, type ProviderClient } from '../helpers/provider-client.ts';
import { b64, POD_A, useMirrorRig } from './mirror-helpers.ts';

/** A Courier on a temp socket with a local store holding db/password, and a connected client. */
async function serveWith(t: ExecutionContext, mirror: SecretMirror | undefined): Promise<ProviderClient> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-mirror-server-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'store', 'db'), { recursive: true });
  await writeFile(join(dir, 'store', 'db', 'password'), 'pw-over-grpc');
  const store = new FileStore(join(dir, 'store'));
  await store.start();
  const options = { ...DEFAULT_SERVE_OPTIONS, socketDir: join(dir, 'sockets'), metricsAddr: 'off', healthAddr: 'off', gracePeriodMs: 2_000, cacheTtlMs: 0 };
  const parts = { logger: createLogger('silent'), metrics: createMetrics(), backends: new Map<string, Backend>([['file', store]]) };
  const courier = await startCourier(options, { ...parts, ...(mirror ? { mirror } : {}) });
  const client = connectProvider(join(options.socketDir, 'courier.sock'));
  t.teardown(async () => {
    client.close();
    await courier.shutdown();
  });
  return client;
}

const ATTRIBUTES = {
  objects: '- {source: "file:db/password", path: password}',
  mirror: '- {secretName: app-db, data: [{objectName: password, key: password}]}',
  [DRIVER_KEYS.secretProviderClass]: 'app',
  [DRIVER_KEYS.podName]: POD_A.name,
  [DRIVER_KEYS.podNamespace]: POD_A.namespace,
  [DRIVER_KEYS.podUid]: POD_A.uid,
  [DRIVER_KEYS.serviceAccount]: POD_A.serviceAccount,
};

test('a Mount over the socket creates the mirror owned by the pod the driver named', async (t) => {
  const rig = await useMirrorRig(t);
  const client = await serveWith(t, rig.mirror);
  const response = await client.mount({ attributes: ATTRIBUTES });
  t.deepEqual(response.files.map((file) => file.path), ['password']);
  const secret = rig.api.secret('team-a', 'app-db');
  t.deepEqual(secret?.data, { password: b64('pw-over-grpc') });
  t.deepEqual(secret?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: POD_A.name, uid: POD_A.uid }]);
});

test('a Mount over the socket fails with INVALID_ARGUMENT when mirroring is off', async (t) => {
  const client = await serveWith(t, undefined);
  const error = await t.throwsAsync(client.mount({ attributes: ATTRIBUTES }));
  t.is((error as Error & { code?: number }).code, status.INVALID_ARGUMENT);
  t.is((error as Error & { details?: string }).details, 'mirror: asks for mirror Secrets, but this courier was not started with --mirror-secrets; ask the cluster administrator to enable mirroring, or remove "mirror"');
});
