// These tests read Vault's JSON answers as the wire gives them (callVault's body is untyped on purpose):
// every shape they rely on is asserted, so the type-aware unsafe-any rules are off here only.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return */
import test from 'ava';
import { callVault } from './call.ts';
import { MESSAGES, useFakeVault } from './index.ts';

test('lookup-self describes the token: policies, ttl counting down, path, meta', async (t) => {
  const vault = await useFakeVault(t);
  vault.clock.freeze();
  const token = vault.createToken({ policies: ['app'], ttl: 600, meta: { role: 'app' }, path: 'auth/kubernetes/login' });
  vault.clock.advance(100);
  const { body } = await callVault(vault.url, 'GET', 'auth/token/lookup-self', { token });
  t.like(body.data, { id: token, policies: ['app', 'default'], ttl: 500, creation_ttl: 600, renewable: true, path: 'auth/kubernetes/login', meta: { role: 'app' }, type: 'service' });
  const root = await callVault(vault.url, 'GET', 'auth/token/lookup-self', { token: vault.rootToken });
  t.like(root.body.data, { policies: ['root'], ttl: 0, expire_time: null, renewable: false });
});

test('renew-self sets the TTL to the increment from now, capped by the max TTL with Vault\'s warning', async (t) => {
  const vault = await useFakeVault(t);
  vault.clock.freeze();
  const token = vault.createToken({ policies: [], ttl: 60, maxTtl: 300 });
  const renew = (increment: unknown) => callVault(vault.url, 'PUT', 'auth/token/renew-self', { token, body: { increment } });
  t.like((await renew(120)).body, { auth: { client_token: token, lease_duration: 120 }, warnings: null });
  vault.clock.advance(100);
  const capped = await renew('1h');
  t.is(capped.body.auth.lease_duration, 200);
  t.deepEqual(capped.body.warnings, [MESSAGES.ttlCapped('1h0m0s', '3m20s')]);
  t.is((await renew(0)).body.auth.lease_duration, 60);
  t.is(vault.stats().tokens.renewed, 3);
});

test('a non-renewable token cannot renew itself', async (t) => {
  const vault = await useFakeVault(t);
  const token = vault.createToken({ policies: [], renewable: false });
  t.deepEqual((await callVault(vault.url, 'PUT', 'auth/token/renew-self', { token, body: {} })).body, { errors: [MESSAGES.leaseNotRenewable] });
});

test('an expired or revoked token answers 403 permission denied plus invalid token', async (t) => {
  const vault = await useFakeVault(t);
  const expiring = vault.createToken({ policies: [], ttl: 30 });
  const revoked = vault.createToken({ policies: [] });
  t.is((await callVault(vault.url, 'PUT', 'auth/token/revoke-self', { token: revoked })).status, 204);
  vault.clock.advance(31);
  for (const token of [expiring, revoked, 'hvs.neverissued']) {
    const answer = await callVault(vault.url, 'GET', 'auth/token/lookup-self', { token });
    t.deepEqual([answer.status, answer.body], [403, { errors: [MESSAGES.invalidToken] }]);
  }
  t.like(vault.stats().tokens, { issued: 2, revoked: 1, expired: 1, active: 0 });
  t.deepEqual((await callVault(vault.url, 'GET', 'secret/data/x')).body, { errors: [MESSAGES.permissionDenied] });
});

test('a policy denial is the one-error form, and the Authorization bearer header works like X-Vault-Token', async (t) => {
  const vault = await useFakeVault(t);
  vault.kvV2().put('app/db', { a: 1 });
  vault.writePolicy('app', 'path "secret/data/app/*" { capabilities = ["read"] }');
  const token = vault.createToken({ policies: ['app'] });
  t.deepEqual((await callVault(vault.url, 'GET', 'secret/data/other', { token })).body, { errors: [MESSAGES.policyDenied] });
  t.deepEqual((await callVault(vault.url, 'PUT', 'secret/data/app/db', { token, body: { data: {} } })).body, { errors: [MESSAGES.policyDenied] });
  const response = await fetch(`${vault.url}/v1/secret/data/app/db`, { headers: { authorization: `Bearer ${token}` } });
  t.is(response.status, 200);
});

test('a token revoked or expired takes its leases with it', async (t) => {
  const vault = await useFakeVault(t);
  vault.database('database', { readonly: { defaultTtl: 3600 } });
  vault.writePolicy('db', { 'database/creds/readonly': ['read'] });
  const first = vault.createToken({ policies: ['db'] });
  const second = vault.createToken({ policies: ['db'], ttl: 60 });
  for (const token of [first, first, second]) t.is((await callVault(vault.url, 'GET', 'database/creds/readonly', { token })).status, 200);
  await callVault(vault.url, 'PUT', 'auth/token/revoke-self', { token: first });
  t.like(vault.stats().leases, { issued: 3, revoked: 2, active: 1 });
  vault.clock.advance(61);
  t.like(vault.stats().leases, { revoked: 3, active: 0 });
});

test('a namespace is reached by header or path prefix and its tokens work only there and below', async (t) => {
  const vault = await useFakeVault(t);
  const team = vault.namespace('team-a');
  team.kvV2().put('app/db', { where: 'team-a' });
  vault.namespace('team-a/child').kvV2().put('app/db', { where: 'child' });
  vault.kvV2().put('app/db', { where: 'root' });
  team.writePolicy('reader', { 'secret/data/*': ['read'], 'child/secret/data/*': ['read'] });
  const token = vault.createToken({ namespace: 'team-a', policies: ['reader'] });
  t.regex(token, /^hvs\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{5}$/);
  const read = async (path: string, options: { namespace?: string; token?: string } = {}) => {
    const answer = await callVault(vault.url, 'GET', path, { token, ...options });
    return answer.status === 200 ? answer.body.data.data.where : answer.body.errors;
  };
  t.is(await read('secret/data/app/db', { namespace: 'team-a' }), 'team-a');
  t.is(await read('team-a/secret/data/app/db'), 'team-a');
  t.is(await read('secret/data/app/db', { namespace: 'team-a/child' }), 'child');
  t.is(await read('child/secret/data/app/db', { namespace: 'team-a' }), 'child');
  t.deepEqual(await read('secret/data/app/db'), [MESSAGES.invalidToken]);
  t.is(await read('team-a/secret/data/app/db', { token: vault.rootToken }), 'team-a');
  t.deepEqual(await read('secret/data/app/db', { namespace: 'nowhere', token: vault.rootToken }), [MESSAGES.noRoute('secret/data/app/db')]);
  t.is(vault.counters.reads('secret/data/app/db', 'team-a/child'), 2);
});
