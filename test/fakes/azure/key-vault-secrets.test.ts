// The Key Vault fake's secrets, driven by the real SecretClient through the challenge, tokens, access control and faults.
import test from 'ava';
import { SecretClient } from '@azure/keyvault-secrets';
import { ClientSecretCredential } from '@azure/identity';
import { startAzureWorld } from './azure-world.ts';
import { FAST_RETRIES, podCredential, podWithVault, rawGet } from './sdk-clients.ts';

/** The fields of the SDK's RestError a store maps (read structurally: the class lives in a transitive package). */
function restError(thrown: unknown): { statusCode?: number; code?: string; message: string; inner?: string } {
  const error = thrown as { name?: string; statusCode?: number; code?: string; message: string; details?: { error?: { innerError?: { code?: string } } } };
  if (error.name !== 'RestError') throw new Error(`not a RestError: ${String(thrown)}`);
  const inner = error.details?.error?.innerError?.code;
  return { ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }), ...(error.code === undefined ? {} : { code: error.code }), message: error.message, ...(inner ? { inner } : {}) };
}

test('SecretClient reads the latest and a pinned version after one challenge and one token', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets, application } = podWithVault(world);
  const first = vault.setSecret('db-password', 'hunter2', { contentType: 'text/plain', tags: { team: 'a' } });
  vault.setSecret('db-password', 'hunter3');
  const latest = await secrets.getSecret('db-password');
  const pinned = await secrets.getSecret('db-password', { version: first.version });
  t.is(latest.value, 'hunter3');
  t.is(pinned.value, 'hunter2');
  t.like(pinned.properties, { name: 'db-password', version: first.version, enabled: true, contentType: 'text/plain', tags: { team: 'a' }, vaultUrl: 'https://courier-kv.vault.azure.net' });
  t.is(pinned.properties.id, `https://courier-kv.vault.azure.net/secrets/db-password/${first.version}`);
  t.true(pinned.properties.createdOn instanceof Date);
  t.is(world.keyVault.countChallenges('courier-kv'), 1);
  t.is(world.keyVault.countGets({ name: 'db-password', principal: application.objectId, status: 200 }), 2);
  t.is(world.keyVault.countGets({ name: 'db-password', version: first.version }), 1);
  t.is(world.entra.countTokenRequests({ clientId: application.clientId }), 1);
  t.regex(world.keyVault.requests[0]?.apiVersion ?? '', /^\d{4}-\d{2}-\d{2}$/);
});

test('listPropertiesOfSecretVersions follows nextLink across pages of 25', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  const made = Array.from({ length: 30 }, (_, index) => vault.setSecret('rotating', `value-${index}`).version);
  vault.setEnabled('secrets', 'rotating', made[3] ?? '', false);
  const listed: Array<{ version: string | undefined; enabled: boolean | undefined }> = [];
  for await (const properties of secrets.listPropertiesOfSecretVersions('rotating')) listed.push({ version: properties.version, enabled: properties.enabled });
  t.deepEqual(listed.map((item) => item.version), made);
  t.deepEqual(listed.filter((item) => item.enabled === false).map((item) => item.version), [made[3]]);
  t.is(world.keyVault.countGets({ operation: 'list', status: 200 }), 2);
});

test('a disabled version answers 403 Forbidden with SecretDisabled', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  vault.setSecret('old', 'v1');
  vault.setEnabled('secrets', 'old', '', false);
  const error = restError(await t.throwsAsync(secrets.getSecret('old')));
  t.deepEqual(error, { statusCode: 403, code: 'Forbidden', message: 'Operation get is not allowed on a disabled secret.', inner: 'SecretDisabled' });
});

test('expired and not-yet-valid secrets are still served with their dates, as Key Vault documents', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  const expiresOn = new Date(Date.now() - 3_600_000);
  const notBefore = new Date(Date.now() + 3_600_000);
  vault.setSecret('stale', 'still-here', { expiresOn });
  vault.setSecret('early', 'already-here', { notBefore });
  const stale = await secrets.getSecret('stale');
  t.is(stale.value, 'still-here');
  t.is(stale.properties.expiresOn?.getTime(), Math.floor(expiresOn.getTime() / 1000) * 1000);
  const early = await secrets.getSecret('early');
  t.is(early.value, 'already-here');
  t.is(early.properties.notBefore?.getTime(), Math.floor(notBefore.getTime() / 1000) * 1000);
});

test('a missing secret and a missing version answer 404 SecretNotFound naming them', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  vault.setSecret('present', 'x');
  const missing = restError(await t.throwsAsync(secrets.getSecret('absent')));
  t.like(missing, { statusCode: 404, code: 'SecretNotFound' });
  t.regex(missing.message, /^A secret with \(name\/id\) absent was not found in this key vault\./);
  const version = restError(await t.throwsAsync(secrets.getSecret('present', { version: '0123456789abcdef0123456789abcdef' })));
  t.regex(version.message, /^A secret with \(name\/id\) present\/0123456789abcdef0123456789abcdef was not found/);
});

test('an identity without an access policy gets 403 AccessDenied naming it and the vault', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, application } = podWithVault(world, { keys: ['get'] });
  vault.setSecret('db-password', 'hunter2');
  const client = new SecretClient(vault.url, podCredential(world, application, 'team-a', 'app'), { ...world.clientOptions, ...FAST_RETRIES });
  const error = restError(await t.throwsAsync(client.getSecret('db-password')));
  t.like(error, { statusCode: 403, code: 'Forbidden', inner: 'AccessDenied' });
  t.true(
    error.message.startsWith(
      `The user, group or application 'appid=${application.clientId};oid=${application.objectId};iss=https://sts.windows.net/${world.tenantId}/' does not have secrets get permission on key vault 'courier-kv;location=westeurope'.`,
    ),
  );
});

