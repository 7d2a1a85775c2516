// Whom the azure-kv store reads as: workload identity from the class or the ServiceAccount, a service principal from the pod's Secret, the node only when allowed.
import test from 'ava';
import { status } from '@grpc/grpc-js';
import { CourierError } from '../../../src/errors/courier-error.ts';
import { azureFixture, textOf } from './azure-fixture.ts';

test('takes the client ID from the class before the ServiceAccount annotation', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  const other = world.workloadIdentity('team-a', 'app');
  vault.allow({ objectId: other.objectId, secrets: ['get'] });
  vault.setSecret('db', 'v');
  const key = await store.identityKey(request('secrets/db', { storeParams: { clientID: other.clientId, tenantID: other.tenantId } }), await context());
  t.true(key.includes(other.clientId));
  const [result] = await store.fetch([request('secrets/db', { storeParams: { clientID: other.clientId, tenantID: other.tenantId } })], await context());
  t.is(textOf(result), 'v');
  t.deepEqual(Object.keys(world.counts().tokenRequestsByClient), [other.clientId]);
});

test('takes the tenant from --azure-tenant-id when neither the class nor the ServiceAccount names one', async (t) => {
  const { world, newStore, request, context } = await azureFixture(t);
  const web = world.workloadIdentity('team-b', 'web');
  const store = newStore({ flags: { tenantId: world.tenantId } });
  const key = await store.identityKey(request('secrets/db', { storeParams: { clientID: web.clientId } }), await context('team-b', 'web'));
  t.is(key, JSON.stringify(['workload', 'AzurePublicCloud', 'https://login.microsoftonline.com', world.tenantId, web.clientId, 'team-b', 'web']));
});

test('says where the client ID can come from when none is set', async (t) => {
  const { world, store, request, context } = await azureFixture(t);
  world.workloadIdentity('team-b', 'web');
  const error = await t.throwsAsync(store.identityKey(request('secrets/db'), await context('team-b', 'web')));
  t.is(error?.message, 'azure-kv has no client ID for ServiceAccount team-b/web: set clientID in the SecretProviderClass, annotate the ServiceAccount with azure.workload.identity/client-id, or give the pod a nodePublishSecretRef Secret with clientid and clientsecret');
  t.is((error as CourierError).grpcCode, status.UNAUTHENTICATED);
});

test('says where the tenant can come from when none is set', async (t) => {
  const { store, request, context } = await azureFixture(t);
  const error = await t.throwsAsync(store.identityKey(request('secrets/db', { storeParams: { clientID: '00000000-0000-4000-8000-000000000009' } }), await context('team-b', 'web')));
  t.is(error?.message, 'azure-kv has no tenant for ServiceAccount team-b/web: set tenantID in the SecretProviderClass, annotate the ServiceAccount with azure.workload.identity/tenant-id, or start Courier with --azure-tenant-id');
});

test('refuses a token that belongs to another ServiceAccount before anything is read', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  vault.setSecret('db', 'v');
  const foreign = await context('team-b', 'web');
  const error = await t.throwsAsync(store.identityKey(request('secrets/db'), { ...(await context()), tokens: foreign.tokens }));
  t.is(error?.message, 'the token for audience "api://AzureADTokenExchange" belongs to team-b/web, but the request is for team-a/app (csi.storage.k8s.io/pod.namespace, csi.storage.k8s.io/serviceAccount.name)');
  t.is(world.counts().tokenRequests, 0);
});

test('reads with a service principal from the nodePublishSecretRef Secret, keyed by a hash of its secret', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  const principal = world.servicePrincipal({ secret: 'correct horse' });
  vault.allow({ objectId: principal.objectId, secrets: ['get'] });
  vault.setSecret('db', 'from-sp');
  const settings = { storeParams: { tenantID: principal.tenantId } };
  const pod = await context('team-c', 'no-token', { tokens: new Map(), secrets: { clientid: principal.clientId, ClientSecret: 'correct horse' } });
  const key = await store.identityKey(request('secrets/db', settings), pod);
  t.false(key.includes('correct horse'));
  const [result] = await store.fetch([request('secrets/db', settings)], pod);
  t.is(textOf(result), 'from-sp');
  const other = await store.identityKey(request('secrets/db', settings), { ...pod, secrets: { clientid: principal.clientId, clientsecret: 'wrong' } });
  t.not(other, key, 'a pod with another secret does not share cached values');
  const [refused] = await store.fetch([request('secrets/db', settings)], { ...pod, secrets: { clientid: principal.clientId, clientsecret: 'wrong' } });
  t.regex(textOf(refused), /^error: Entra ID refused a token to service principal .* AADSTS7000215: Invalid client secret provided\..*; the nodePublishSecretRef Secret's clientsecret is not a current client secret of the service principal; put the secret value \(not its ID\) there$/);
});

test('names the missing half of a service principal in the nodePublishSecretRef Secret', async (t) => {
  const { world, store, request, context } = await azureFixture(t);
  const pod = await context('team-c', 'x', { secrets: { clientsecret: 'shh' } });
  const error = await t.throwsAsync(store.identityKey(request('secrets/db', { storeParams: { tenantID: world.tenantId } }), pod));
  t.is(error?.message, 'nodePublishSecretRef: the nodePublishSecretRef Secret has a clientsecret but no clientid; add the service principal\'s client ID under clientid');
});

test('refuses the node\'s managed identity unless the administrator allowed provider identity', async (t) => {
  const { store, newStore, request, context } = await azureFixture(t);
  const asked = request('secrets/db', { storeParams: { useVMManagedIdentity: 'true' } });
  const error = await t.throwsAsync(store.identityKey(asked, await context()));
  t.is((error as CourierError).grpcCode, status.INVALID_ARGUMENT);
  t.true(error?.message.startsWith('useVMManagedIdentity: useVMManagedIdentity reads Key Vault with the node\'s managed identity, which every pod on the node could then use; this Courier does not allow it (the administrator can start it with --allow-provider-identity)'));
  const allowed = newStore({ allowProviderIdentity: true });
  const key = await allowed.identityKey(request('secrets/db', { storeParams: { useVMManagedIdentity: 'true', userAssignedIdentityID: '00000000-0000-4000-8000-000000000005' } }), await context());
  t.is(key, JSON.stringify(['managed-identity', 'AzurePublicCloud', '00000000-0000-4000-8000-000000000005']));
});

test('refuses a ServiceAccount annotation that is not a client ID', async (t) => {
  const { store, accounts, request, context } = await azureFixture(t);
  Object.assign(accounts, { annotations: () => Promise.resolve({ 'azure.workload.identity/client-id': 'my-app' }) });
  const error = await t.throwsAsync(store.identityKey(request('secrets/db'), await context()));
  t.is(error?.message, 'ServiceAccount team-a/app has annotation azure.workload.identity/client-id: "my-app" is not a client ID (a GUID such as 00000000-0000-0000-0000-000000000000)');
});
