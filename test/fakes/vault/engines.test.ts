// These tests read Vault's JSON answers as the wire gives them (callVault's body is untyped on purpose):
// every shape they rely on is asserted, so the type-aware unsafe-any rules are off here only.
/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import test from 'ava';
import { callVault } from './call.ts';
import { MESSAGES, useFakeVault } from './index.ts';

test('database creds mint a username and password under a renewable lease named after the role', async (t) => {
  const vault = await useFakeVault(t);
  vault.database('database', { readonly: { defaultTtl: 300, maxTtl: 900 } });
  const token = vault.createToken({ policies: [], displayName: 'kubernetes-team-a-app' });
  vault.writePolicy('default', { 'database/creds/readonly': ['read'], 'sys/leases/*': ['update'] });
  const { status, body } = await callVault(vault.url, 'GET', 'database/creds/readonly', { token });
  t.is(status, 200);
  t.regex(body.lease_id, /^database\/creds\/readonly\/[A-Za-z0-9]{24}$/);
  t.like(body, { renewable: true, lease_duration: 300, mount_type: 'database' });
  t.regex(body.data.username, /^v-kubernet-readonly-[A-Za-z0-9]{20}-\d{10}$/);
  t.is(typeof body.data.password, 'string');
  t.deepEqual(vault.database().credentials.map((c) => c.leaseId), [body.lease_id]);
  t.deepEqual((await callVault(vault.url, 'GET', 'database/creds/nope', { token })).body, { errors: [MESSAGES.policyDenied] });
  t.deepEqual((await callVault(vault.url, 'GET', 'database/creds/nope', { token: vault.rootToken })).body, { errors: ['unknown role: nope'] });
});

test('leases renew by increment up to their max TTL, look up, revoke, and expire', async (t) => {
  const vault = await useFakeVault(t);
  vault.clock.freeze();
  vault.database('database', { readonly: { defaultTtl: 300, maxTtl: 900 } });
  const token = vault.rootToken;
  const leaseId: string = (await callVault(vault.url, 'GET', 'database/creds/readonly', { token })).body.lease_id;
  const renew = (increment: number, path = 'sys/leases/renew') => callVault(vault.url, 'PUT', path, { token, body: { lease_id: leaseId, increment } });
  t.like((await renew(120)).body, { lease_id: leaseId, lease_duration: 120, renewable: true, data: null });
  vault.clock.advance(100);
  const capped = await renew(3600, 'sys/renew');
  t.is(capped.body.lease_duration, 800);
  t.deepEqual(capped.body.warnings, [MESSAGES.ttlCapped('1h0m0s', '13m20s')]);
  t.like((await callVault(vault.url, 'PUT', 'sys/leases/lookup', { token, body: { lease_id: leaseId } })).body.data, { id: leaseId, ttl: 800, renewable: true });
  t.is((await callVault(vault.url, 'PUT', 'sys/leases/revoke', { token, body: { lease_id: leaseId } })).status, 204);
  t.deepEqual((await renew(60)).body, { errors: [MESSAGES.leaseNotFound] });
  t.is((await callVault(vault.url, 'PUT', `sys/leases/revoke/${leaseId}`, { token })).status, 204);
  const second: string = (await callVault(vault.url, 'GET', 'database/creds/readonly', { token })).body.lease_id;
  vault.clock.advance(301);
  t.deepEqual((await callVault(vault.url, 'PUT', 'sys/leases/renew', { token, body: { lease_id: second } })).body, { errors: [MESSAGES.leaseNotFound] });
  t.deepEqual(vault.stats().leases, { issued: 2, renewed: 2, revoked: 1, expired: 1, active: 0 });
  t.deepEqual(vault.leases().map((lease) => lease.state), ['revoked', 'expired']);
});