test('with RBAC a role assigned on one secret grants that secret only', async (t) => {
  const world = await startAzureWorld(t);
  const application = world.workloadIdentity('team-a', 'app');
  const vault = world.vault('courier-rbac', { authorization: 'rbac' });
  vault.assignRole(application.objectId, 'Key Vault Secrets User', { kind: 'secrets', name: 'mine' });
  vault.setSecret('mine', 'ok');
  vault.setSecret('theirs', 'no');
  const client = new SecretClient(vault.url, podCredential(world, application, 'team-a', 'app'), { ...world.clientOptions, ...FAST_RETRIES });
  t.is((await client.getSecret('mine')).value, 'ok');
  const error = restError(await t.throwsAsync(client.getSecret('theirs')));
  t.like(error, { statusCode: 403, code: 'Forbidden', inner: 'ForbiddenByRbac' });
  t.true(error.message.includes(`Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`));
  t.true(error.message.includes(`/providers/microsoft.keyvault/vaults/courier-rbac/secrets/theirs'`));
});

test('a 429 with Retry-After is waited out by the SDK before it reads again', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  vault.setSecret('busy', 'finally');
  await secrets.getSecret('busy');
  const fault = world.keyVault.faults.inject({ path: '/secrets/busy', status: 429, retryAfterSeconds: 1 });
  const started = Date.now();
  t.is((await secrets.getSecret('busy')).value, 'finally');
  t.true(Date.now() - started >= 950, `took ${Date.now() - started} ms`);
  t.is(fault.fired, 1);
  t.deepEqual(world.keyVault.requests.slice(-2).map((record) => [record.status, record.injected ?? false]), [[429, true], [200, false]]);
});

test('an injected 500 surfaces as InternalServerError once retries are spent', async (t) => {
  const world = await startAzureWorld(t);
  const application = world.workloadIdentity('team-a', 'app');
  const vault = world.vault('courier-kv');
  vault.allow({ objectId: application.objectId, secrets: ['get'] });
  vault.setSecret('flaky', 'x');
  world.keyVault.faults.inject({ path: '/secrets/flaky', status: 500, times: Infinity });
  const client = new SecretClient(vault.url, podCredential(world, application, 'team-a', 'app'), { ...world.clientOptions, retryOptions: { maxRetries: 1, retryDelayInMs: 10 } });
  t.like(restError(await t.throwsAsync(client.getSecret('flaky'))), { statusCode: 500, code: 'InternalServerError' });
  t.is(world.keyVault.requests.filter((record) => record.injected).length, 2);
});

test('the challenge names the vault’s tenant and its cloud’s resource', async (t) => {
  const world = await startAzureWorld(t);
  world.vault('courier-kv');
  const reply = await rawGet(world, 'https://courier-kv.vault.azure.net/secrets/x?api-version=7.6');
  t.is(reply.status, 401);
  t.is(reply.headers['www-authenticate'], `Bearer authorization="https://login.microsoftonline.com/${world.tenantId}", resource="https://vault.azure.net"`);
  t.deepEqual(reply.body, { error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' } });
});

test('the vault refuses tokens of another tenant (AKV10032) and of another cloud’s Key Vault (AKV10022)', async (t) => {
  const world = await startAzureWorld(t);
  world.vault('courier-kv');
  const otherTenant = world.entra.directory.addTenant();
  const stranger = world.servicePrincipal({ tenantId: otherTenant });
  const strangerToken = (await new ClientSecretCredential(otherTenant, stranger.clientId, stranger.secret, world.clientOptions).getToken('https://vault.azure.net/.default')).token;
  const issuer = await rawGet(world, 'https://courier-kv.vault.azure.net/secrets/x?api-version=7.6', strangerToken);
  t.is(issuer.status, 401);
  t.deepEqual(issuer.body, { error: { code: 'Unauthorized', message: `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${world.tenantId}/, found https://sts.windows.net/${otherTenant}/.` } });
  const local = world.servicePrincipal();
  const chinaCredential = new ClientSecretCredential(world.tenantId, local.clientId, local.secret, { ...world.clientOptions, authorityHost: world.authorityHost('AzureChinaCloud') });
  const chinaToken = (await chinaCredential.getToken('https://vault.azure.cn/.default')).token;
  const audience = await rawGet(world, 'https://courier-kv.vault.azure.net/secrets/x?api-version=7.6', chinaToken);
  t.deepEqual(audience.body, { error: { code: 'Unauthorized', message: 'AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://vault.azure.cn.' } });
});

test('a vault name that does not exist fails as DNS would, with ENOTFOUND', async (t) => {
  const world = await startAzureWorld(t);
  const application = world.workloadIdentity('team-a', 'app');
  const client = new SecretClient('https://no-such-vault.vault.azure.net', podCredential(world, application, 'team-a', 'app'), { ...world.clientOptions, retryOptions: { maxRetries: 0 } });
  t.like(restError(await t.throwsAsync(client.getSecret('x'))), { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND no-such-vault.vault.azure.net' });
  t.is(world.keyVault.requests.length, 0);
});
