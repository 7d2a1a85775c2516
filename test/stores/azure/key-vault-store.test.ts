// The azure-kv store against the Entra ID and Key Vault fakes, driven through the real @azure/identity and Key Vault SDKs.
import test from 'ava';
import { status } from '@grpc/grpc-js';
import { azureFixture, textOf, VAULT } from './azure-fixture.ts';

test('reads a secret with the pod\'s workload identity from the ServiceAccount annotations', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  const secret = vault.setSecret('db-password', 's3cret');
  const results = await store.fetch([request('secrets/db-password')], await context());
  t.is(textOf(results[0]), 's3cret');
  t.deepEqual(results[0]?.ok ? results[0].version : '', secret.version);
  const counts = world.counts();
  t.is(counts.tokenRequests, 1);
  t.is(counts.challenges, 1);
  t.deepEqual(counts.vaultReadsByObject, { [`${VAULT}/secrets/db-password`]: 1 });
});

test('pays one token request and one challenge per identity, not per fetch', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  vault.setSecret('a', '1');
  vault.setSecret('b', '2');
  for (let round = 0; round < 5; round += 1) {
    const results = await store.fetch([request('secrets/a'), request('secrets/b')], await context());
    t.deepEqual(results.map(textOf), ['1', '2']);
  }
  const counts = world.counts();
  t.is(counts.tokenRequests, 1);
  t.is(counts.challenges, 1);
  t.is(counts.vaultReads, 10);
});

test('gives pods of one ServiceAccount the same identity key and another ServiceAccount its own', async (t) => {
  const { world, store, request, context } = await azureFixture(t);
  world.workloadIdentity('team-b', 'api');
  const a = await store.identityKey(request('secrets/a'), await context('team-a', 'app'));
  const again = await store.identityKey(request('secrets/a'), await context('team-a', 'app'));
  const settings = { tenantID: world.tenantId, clientID: '00000000-0000-4000-8000-000000000001' };
  const b = await store.identityKey(request('secrets/a', { storeParams: settings }), await context('team-b', 'api'));
  t.is(a, again);
  t.not(a, b);
  t.true(b.includes('team-b'));
});

test('fails with the tokenRequests hint when the driver sent no token for the workload identity audience', async (t) => {
  const { store, request, context } = await azureFixture(t);
  const error = await t.throwsAsync(store.identityKey(request('secrets/a'), { ...(await context()), tokens: new Map() }));
  t.is(error?.message, 'azure-kv needs the pod\'s service-account token for audience "api://AzureADTokenExchange", but the request carried no service-account tokens; add {audience: "api://AzureADTokenExchange"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver');
});

test('reports a missing secret as NOT_FOUND naming it and the vault', async (t) => {
  const { store, request, context } = await azureFixture(t);
  const [result] = await store.fetch([request('secrets/nope')], await context());
  t.false(result?.ok);
  if (result?.ok !== false) return;
  t.is(result.error.grpcCode, status.NOT_FOUND);
  t.regex(result.error.message, /^secret "nope" in key vault courier-kv does not exist \(Key Vault said: A secret with \(name\/id\) nope was not found in this key vault\./);
});
