import test from 'ava';
import { ConfigError, PermissionError } from '../../src/errors/courier-error.ts';
import type { MirrorSecret } from '../../src/kube/mirror-content.ts';
import { b64, POD_A, POD_B, useMirrorRig } from './mirror-helpers.ts';

function secret(data: Record<string, string>, extra: Partial<MirrorSecret> = {}): MirrorSecret {
  return {
    field: 'mirror[0]',
    name: 'db-creds',
    type: 'Opaque',
    labels: { team: 'a' },
    annotations: { 'example.com/note': 'mirrored' },
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value)])),
    ...extra,
  };
}

const signal = () => AbortSignal.timeout(10_000);

test('creates the Secret in the pod\'s namespace with the managed-by label and the pod as owner', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw-1' })], POD_A, signal());
  const stored = rig.api.secret('team-a', 'db-creds');
  t.deepEqual(stored?.data, { password: b64('pw-1') });
  t.is(stored?.type, 'Opaque');
  t.deepEqual(stored?.metadata?.labels, { team: 'a', 'app.kubernetes.io/managed-by': 'courier' });
  t.deepEqual(stored?.metadata?.annotations, { 'example.com/note': 'mirrored' });
  t.deepEqual(stored?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Pod', name: 'app-0', uid: POD_A.uid }]);
  t.deepEqual(await rig.writes(), { created: 1 });
});

test('a rotation updates the Secret', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw-1' })], POD_A, signal());
  await rig.mirror.apply([secret({ password: 'pw-2' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('pw-2') });
  t.deepEqual(await rig.writes(), { created: 1, updated: 1 });
});

test('a key dropped from the mirror is removed from the Secret', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw', user: 'app' })], POD_A, signal());
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('pw') });
});

test('an unchanged Secret is neither written nor read again until the recheck interval passes', async (t) => {
  let clock = 1_000_000;
  const rig = await useMirrorRig(t, { recheckAfterMs: 300_000, now: () => clock });
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  const before = rig.api.secret('team-a', 'db-creds')?.metadata?.resourceVersion;
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  clock += 299_999;
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.is(rig.api.count('GET', 'secrets'), 1);
  clock += 1;
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.is(rig.api.count('GET', 'secrets'), 2);
  t.is(rig.api.count('POST', 'secrets'), 1);
  t.is(rig.api.count('PUT', 'secrets'), 0);
  t.is(rig.api.secret('team-a', 'db-creds')?.metadata?.resourceVersion, before);
  t.deepEqual(await rig.writes(), { created: 1, unchanged: 3 });
});

test('a mirror deleted by someone else is re-created once the recheck interval passes', async (t) => {
  let clock = 1_000_000;
  const rig = await useMirrorRig(t, { recheckAfterMs: 60_000, now: () => clock });
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  rig.api.deleteSecret('team-a', 'db-creds');
  clock += 60_000;
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('pw') });
});

test('new content goes to the API at once, whatever the recheck interval', async (t) => {
  const rig = await useMirrorRig(t, { recheckAfterMs: 3_600_000 });
  await rig.mirror.apply([secret({ password: 'pw-1' })], POD_A, signal());
  await rig.mirror.apply([secret({ password: 'pw-1' }, { labels: { team: 'b' } })], POD_A, signal());
  await rig.mirror.apply([secret({ password: 'pw-2' }, { labels: { team: 'b' } })], POD_A, signal());
  const stored = rig.api.secret('team-a', 'db-creds');
  t.deepEqual(stored?.data, { password: b64('pw-2') });
  t.is(stored?.metadata?.labels?.['team'], 'b');
  t.deepEqual(await rig.writes(), { created: 1, updated: 2 });
});

test('two pods become two owners, in the order they mounted', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  await rig.mirror.apply([secret({ password: 'pw' })], POD_B, signal());
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.deepEqual(
    rig.api.secret('team-a', 'db-creds')?.metadata?.ownerReferences?.map((owner) => owner.name),
    ['app-0', 'app-1'],
  );
  t.deepEqual(await rig.writes(), { created: 1, updated: 1, unchanged: 1 });
});

test('labels and annotations added by others are kept', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.putSecret({ metadata: { name: 'db-creds', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'courier', backup: 'yes' }, annotations: { other: 'tool' } }, type: 'Opaque', data: {} });
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  const stored = rig.api.secret('team-a', 'db-creds');
  t.deepEqual(stored?.metadata?.labels, { 'app.kubernetes.io/managed-by': 'courier', backup: 'yes', team: 'a' });
  t.deepEqual(stored?.metadata?.annotations, { other: 'tool', 'example.com/note': 'mirrored' });
});

test('refuses to modify a Secret courier does not manage', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.putSecret({ metadata: { name: 'db-creds', namespace: 'team-a', labels: { owner: 'someone' } }, type: 'Opaque', data: { password: b64('theirs') } });
  const error = await t.throwsAsync(rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal()), { instanceOf: ConfigError });
  t.is(
    error.message,
    'mirror[0].secretName: Secret team-a/db-creds exists and is not managed by courier (it lacks the label app.kubernetes.io/managed-by: courier); courier never modifies a Secret it does not manage: choose another secretName or delete that Secret',
  );
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('theirs') });
  t.is(rig.api.count('PUT'), 0);
  t.deepEqual(await rig.writes(), { refused: 1 });
});

