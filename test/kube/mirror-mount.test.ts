import test from 'ava';
import type { Backend, FetchRequest, FetchResult } from '../../src/stores/backend.ts';
import { ConfigError } from '../../src/errors/courier-error.ts';
import { createObjectFetcher } from '../../src/fetch/fetch-objects.ts';
import { MAX_MIRROR_BYTES } from '../../src/kube/mirror-content.ts';
import type { SecretMirror } from '../../src/kube/secret-mirror.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { runMount } from '../../src/pipeline/mount.ts';
import type { DecodedRequest } from '../../src/spc/types.ts';
import { b64, POD_A, useMirrorRig } from './mirror-helpers.ts';
import { CATALOG } from '../helpers/catalog.ts';
import { createAtomicWriter } from '../../src/output/atomic-writer.ts';
import { DEFAULT_BUDGETS } from '../../src/spc/budgets.ts';

/** A `file` store held in memory, so a test can rotate a value between Mounts. */
function memoryStore(values: Map<string, string | Buffer>): Backend {
  return {
    store: 'file',
    maxBatchSize: 10,
    identityKey: () => Promise.resolve('none'),
    fetch: (requests: readonly FetchRequest[]) =>
      Promise.resolve(
        requests.map((request): FetchResult => {
          const value = values.get(request.locator);
          return value === undefined ? { ok: false, error: new ConfigError('missing in test store') } : { ok: true, contents: Buffer.from(value), version: b64(String(value.length)) };
        }),
      ),
  };
}

const OBJECTS = '- {source: "file:db/password", path: db/password}\n- {source: "file:web/tls.pem", path: tls.pem}';
const MIRROR = '- {secretName: db, data: [{objectName: db/password, key: password}]}';
const TLS_MIRROR = '- {secretName: web-tls, type: kubernetes.io/tls, data: [{objectName: tls.pem, key: tls.crt}, {objectName: tls.pem, key: tls.key}]}';
const PEM = '-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n';

function request(mirror: string | undefined): DecodedRequest {
  return {
    parameters: { objects: OBJECTS, ...(mirror === undefined ? {} : { mirror }) },
    secretProviderClass: 'app-secrets',
    pod: POD_A,
    tokens: new Map(),
    permission: 0o644,
    targetPath: '',
  };
}

function mount(values: Map<string, string | Buffer>, mirror: SecretMirror | undefined, mirrorParameter: string | undefined, budgets = DEFAULT_BUDGETS) {
  const backends = new Map<string, Backend>([['file', memoryStore(values)]]);
  const fetcher = createObjectFetcher(backends, createMetrics());
  return runMount(request(mirrorParameter), { fetcher, catalog: CATALOG, backends, budgets, writer: createAtomicWriter(), writeFiles: false, ...(mirror ? { mirror } : {}) }, AbortSignal.timeout(20_000));
}

test('a Mount with a mirror returns its files and creates the Secret', async (t) => {
  const rig = await useMirrorRig(t);
  const result = await mount(new Map([['db/password', 'pw-1'], ['web/tls.pem', PEM]]), rig.mirror, MIRROR);
  t.deepEqual(result.files.map((file) => file.path), ['db/password', 'tls.pem']);
  t.deepEqual(rig.api.secret('team-a', 'db')?.data, { password: b64('pw-1') });
});

test('a re-publish with rotated content updates the Secret; an unchanged one writes nothing', async (t) => {
  const rig = await useMirrorRig(t);
  const values = new Map<string, string | Buffer>([['db/password', 'pw-1'], ['web/tls.pem', PEM]]);
  await mount(values, rig.mirror, MIRROR);
  await mount(values, rig.mirror, MIRROR);
  t.is(rig.api.count('PUT'), 0);
  values.set('db/password', 'pw-2');
  await mount(values, rig.mirror, MIRROR);
  t.deepEqual(rig.api.secret('team-a', 'db')?.data, { password: b64('pw-2') });
  t.deepEqual(await rig.writes(), { created: 1, unchanged: 1, updated: 1 });
});

test('a combined PEM mounts as one file and mirrors as a tls Secret', async (t) => {
  const rig = await useMirrorRig(t);
  await mount(new Map([['db/password', 'pw'], ['web/tls.pem', PEM]]), rig.mirror, TLS_MIRROR);
  t.deepEqual(rig.api.secret('team-a', 'web-tls')?.data, {
    'tls.crt': b64('-----BEGIN CERTIFICATE-----\nY2VydA==\n-----END CERTIFICATE-----\n'),
    'tls.key': b64('-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n'),
  });
});

test('with the API down the Mount still succeeds with its files', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.api.goDown();
  const result = await mount(new Map([['db/password', 'pw'], ['web/tls.pem', PEM]]), rig.mirror, MIRROR);
  t.is(result.files.length, 2);
  t.deepEqual(await rig.writes(), { unavailable: 1 });
});

test('content that does not fit the type fails the Mount before any API call', async (t) => {
  const rig = await useMirrorRig(t);
  const error = await t.throwsAsync(mount(new Map([['db/password', 'pw'], ['web/tls.pem', 'not a pem']]), rig.mirror, TLS_MIRROR), { instanceOf: ConfigError });
  t.is(error.message, 'mirror[0].data[0].objectName: "tls.pem" holds no PEM CERTIFICATE block, which tls.crt of a kubernetes.io/tls Secret needs');
  t.is(rig.api.requests.length, 0);
});

test('a mirror over 1 MiB fails the Mount before any API call', async (t) => {
  const rig = await useMirrorRig(t);
  // The per-secret and per-file budgets are raised so the mirror's own limit is what the Mount meets.
  const budgets = { ...DEFAULT_BUDGETS, maxSecretBytes: 2 * MAX_MIRROR_BYTES, maxObjectBytes: 2 * MAX_MIRROR_BYTES };
  const error = await t.throwsAsync(mount(new Map<string, string | Buffer>([['db/password', Buffer.alloc(MAX_MIRROR_BYTES + 1)], ['web/tls.pem', PEM]]), rig.mirror, MIRROR, budgets));
  t.is(error.message, 'mirror[0]: Secret "db" would hold 1048577 bytes of data, over Kubernetes\' 1 MiB (1048576 bytes) limit for a Secret; mirror fewer files');
  t.is(rig.api.requests.length, 0);
});

test('an unmanaged Secret of the same name fails the Mount', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.putSecret({ metadata: { name: 'db', namespace: 'team-a' }, type: 'Opaque', data: {} });
  const error = await t.throwsAsync(mount(new Map([['db/password', 'pw'], ['web/tls.pem', PEM]]), rig.mirror, MIRROR), { instanceOf: ConfigError });
  t.is(error.field, 'mirror[0].secretName');
});

test('a mirror parameter on a courier without --mirror-secrets fails the Mount, saying so', async (t) => {
  const error = await t.throwsAsync(mount(new Map([['db/password', 'pw'], ['web/tls.pem', PEM]]), undefined, MIRROR), { instanceOf: ConfigError });
  t.is(error.message, 'mirror: asks for mirror Secrets, but this courier was not started with --mirror-secrets; ask the cluster administrator to enable mirroring, or remove "mirror"');
});

test('a Mount without a mirror parameter never touches the API', async (t) => {
  const rig = await useMirrorRig(t);
  await mount(new Map([['db/password', 'pw'], ['web/tls.pem', PEM]]), rig.mirror, undefined);
  t.is(rig.api.requests.length, 0);
});
