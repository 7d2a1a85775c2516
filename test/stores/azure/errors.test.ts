// Key Vault and Entra ID failures as Courier errors: the code the fetch layer acts on, and a message that names the object, the identity and the fix.
import test from 'ava';
import { status } from '@grpc/grpc-js';
import { ThrottledError } from '../../../src/errors/courier-error.ts';
import { azureFixture, textOf, VAULT } from './azure-fixture.ts';

test('names the access policy permission a principal lacks', async (t) => {
  const { world, vault, store, request, context, accounts } = await azureFixture(t);
  const web = world.workloadIdentity('team-b', 'web');
  Object.assign(accounts, { annotations: () => Promise.resolve({ 'azure.workload.identity/client-id': web.clientId, 'azure.workload.identity/tenant-id': web.tenantId }) });
  vault.setSecret('db', 'x');
  const [result] = await store.fetch([request('secrets/db')], await context('team-b', 'web'));
  t.is(result?.ok === false ? result.error.grpcCode : 0, status.PERMISSION_DENIED);
  t.true(textOf(result).startsWith(`error: key vault courier-kv denied workload identity ${web.clientId} of team-b/web (tenant ${web.tenantId}) reading secret "db" in key vault courier-kv by its access policies; give it the secrets permission "Get" in the vault's access policy (Key Vault said: The user, group or application 'appid=${web.clientId};oid=${web.objectId};`), textOf(result));
});

test('names the RBAC role a principal lacks', async (t) => {
  const { world, app, store, request, context } = await azureFixture(t);
  const rbac = world.vault('courier-rbac', { authorization: 'rbac' });
  rbac.addKey('signing', { kty: 'RSA' });
  const [result] = await store.fetch([request('courier-rbac/keys/signing')], await context());
  t.true(textOf(result).startsWith(`error: key vault courier-rbac (Azure RBAC) denied workload identity ${app.clientId} of team-a/app (tenant ${app.tenantId}) reading key "signing" in key vault courier-rbac; assign it the role "Key Vault Crypto User" on the vault or on the key (Key Vault said: Caller is not authorized to perform action on resource.`), textOf(result));
  rbac.assignRole(app.objectId, 'Key Vault Crypto User', { kind: 'keys', name: 'signing' });
  const [granted] = await store.fetch([request('courier-rbac/keys/signing')], await context());
  t.true(granted?.ok);
});

test('passes Key Vault\'s Retry-After on to the fetch layer with a throttled read', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  vault.setSecret('db', 'x');
  await store.fetch([request('secrets/db')], await context());
  world.keyVault.faults.inject({ status: 429, retryAfterSeconds: 7, path: '/secrets/db' });
  const [result] = await store.fetch([request('secrets/db')], await context());
  if (result?.ok !== false || !(result.error instanceof ThrottledError)) return t.fail(textOf(result));
  t.is(result.error.retryAfterMs, 7_000);
  t.is(result.error.message, 'key vault courier-kv throttled reading secret "db" in key vault courier-kv (Key Vault allows about 2,000 reads per 10 s per vault)');
  t.is(world.keyVault.requests.filter((record) => record.injected).length, 1, 'the SDK did not retry by itself');
});

test('reports a vault outage as UNAVAILABLE, which the fetch layer retries', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  vault.setSecret('db', 'x');
  world.keyVault.faults.inject({ status: 503, path: '/secrets/db' });
  const [result] = await store.fetch([request('secrets/db')], await context());
  t.is(result?.ok === false ? result.error.grpcCode : 0, status.UNAVAILABLE);
});

test('rebuilds the identity\'s credential once when Key Vault refuses its token', async (t) => {
  const { world, vault, store, request, context, registry } = await azureFixture(t);
  vault.setSecret('db', 'x');
  await store.fetch([request('secrets/db')], await context());
  world.keyVault.faults.inject({ status: 401, path: '/secrets/db' });
  const [result] = await store.fetch([request('secrets/db')], await context());
  t.is(textOf(result), 'x');
  t.is(world.counts().tokenRequests, 2);
  t.regex(await registry.metrics(), /courier_azure_session_rebuilds_total\{identity="workload"\} 1/);
  world.keyVault.faults.inject({ status: 401, path: '/secrets/db', times: 2 });
  const [refused] = await store.fetch([request('secrets/db')], await context());
  t.is(refused?.ok === false ? refused.error.grpcCode : 0, status.UNAUTHENTICATED, 'once, not in a loop');
});

