// These tests read Vault's JSON answers as the wire gives them (callVault's body is untyped on purpose):
// every shape they rely on is asserted, so the type-aware unsafe-any rules are off here only.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return */
import test from 'ava';
import { callVault } from './call.ts';
import { MESSAGES, useFakeVault } from './index.ts';

test('a KV v2 read answers data.data and data.metadata with the version, in the full envelope', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2('secret').put('app/db', { password: 'one' });
  t.is(vault.kvV2('secret').put('app/db', { password: 'two' }, { customMetadata: { owner: 'team-a' } }), 2);
  const { status, body } = await callVault(vault.url, 'GET', 'secret/data/app/db', { token: vault.rootToken });
  t.is(status, 200);
  t.deepEqual(Object.keys(body), ['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth', 'mount_type']);
  t.deepEqual(body.data.data, { password: 'two' });
  t.like(body.data.metadata, { version: 2, deletion_time: '', destroyed: false, custom_metadata: { owner: 'team-a' } });
  t.regex(body.data.metadata.created_time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  t.like(body, { lease_id: '', lease_duration: 0, mount_type: 'kv' });
});

test('a version pin reads that version, and a missing version or path answers 404 with an empty error list', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2().put('app/db', { n: 1 });
  vault.kvV2().put('app/db', { n: 2 });
  const read = (path: string) => callVault(vault.url, 'GET', path, { token: vault.rootToken });
  t.deepEqual((await read('secret/data/app/db?version=1')).body.data.data, { n: 1 });
  t.deepEqual(await read('secret/data/app/db?version=9').then((r) => [r.status, r.body]), [404, { errors: [] }]);
  t.deepEqual(await read('secret/data/app/nope').then((r) => [r.status, r.body]), [404, { errors: [] }]);
});

test('deleted and destroyed versions answer 404 with null data and their metadata, undelete restores', async (t) => {
  const vault = await useFakeVault(t);
  const kv = vault.kvV2();
  for (const n of [1, 2, 3]) kv.put('app/db', { n });
  kv.destroy('app/db', [1]);
  const read = (version: number) => callVault(vault.url, 'GET', `secret/data/app/db?version=${version}`, { token: vault.rootToken });
  const destroyed = await read(1);
  t.is(destroyed.status, 404);
  t.like(destroyed.body.data, { data: null, metadata: { version: 1, destroyed: true, deletion_time: '' } });
  await callVault(vault.url, 'POST', 'secret/delete/app/db', { token: vault.rootToken, body: { versions: [2] } });
  const deleted = await read(2);
  t.is(deleted.status, 404);
  t.not(deleted.body.data.metadata.deletion_time, '');
  t.is(deleted.body.errors, undefined);
  t.is((await callVault(vault.url, 'POST', 'secret/undelete/app/db', { token: vault.rootToken, body: { versions: [1, 2] } })).status, 204);
  t.deepEqual((await read(2)).body.data.data, { n: 2 });
  t.is((await read(1)).status, 404);
});

test('writes over HTTP return the new version, honour check-and-set and need a data object', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2('secret');
  const write = (body: unknown) => callVault(vault.url, 'PUT', 'secret/data/app/db', { token: vault.rootToken, body });
  const first = await write({ data: { a: '1' }, options: { cas: 0 } });
  t.like(first.body.data, { version: 1, destroyed: false, deletion_time: '' });
  t.deepEqual(await write({ data: { a: '2' }, options: { cas: 0 } }).then((r) => [r.status, r.body]), [400, { errors: [MESSAGES.casMismatch] }]);
  t.deepEqual(await write({ nothing: true }).then((r) => [r.status, r.body]), [400, { errors: ['no data provided'] }]);
  t.is(vault.kvV2().secret('app/db')?.currentVersion, 1);
});

