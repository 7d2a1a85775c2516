// The Entra ID fake, driven by the real @azure/identity credentials (MSAL Node underneath).
import test, { type ExecutionContext } from 'ava';
import { ClientAssertionCredential, ClientSecretCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import { startAzureWorld, type AzureWorld } from './azure-world.ts';
import { ClusterIssuer } from './cluster-issuer.ts';

const VAULT_SCOPE = 'https://vault.azure.net/.default';

async function podCredential(world: AzureWorld, clientId: string, token: () => Promise<string>, options: object = {}): Promise<ClientAssertionCredential> {
  return Promise.resolve(new ClientAssertionCredential(world.tenantId, clientId, token, { ...world.clientOptions, ...options }));
}

test('ClientAssertionCredential trades a pod token for a Key Vault access token naming the identity', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const credential = await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'));
  const { token, expiresOnTimestamp } = await credential.getToken(VAULT_SCOPE);
  const claims = decodeJwt(token);
  t.like(claims, { aud: 'https://vault.azure.net', tid: world.tenantId, oid: app.objectId, appid: app.clientId, iss: `https://sts.windows.net/${world.tenantId}/`, ver: '1.0' });
  t.true(Math.abs(expiresOnTimestamp - (Date.now() + 3599_000)) < 10_000);
  t.deepEqual(world.entra.tokenRequests, [
    { host: 'login.microsoftonline.com', tenantId: world.tenantId, clientId: app.clientId, grant: 'client_assertion', scope: VAULT_SCOPE, subject: 'system:serviceaccount:team-a:app', status: 200 },
  ]);
});

test('MSAL reads no discovery document for the public cloud, and caches the token per credential', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const credential = await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'));
  await credential.getToken(VAULT_SCOPE);
  await credential.getToken(VAULT_SCOPE);
  t.is(world.entra.countTokenRequests({ clientId: app.clientId }), 1);
  t.deepEqual(world.entra.discoveryRequests, []);
});

test('ClientSecretCredential gets a token with the service principal’s secret', async (t) => {
  const world = await startAzureWorld(t);
  const principal = world.servicePrincipal();
  const credential = new ClientSecretCredential(world.tenantId, principal.clientId, principal.secret, world.clientOptions);
  const claims = decodeJwt((await credential.getToken(VAULT_SCOPE)).token);
  t.like(claims, { oid: principal.objectId, appid: principal.clientId, appidacr: '1' });
  t.is(world.entra.countTokenRequests({ grant: 'client_secret', status: 200 }), 1);
});

interface Refusal {
  /** Builds the credential that must be refused. */
  readonly credential: (world: AzureWorld, clientId: string) => Promise<ClientAssertionCredential | ClientSecretCredential>;
  readonly aadsts: number;
  readonly error: string;
  readonly status: number;
  readonly text: RegExp;
}

const refused = test.macro({
  async exec(t: ExecutionContext, refusal: Refusal) {
    const world = await startAzureWorld(t);
    const app = world.workloadIdentity('team-a', 'app');
    const credential = await refusal.credential(world, app.clientId);
    const error = await t.throwsAsync(credential.getToken(VAULT_SCOPE));
    t.regex(error?.message ?? '', new RegExp(`${refusal.error}: .*AADSTS${refusal.aadsts}: `));
    t.regex(error?.message ?? '', refusal.text);
    t.like(world.entra.tokenRequests.at(-1), { status: refusal.status, aadsts: refusal.aadsts });
  },
  title: (provided = '') => `Entra ID refuses ${provided}`,
});

test('a pod of another service account with AADSTS700213', refused, {
  credential: (world, clientId) => podCredential(world, clientId, () => world.podToken('team-a', 'other')),
  aadsts: 700213,
  error: 'invalid_client',
  status: 401,
  text: /presented assertion subject 'system:serviceaccount:team-a:other'/,
});

test('a token from an issuer the application does not trust with AADSTS700211', refused, {
  credential: (world, clientId) => {
    const stranger = new ClusterIssuer('https://oidc.elsewhere.test/cluster-9');
    return podCredential(world, clientId, () => stranger.token({ namespace: 'team-a', serviceAccount: 'app' }));
  },
  aadsts: 700211,
  error: 'invalid_client',
  status: 401,
  text: /presented assertion issuer 'https:\/\/oidc.elsewhere.test\/cluster-9'/,
});

test('a token for another audience with AADSTS700212', refused, {
  credential: (world, clientId) => podCredential(world, clientId, () => world.podToken('team-a', 'app', { audience: 'sts.amazonaws.com' })),
  aadsts: 700212,
  error: 'invalid_client',
  status: 401,
  text: /presented assertion audience 'sts.amazonaws.com'/,
});

