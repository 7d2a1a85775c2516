// What each Key Vault object becomes: secrets as stored, keys' public PEM, certificates' leaf PEM, a certificate's secret as PKCS#8 key and ordered chain, or its PFX.
import test from 'ava';
import { status } from '@grpc/grpc-js';
import { generateChain, toPemBundle, type ChainOrder } from '../../fakes/azure/material-chain.ts';
import { generateKeyMaterial, type KeySpec } from '../../fakes/azure/material-keys.ts';
import { azureFixture, textOf } from './azure-fixture.ts';

const publicKey = test.macro({
  async exec(t, spec: KeySpec) {
    const { vault, store, request, context } = await azureFixture(t);
    const material = generateKeyMaterial(spec);
    const key = vault.addKey('signing', material);
    const [result] = await store.fetch([request('keys/signing')], await context());
    t.is(textOf(result), material.publicKeyPem);
    t.is(result?.ok ? result.version : '', key.version);
  },
  title: (_given, spec: KeySpec) => `writes the public key of ${spec.kty === 'RSA' ? 'an RSA' : `an EC ${spec.curve}`} key as SPKI PEM`,
});

test(publicKey, { kty: 'RSA' });
test(publicKey, { kty: 'EC', curve: 'P-256' });
test(publicKey, { kty: 'EC', curve: 'P-384' });
test(publicKey, { kty: 'EC', curve: 'P-521' });

test('writes a certificate object as its leaf certificate in PEM', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  const chain = generateChain({ commonName: 'web.example.test' });
  const certificate = vault.importCertificate('web', chain);
  const [result] = await store.fetch([request('certificates/web')], await context());
  t.is(textOf(result), chain.leaf.pem);
  t.is(result?.ok ? result.version : '', certificate.version);
});

const pfxToPem = test.macro({
  async exec(t, order: ChainOrder, leafKey: KeySpec) {
    const { vault, store, request, context } = await azureFixture(t);
    const chain = generateChain({ commonName: 'tls.example.test', leafKey, intermediates: 2 });
    vault.importCertificate('tls', chain, { order });
    const [result] = await store.fetch([request('secrets/tls')], await context());
    t.is(textOf(result), toPemBundle(chain), 'PKCS#8 key, then leaf, intermediates, root');
  },
  title: (_given, order: ChainOrder, leafKey: KeySpec) => `decodes a PFX stored ${Array.isArray(order) ? `in the order ${order.join(',')}` : String(order)} with ${leafKey.kty} keys into the key and the chain leaf to root`,
});

test(pfxToPem, 'leaf-first', { kty: 'RSA' });
test(pfxToPem, 'root-first', { kty: 'RSA' });
test(pfxToPem, [2, 0, 3, 1], { kty: 'EC', curve: 'P-256' });

test('writes a PEM certificate secret as stored, and its parts on their own', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  const chain = generateChain({ commonName: 'pem.example.test' });
  vault.importCertificate('pem', chain, { contentType: 'application/x-pem-file', order: 'root-first' });
  const part = (value: string) => request('secrets/pem', { storeParams: { part: value } });
  const results = await store.fetch([request('secrets/pem'), part('key'), part('cert'), part('chain')], await context());
  t.deepEqual(results.map(textOf), [
    toPemBundle(chain, { order: 'root-first' }),
    chain.leaf.key.privateKeyPem,
    chain.leaf.pem,
    chain.certificates.map((item) => item.pem).join(''),
  ]);
});

test('reads a certificate\'s secret once for all the parts a batch asks for', async (t) => {
  const { world, vault, store, request, context } = await azureFixture(t);
  const chain = generateChain({ commonName: 'parts.example.test' });
  vault.importCertificate('parts', chain);
  const part = (value: string) => request('secrets/parts', { storeParams: { part: value } });
  const results = await store.fetch([part('key'), part('cert')], await context());
  t.deepEqual(results.map(textOf), [chain.leaf.key.privateKeyPem, chain.leaf.pem]);
  t.is(world.counts().vaultReads, 1);
});

test('mounts a certificate\'s PFX as stored with format pfx', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  vault.importCertificate('bundle', generateChain({ commonName: 'pfx.example.test' }));
  const stored = vault.find('secrets', 'bundle', '');
  const [result] = await store.fetch([request('secrets/bundle', { storeParams: { format: 'pfx' } })], await context());
  t.is(textOf(result), stored?.kind === 'secrets' ? stored.value : 'no secret');
});

test('reads a pinned version, and the version before the newest by index', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  const first = vault.setSecret('rotating', 'one');
  const second = vault.setSecret('rotating', 'two');
  vault.setSecret('rotating', 'three');
  vault.setEnabled('secrets', 'rotating', '', false);
  const results = await store.fetch(
    [request('secrets/rotating', { version: first.version }), request('secrets/rotating', { storeParams: { versionIndex: '0' } }), request('secrets/rotating', { storeParams: { versionIndex: '1' } })],
    await context(),
  );
  t.deepEqual(results.map(textOf), ['one', 'two', 'one'], 'the disabled newest version is left out of the history');
  t.is(results[1]?.ok ? results[1].version : '', second.version);
});

test('reports a history index past the enabled versions as NOT_FOUND', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  vault.setSecret('short', 'only');
  const [result] = await store.fetch([request('secrets/short', { storeParams: { versionIndex: '2' } })], await context());
  t.is(textOf(result), 'error: secret "short" in key vault courier-kv has 1 enabled version, so version index 2 does not exist');
  t.is(result?.ok === false ? result.error.grpcCode : 0, status.NOT_FOUND);
});

test('refuses a disabled secret and an expired one with FAILED_PRECONDITION', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  vault.setSecret('off', 'x', { enabled: false });
  const expired = vault.setSecret('old', 'x', { expiresOn: new Date('2024-01-01T00:00:00Z') });
  vault.setSecret('early', 'x', { notBefore: new Date(Date.now() + 86_400_000) });
  const results = await store.fetch([request('secrets/off'), request('secrets/old'), request('secrets/early')], await context());
  t.deepEqual(results.map((result) => (result.ok ? 0 : result.error.grpcCode)), [status.FAILED_PRECONDITION, status.FAILED_PRECONDITION, status.FAILED_PRECONDITION]);
  t.is(textOf(results[0]), 'error: secret "off" in key vault courier-kv is disabled; enable it in Key Vault or pin an enabled version');
  t.is(textOf(results[1]), `error: secret "old" in key vault courier-kv (version ${expired.version}) expired at 2024-01-01T00:00:00.000Z; set a new version or extend its expiry in Key Vault`);
  t.regex(textOf(results[2]), /^error: secret "early" in key vault courier-kv \(version [0-9a-f]{32}\) is not valid before /);
});

test('refuses part on a plain secret and format on a key', async (t) => {
  const { vault, store, request, context } = await azureFixture(t);
  vault.setSecret('plain', 'x');
  const [plain] = await store.fetch([request('secrets/plain', { storeParams: { part: 'key' } })], await context());
  t.is(textOf(plain), 'error: part: "part" applies to the secret of a certificate, and secret "plain" in key vault courier-kv is a plain secret');
  await t.throwsAsync(store.identityKey(request('keys/k', { storeParams: { format: 'pfx' } }), await context()), { message: 'format: "format" applies to the secret of a certificate (secrets/<name>), not to keys' });
});