test('metadata lists versions, list=true answers one level of keys, and DELETE of metadata erases the secret', async (t) => {
  const vault = await useFakeVault(t);
  const kv = vault.kvV2();
  kv.put('app/db', { a: 1 });
  kv.put('app/db', { a: 2 });
  kv.put('app/nested/x', { b: 1 });
  const token = vault.rootToken;
  const meta = await callVault(vault.url, 'GET', 'secret/metadata/app/db', { token });
  t.like(meta.body.data, { current_version: 2, oldest_version: 0, max_versions: 0, cas_required: false, delete_version_after: '0s' });
  t.deepEqual(Object.keys(meta.body.data.versions), ['1', '2']);
  t.deepEqual((await callVault(vault.url, 'GET', 'secret/metadata/app?list=true', { token })).body.data.keys, ['db', 'nested/']);
  t.deepEqual((await callVault(vault.url, 'GET', 'secret/metadata/app/?list=true', { token })).body.data.keys, ['db', 'nested/']);
  // Node's HTTP parser refuses the LIST verb before the fake sees it; clients send GET ?list=true.
  t.is((await callVault(vault.url, 'LIST', 'secret/metadata/app', { token })).status, 400);
  t.is((await callVault(vault.url, 'DELETE', 'secret/metadata/app/db', { token })).status, 204);
  t.is(kv.secret('app/db'), undefined);
  t.is(kv.put('app/db', { a: 3 }), 1);
});

test('a secret keeps its ten newest versions', async (t) => {
  const vault = await useFakeVault(t);
  for (let n = 1; n <= 12; n += 1) vault.kvV2().put('app/db', { n });
  const secret = vault.kvV2().secret('app/db');
  t.deepEqual([...(secret?.versions.keys() ?? [])], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  t.is(secret?.oldestVersion, 3);
});

test('a KV v1-style path on a v2 mount answers 404 with Vault\'s warning', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2().put('app/db', { a: 1 });
  const { status, body } = await callVault(vault.url, 'GET', 'secret/app/db', { token: vault.rootToken });
  t.is(status, 404);
  t.deepEqual(body.warnings, [MESSAGES.kvV2WrongPath]);
  t.is(body.data, null);
});

test('KV v1 reads carry the 768h lease, writes and deletes answer 204, list=true lists', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV1('kv').put('app/config', { mode: 'a' });
  const token = vault.rootToken;
  const read = await callVault(vault.url, 'GET', 'kv/app/config', { token });
  t.like(read.body, { data: { mode: 'a' }, lease_duration: 2_764_800, mount_type: 'kv' });
  t.is((await callVault(vault.url, 'POST', 'kv/app/other', { token, body: { x: 'y', ttl: '1h' } })).status, 204);
  t.is((await callVault(vault.url, 'GET', 'kv/app/other', { token })).body.lease_duration, 3600);
  t.deepEqual((await callVault(vault.url, 'GET', 'kv/app?list=true', { token })).body.data.keys, ['config', 'other']);
  t.is((await callVault(vault.url, 'DELETE', 'kv/app/config', { token })).status, 204);
  t.is((await callVault(vault.url, 'GET', 'kv/app/config', { token })).status, 404);
});

test('the mount preflight names the mount, its type and KV version, and refuses a token with no rule there', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2('secret');
  vault.kvV1('kv');
  vault.writePolicy('only-kv', { 'kv/app/*': ['read'] });
  const limited = vault.createToken({ policies: ['only-kv'] });
  const preflight = (path: string, token: string) => callVault(vault.url, 'GET', `sys/internal/ui/mounts/${path}`, { token });
  t.like((await preflight('secret/app/db', vault.rootToken)).body.data, { path: 'secret/', type: 'kv', options: { version: '2' } });
  t.like((await preflight('kv/app/config', limited)).body.data, { path: 'kv/', type: 'kv', options: { version: '1' } });
  t.deepEqual(await preflight('secret/app/db', limited).then((r) => [r.status, r.body]), [403, { errors: [MESSAGES.preflight('secret/app/db/')] }]);
  t.deepEqual(await preflight('nomount/x', vault.rootToken).then((r) => [r.status, r.body]), [403, { errors: [MESSAGES.preflight('nomount/x/')] }]);
});