test('revoking a lease needs update on sys/leases/revoke, which the default policy does not grant', async (t) => {
  const vault = await useFakeVault(t);
  vault.database('database', { readonly: {} });
  vault.writePolicy('db', { 'database/creds/readonly': ['read'] });
  const token = vault.createToken({ policies: ['db'] });
  const leaseId: string = (await callVault(vault.url, 'GET', 'database/creds/readonly', { token })).body.lease_id;
  t.is((await callVault(vault.url, 'PUT', 'sys/leases/renew', { token, body: { lease_id: leaseId } })).status, 200);
  t.deepEqual((await callVault(vault.url, 'PUT', 'sys/leases/revoke', { token, body: { lease_id: leaseId } })).body, { errors: [MESSAGES.policyDenied] });
});

test('PKI issue returns a certificate the issuing CA verifies, with its key, names, serial and expiration', async (t) => {
  const vault = await useFakeVault(t);
  vault.pki('pki', { web: { allowedDomains: ['example.com'], allowSubdomains: true, ttl: 3600, maxTtl: 7200 } });
  const body = { common_name: 'app.example.com', alt_names: 'api.example.com', ip_sans: '10.0.0.1', ttl: '30m' };
  const answer = await callVault(vault.url, 'POST', 'pki/issue/web', { token: vault.rootToken, body });
  t.is(answer.status, 200);
  const data = answer.body.data;
  const cert = new X509Certificate(data.certificate);
  const ca = new X509Certificate(data.issuing_ca);
  t.true(cert.verify(ca.publicKey));
  t.true(cert.checkPrivateKey(createPrivateKey(data.private_key)));
  t.regex(data.private_key, /^-----BEGIN RSA PRIVATE KEY-----/);
  t.is(cert.subject, 'CN=app.example.com');
  t.is(cert.subjectAltName, 'DNS:app.example.com, DNS:api.example.com, IP Address:10.0.0.1');
  t.is(data.serial_number, (cert.serialNumber.toLowerCase().match(/../g) ?? []).join(':'));
  t.is(data.expiration, Math.floor(new Date(cert.validTo).getTime() / 1000));
  t.true(Math.abs(data.expiration - Date.now() / 1000 - 1800) < 5);
  t.deepEqual(data.ca_chain, [data.issuing_ca]);
  t.like(answer.body, { lease_id: '', lease_duration: 0, mount_type: 'pki', warnings: null });
  t.is(vault.pki().issued[0]?.commonName, 'app.example.com');
});

test('PKI issue refuses names outside the role, caps the TTL with a warning, and leases when the role says so', async (t) => {
  const vault = await useFakeVault(t);
  vault.pki('pki', { web: { allowedDomains: ['example.com'], allowSubdomains: true, maxTtl: 3600 }, leased: { allowAnyName: true, generateLease: true, ttl: 600 } });
  const issue = (role: string, body: unknown) => callVault(vault.url, 'POST', `pki/issue/${role}`, { token: vault.rootToken, body });
  t.deepEqual((await issue('web', { common_name: 'evil.example.org' })).body, { errors: ['common name evil.example.org not allowed by this role'] });
  t.deepEqual((await issue('web', { common_name: 'a.example.com', alt_names: 'b.example.net' })).body, { errors: ['subject alternate name b.example.net not allowed by this role'] });
  t.deepEqual((await issue('nope', { common_name: 'a.example.com' })).body, { errors: ['unknown role: nope'] });
  t.is((await issue('web', {})).status, 400);
  const capped = await issue('web', { common_name: 'a.example.com', ttl: '2h' });
  t.deepEqual(capped.body.warnings, ['TTL "2h0m0s" is longer than permitted maxTTL "1h0m0s", so maxTTL is being used']);
  const leased = await issue('leased', { common_name: 'anything.test' });
  t.regex(leased.body.lease_id, /^pki\/issue\/leased\//);
  t.like(leased.body, { lease_duration: 600, renewable: false });
  t.like(vault.stats().leases, { issued: 1, active: 1 });
});