test('tells the administrator which federated credential is missing', async (t) => {
  const { world, app, vault, store, request, context, accounts } = await azureFixture(t);
  vault.setSecret('db', 'x');
  Object.assign(accounts, { annotations: () => Promise.resolve({ 'azure.workload.identity/client-id': app.clientId, 'azure.workload.identity/tenant-id': app.tenantId }) });
  const [result] = await store.fetch([request('secrets/db')], await context('team-b', 'web'));
  t.is(result?.ok === false ? result.error.grpcCode : 0, status.UNAUTHENTICATED);
  t.is(
    textOf(result),
    `error: Entra ID refused a token to workload identity ${app.clientId} of team-b/web (tenant ${app.tenantId}): AADSTS700213: No matching federated identity record found for presented assertion subject 'system:serviceaccount:team-b:web'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation; add a federated identity credential to client ${app.clientId} with issuer "${world.cluster.issuer}", subject "system:serviceaccount:team-b:web" and audience "api://AzureADTokenExchange"`,
  );
});

test('says when the vault is in another tenant than the identity', async (t) => {
  const { world, store, request, context } = await azureFixture(t);
  const tenant = world.entra.directory.addTenant();
  const elsewhere = world.workloadIdentity('team-a', 'app', { tenantId: tenant });
  const [result] = await store.fetch([request('secrets/db', { storeParams: { clientID: elsewhere.clientId, tenantID: tenant } })], await context());
  t.is(textOf(result), `error: the key vault belongs to tenant ${world.tenantId}, not to the tenant of workload identity ${elsewhere.clientId} of team-a/app (tenant ${tenant}); set tenantID to ${world.tenantId}, with a client ID of that tenant`);
  t.is(result?.ok === false ? result.error.grpcCode : 0, status.PERMISSION_DENIED);
});

test('bounds a hung Key Vault call by the call timeout, and a passed deadline is DEADLINE_EXCEEDED', async (t) => {
  const { world, vault, newStore, request, context } = await azureFixture(t);
  vault.setSecret('db', 'x');
  const store = newStore({ seams: { timeoutMs: 3_000 } });
  const [warm] = await store.fetch([request('secrets/db')], await context());
  t.is(textOf(warm), 'x', 'the token and the challenge are in place before the fault');
  world.keyVault.faults.inject({ delayMs: 8_000, path: '/secrets/db' });
  const [slow] = await store.fetch([request('secrets/db')], await context());
  t.is(textOf(slow), 'error: key vault courier-kv did not answer in time for secret "db" in key vault courier-kv');
  t.is(slow?.ok === false ? slow.error.grpcCode : 0, status.UNAVAILABLE);
  world.keyVault.faults.inject({ delayMs: 2_000, path: '/secrets/db' });
  const [late] = await newStore().fetch([request('secrets/db')], { ...(await context()), signal: AbortSignal.timeout(200) });
  t.is(late?.ok === false ? late.error.grpcCode : 0, status.DEADLINE_EXCEEDED);
});

test('reports a vault name that does not resolve as UNAVAILABLE with what to check', async (t) => {
  const { store, request, context } = await azureFixture(t);
  const [result] = await store.fetch([request('no-such-vault/secrets/db')], await context());
  t.is(textOf(result), 'error: no-such-vault.vault.azure.net does not resolve (ENOTFOUND) for secret "db" in key vault no-such-vault: check keyvaultName and cloudName, and the node\'s DNS for private endpoints');
  t.is(codeOf(result), status.UNAVAILABLE);
});

function codeOf(result: { ok: boolean; error?: { grpcCode: number } } | undefined): number {
  return result?.ok === false ? (result.error?.grpcCode ?? 0) : 0;
}

test('counts Key Vault calls by object type, operation and outcome', async (t) => {
  const { vault, store, request, context, registry } = await azureFixture(t);
  vault.setSecret('db', 'x');
  await store.fetch([request('secrets/db'), request('secrets/none'), request('secrets/db', { storeParams: { versionIndex: '0' } })], await context());
  const metrics = await registry.metrics();
  t.regex(metrics, /courier_azure_key_vault_requests_total\{object_type="secret",operation="get",outcome="ok"\} 2/);
  t.regex(metrics, /courier_azure_key_vault_requests_total\{object_type="secret",operation="get",outcome="not_found"\} 1/);
  t.regex(metrics, /courier_azure_key_vault_requests_total\{object_type="secret",operation="list",outcome="ok"\} 1/);
  t.regex(metrics, /courier_azure_token_requests_total\{identity="workload",outcome="ok"\} 1/);
  t.regex(metrics, /courier_token_exchanges_total\{store="azure",kind="workload_identity",outcome="ok"\} 1/);
  t.false(metrics.includes(VAULT), 'no vault or object names in labels');
});