test('refuses to change the type of an existing mirror', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  const error = await t.throwsAsync(rig.mirror.apply([secret({ 'tls.crt': 'c', 'tls.key': 'k' }, { type: 'kubernetes.io/tls' })], POD_A, signal()));
  t.is(error.message, "mirror[0].type: Secret team-a/db-creds exists with type Opaque, and a Secret's type cannot change; delete that Secret and courier re-creates it as kubernetes.io/tls");
});

test('writes only into the pod\'s namespace, even when a Secret of that name exists elsewhere', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.putSecret({ metadata: { name: 'db-creds', namespace: 'team-b', labels: { 'app.kubernetes.io/managed-by': 'courier' } }, type: 'Opaque', data: { password: b64('b') } });
  await rig.mirror.apply([secret({ password: 'a' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-b', 'db-creds')?.data, { password: b64('b') });
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('a') });
  t.deepEqual([...new Set(rig.api.requests.map((request) => request.namespace))], ['team-a']);
});

test('a concurrent update is retried on the fresh resourceVersion', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw-1' })], POD_A, signal());
  // Another writer (a second node's Courier) adds its pod between our read and our write.
  rig.api.beforeNext('PUT', () => {
    const current = rig.api.secret('team-a', 'db-creds');
    rig.api.putSecret({ ...current, metadata: { ...current?.metadata, ownerReferences: [...(current?.metadata?.ownerReferences ?? []), { apiVersion: 'v1', kind: 'Pod', name: 'app-9', uid: 'uid-9' }] } });
  });
  await rig.mirror.apply([secret({ password: 'pw-2' })], POD_A, signal());
  const stored = rig.api.secret('team-a', 'db-creds');
  t.deepEqual(stored?.data, { password: b64('pw-2') });
  t.deepEqual(stored?.metadata?.ownerReferences?.map((owner) => owner.name), ['app-0', 'app-9']);
  t.is(rig.api.count('PUT'), 2);
});

test('a create that loses the race to another writer becomes an update', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.beforeNext('POST', () => {
    rig.api.putSecret({ metadata: { name: 'db-creds', namespace: 'team-a', labels: { 'app.kubernetes.io/managed-by': 'courier' }, ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'app-1', uid: POD_B.uid }] }, type: 'Opaque', data: { password: b64('pw') } });
  });
  await rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.metadata?.ownerReferences?.map((owner) => owner.name), ['app-1', 'app-0']);
  t.deepEqual(await rig.writes(), { updated: 1 });
});

test('an unreachable API is logged and counted, not thrown, and the next apply writes', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.api.goDown();
  await rig.mirror.apply([secret({ password: 'pw-secret-value' })], POD_A, signal());
  t.deepEqual(await rig.writes(), { unavailable: 1 });
  const line = JSON.parse(rig.logLines.at(-1) ?? '{}') as Record<string, unknown>;
  t.is(line['msg'], 'mirror write failed; the mount succeeds and the next mount retries');
  t.is(line['error'], 'cannot reach the Kubernetes API to get secrets team-a/db-creds: ECONNREFUSED');
  t.is(line['secretName'], 'db-creds');
  t.false(rig.logLines.join('\n').includes('pw-secret-value'));
  t.false(rig.logLines.join('\n').includes(b64('pw-secret-value')));
  await rig.api.comeBack();
  await rig.mirror.apply([secret({ password: 'pw-secret-value' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('pw-secret-value') });
});

test('missing RBAC on secrets fails with the rule to grant', async (t) => {
  const rig = await useMirrorRig(t);
  rig.api.forbid('create', 'secrets');
  const error = await t.throwsAsync(rig.mirror.apply([secret({ password: 'pw' })], POD_A, signal()), { instanceOf: PermissionError });
  t.is(error.message, 'the Kubernetes API refused to let courier create secrets team-a/db-creds; grant courier\'s service account a ClusterRole rule {apiGroups: [""], resources: ["secrets"], verbs: ["create"]}');
  t.deepEqual(await rig.writes(), { forbidden: 1 });
});

test('a Secret the API finds invalid fails with its reason', async (t) => {
  const rig = await useMirrorRig(t);
  const error = await t.throwsAsync(rig.mirror.apply([secret({ 'tls.crt': 'c' }, { type: 'kubernetes.io/tls' })], POD_A, signal()), { instanceOf: ConfigError });
  t.is(error.message, 'mirror[0]: the Kubernetes API refused Secret team-a/db-creds as invalid (Invalid): Secret "db-creds" is invalid: data[tls.key]: Required value');
  t.deepEqual(await rig.writes(), { invalid: 1 });
});

test('a pod without a UID adds no owner reference', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw' })], { ...POD_A, uid: '' }, signal());
  t.is(rig.api.secret('team-a', 'db-creds')?.metadata?.ownerReferences, undefined);
});

test('a Secret deleted between the read and the update is created again', async (t) => {
  const rig = await useMirrorRig(t);
  await rig.mirror.apply([secret({ password: 'pw-1' })], POD_A, signal());
  rig.api.beforeNext('PUT', () => rig.api.deleteSecret('team-a', 'db-creds'));
  await rig.mirror.apply([secret({ password: 'pw-2' })], POD_A, signal());
  t.deepEqual(rig.api.secret('team-a', 'db-creds')?.data, { password: b64('pw-2') });
  t.deepEqual(await rig.writes(), { created: 2 });
});