test('an expired pod token with AADSTS700024', refused, {
  credential: (world, clientId) => podCredential(world, clientId, () => world.podToken('team-a', 'app', { expiresInSeconds: -120 })),
  aadsts: 700024,
  error: 'invalid_client',
  status: 401,
  text: /Client assertion is not within its valid time range/,
});

test('a token signed by a key the issuer does not publish with AADSTS700027', refused, {
  credential: (world, clientId) => {
    const forger = new ClusterIssuer(world.cluster.issuer);
    return podCredential(world, clientId, () => forger.token({ namespace: 'team-a', serviceAccount: 'app' }));
  },
  aadsts: 700027,
  error: 'invalid_client',
  status: 401,
  text: /Client assertion failed signature validation/,
});

test('an unknown client ID with AADSTS700016', refused, {
  credential: (world) => podCredential(world, '00000000-0000-4000-8000-000000000001', () => world.podToken('team-a', 'app')),
  aadsts: 700016,
  error: 'unauthorized_client',
  status: 400,
  text: /Application with identifier '00000000-0000-4000-8000-000000000001' was not found in the directory/,
});

test('an unknown tenant with AADSTS90002', refused, {
  credential: (world, clientId) => Promise.resolve(new ClientAssertionCredential('11111111-2222-4333-8444-555555555555', clientId, () => world.podToken('team-a', 'app'), world.clientOptions)),
  aadsts: 90002,
  error: 'invalid_request',
  status: 400,
  text: /Tenant '11111111-2222-4333-8444-555555555555' not found/,
});

test('a wrong client secret with AADSTS7000215', refused, {
  credential: (world) => {
    const principal = world.servicePrincipal();
    return Promise.resolve(new ClientSecretCredential(world.tenantId, principal.clientId, 'not-the-secret', world.clientOptions));
  },
  aadsts: 7000215,
  error: 'invalid_client',
  status: 401,
  text: /Invalid client secret provided/,
});

test('for the China cloud MSAL sends the token request to login.partner.microsoftonline.cn without discovery', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const credential = await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'), { authorityHost: world.authorityHost('AzureChinaCloud') });
  const claims = decodeJwt((await credential.getToken('https://vault.azure.cn/.default')).token);
  t.is(claims.aud, 'https://vault.azure.cn');
  t.deepEqual(world.entra.discoveryRequests, []);
  t.is(world.entra.countTokenRequests({ host: 'login.partner.microsoftonline.cn', status: 200 }), 1);
});

test('a cloud’s Entra ID issues no token for another cloud’s Key Vault', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const credential = await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'));
  const error = await t.throwsAsync(credential.getToken('https://vault.azure.cn/.default'));
  t.regex(error?.message ?? '', /AADSTS500011: The resource principal named https:\/\/vault.azure.cn was not found/);
});

test('a custom authority host goes through instance discovery unless the credential turns it off', async (t) => {
  const world = await startAzureWorld(t, { extraEntraHosts: ['login.courier.test'] });
  const app = world.workloadIdentity('team-a', 'app');
  const options = { authorityHost: 'https://login.courier.test' };
  await (await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'), options)).getToken(VAULT_SCOPE);
  t.deepEqual(world.entra.discoveryRequests.map((record) => `${record.kind}@${record.host}`), ['instance-discovery@login.microsoftonline.com', 'openid-configuration@login.courier.test']);
  world.entra.discoveryRequests.length = 0;
  await (await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'), { ...options, disableInstanceDiscovery: true })).getToken(VAULT_SCOPE);
  t.deepEqual(world.entra.discoveryRequests.map((record) => record.kind), ['openid-configuration']);
});

test('an injected 429 with Retry-After is retried by the credential and counted', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  const fault = world.entra.faults.inject({ path: '/oauth2/v2.0/token', status: 429, retryAfterSeconds: 1 });
  const started = Date.now();
  const credential = await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'));
  await credential.getToken(VAULT_SCOPE);
  t.true(Date.now() - started >= 900, `took ${Date.now() - started} ms`);
  t.is(fault.fired, 1);
  t.deepEqual(world.entra.tokenRequests.map((record) => record.status), [429, 200]);
});

test('a delay fault holds the token endpoint’s answer', async (t) => {
  const world = await startAzureWorld(t);
  const app = world.workloadIdentity('team-a', 'app');
  world.entra.faults.inject({ path: '/oauth2/v2.0/token', delayMs: 300 });
  const started = Date.now();
  await (await podCredential(world, app.clientId, () => world.podToken('team-a', 'app'))).getToken(VAULT_SCOPE);
  t.true(Date.now() - started >= 300);
  t.is(world.entra.countTokenRequests({ status: 200 }), 1);
});
