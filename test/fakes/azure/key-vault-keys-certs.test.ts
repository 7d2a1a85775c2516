// The Key Vault fake's keys and certificates (and the secrets behind them), driven by the real KeyClient, CertificateClient and SecretClient.
import test from 'ava';
import { createHash, createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { startAzureWorld } from './azure-world.ts';
import { generateChain } from './material-chain.ts';
import { generateKeyMaterial, type KeySpec } from './material-keys.ts';
import { podCredential, podWithVault, vaultClients } from './sdk-clients.ts';
import { keyIdentifiersOf } from './x509.ts';

const b64url = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64url');

const keyServed = test.macro({
  async exec(t, spec: KeySpec) {
    const world = await startAzureWorld(t);
    const { vault, keys } = podWithVault(world);
    const material = generateKeyMaterial(spec);
    const stored = vault.addKey('signing', material);
    const key = await keys.getKey('signing');
    t.is(key.id, `https://courier-kv.vault.azure.net/keys/signing/${stored.version}`);
    t.is(key.keyType, spec.kty);
    const jwk = key.key;
    const rebuilt = spec.kty === 'RSA'
      ? createPublicKey({ key: { kty: 'RSA', n: b64url(jwk?.n), e: b64url(jwk?.e) }, format: 'jwk' })
      : createPublicKey({ key: { kty: 'EC', crv: jwk?.crv ?? '', x: b64url(jwk?.x), y: b64url(jwk?.y) }, format: 'jwk' });
    t.is(rebuilt.export({ type: 'spki', format: 'pem' }), material.publicKeyPem);
    t.is(jwk?.d, undefined);
    if (spec.kty === 'EC') t.is(jwk?.crv, spec.curve);
  },
  title: (_provided, spec: KeySpec) => `KeyClient.getKey serves the public JWK of ${spec.kty === 'RSA' ? 'an RSA key' : `an EC ${spec.curve} key`}`,
});

test(keyServed, { kty: 'RSA' });
test(keyServed, { kty: 'EC', curve: 'P-256' });
test(keyServed, { kty: 'EC', curve: 'P-384' });
test(keyServed, { kty: 'EC', curve: 'P-521' });

test('KeyClient reads a pinned key version, and gets KeyDisabled and KeyNotFound', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, keys } = podWithVault(world);
  const first = vault.addKey('rotated', { kty: 'EC', curve: 'P-256' });
  vault.addKey('rotated', { kty: 'EC', curve: 'P-256' }, { hsm: true });
  t.is((await keys.getKey('rotated', { version: first.version })).properties.version, first.version);
  t.is((await keys.getKey('rotated')).keyType, 'EC-HSM');
  vault.setEnabled('keys', 'rotated', '', false);
  await t.throwsAsync(keys.getKey('rotated'), { message: 'Operation get is not allowed on a disabled key.' });
  await t.throwsAsync(keys.getKey('absent'), { message: /^A key with \(name\/id\) absent was not found in this key vault\./ });
});

test('CertificateClient serves the leaf certificate DER with its thumbprint, key and secret IDs, and policy', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, certificates } = podWithVault(world);
  const chain = generateChain({ commonName: 'web.example.test', dnsNames: ['web.example.test'] });
  const stored = vault.importCertificate('web-tls', chain);
  const certificate = await certificates.getCertificate('web-tls');
  t.deepEqual(Buffer.from(certificate.cer ?? new Uint8Array()), chain.leaf.certificate.raw);
  t.deepEqual(Buffer.from(certificate.properties.x509Thumbprint ?? new Uint8Array()), createHash('sha1').update(chain.leaf.certificate.raw).digest());
  t.is(certificate.keyId, `https://courier-kv.vault.azure.net/keys/web-tls/${stored.version}`);
  t.is(certificate.secretId, `https://courier-kv.vault.azure.net/secrets/web-tls/${stored.version}`);
  t.like(certificate.policy, { contentType: 'application/x-pkcs12', subject: 'CN=web.example.test', keyType: 'RSA', keySize: 2048, issuerName: 'Unknown' });
  t.deepEqual(certificate.policy?.subjectAlternativeNames?.dnsNames, ['web.example.test']);
  t.is(certificate.properties.expiresOn?.getTime(), Math.floor(Date.parse(chain.leaf.certificate.validTo) / 1000) * 1000);
});

test('CertificateClient.getCertificateVersion reads an older version after a renewal', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, certificates } = podWithVault(world);
  const first = generateChain({ commonName: 'renewed.example.test', leafKey: { kty: 'EC', curve: 'P-384' }, caKey: { kty: 'EC', curve: 'P-256' } });
  const old = vault.importCertificate('renewed', first);
  vault.importCertificate('renewed', generateChain({ commonName: 'renewed.example.test', leafKey: { kty: 'EC', curve: 'P-384' }, caKey: { kty: 'EC', curve: 'P-256' } }));
  const pinned = await certificates.getCertificateVersion('renewed', old.version);
  t.deepEqual(Buffer.from(pinned.cer ?? new Uint8Array()), first.leaf.certificate.raw);
  t.like((await certificates.getCertificate('renewed')).policy, { keyType: 'EC', keyCurveName: 'P-384' });
  t.is(world.keyVault.countGets({ kind: 'certificates', status: 200 }), 2);
  await t.throwsAsync(certificates.getCertificate('absent'), { message: /^A certificate with \(name\/id\) absent was not found in this key vault\./ });
});

/** Orders certificates leaf → root by authority and subject key identifiers, as a store must. */
function orderByKeyIdentifiers(certificates: readonly X509Certificate[]): X509Certificate[] {
  const ids = certificates.map((certificate) => ({ certificate, ...keyIdentifiersOf(certificate) }));
  const issuers = new Set(ids.filter((id) => id.authority !== id.subject).map((id) => id.authority));
  let current = ids.find((id) => !issuers.has(id.subject));
  const ordered: X509Certificate[] = [];
  while (current && ordered.length < ids.length) {
    ordered.push(current.certificate);
    const next: string | undefined = current.authority === current.subject ? undefined : current.authority;
    current = next === undefined ? undefined : ids.find((id) => id.subject === next);
  }
  return ordered;
}

/** The key and certificates of a PFX, with node-forge (RSA keys parsed; EC keys left as ASN.1 for node:crypto). */
function openPfx(base64: string): { key: KeyObject; certificates: X509Certificate[] } {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(base64, 'base64').toString('binary'))), '');
  const der = (node: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? '' })[forge.pki.oids.pkcs8ShroudedKeyBag ?? '']?.[0] as { key?: forge.pki.rsa.PrivateKey | null; asn1?: forge.asn1.Asn1 } | undefined;
  if (!keyBag) throw new Error('no key bag');
  const key = keyBag.key ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)) : createPrivateKey({ key: der(keyBag.asn1 as forge.asn1.Asn1), format: 'der', type: 'pkcs8' });
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag ?? '' })[forge.pki.oids.certBag ?? ''] ?? [];
  const certificates = certBags.map((bag) => new X509Certificate(der(bag.cert ? forge.pki.certificateToAsn1(bag.cert) : ((bag as { asn1?: forge.asn1.Asn1 }).asn1 as forge.asn1.Asn1))));
  return { key, certificates };
}

const pfxBacked = test.macro({
  async exec(t, leafKey: KeySpec) {
    const world = await startAzureWorld(t);
    const { vault, secrets } = podWithVault(world);
    const chain = generateChain({ commonName: 'pfx.example.test', leafKey });
    // Stored root first, then leaf, then intermediate: the order must come from the key identifiers.
    const stored = vault.importCertificate('pfx-cert', chain, { order: [2, 0, 1] });
    const secret = await secrets.getSecret('pfx-cert');
    t.like(secret.properties, { contentType: 'application/x-pkcs12', managed: true, version: stored.version, certificateKeyId: `https://courier-kv.vault.azure.net/keys/pfx-cert/${stored.version}` });
    const { key, certificates } = openPfx(secret.value ?? '');
    t.is(createPublicKey(key).export({ type: 'spki', format: 'pem' }), chain.leaf.key.publicKeyPem);
    t.deepEqual(certificates.map((certificate) => certificate.fingerprint256), [chain.root, chain.leaf, chain.intermediates[0]].map((item) => item?.certificate.fingerprint256));
    t.deepEqual(orderByKeyIdentifiers(certificates).map((certificate) => certificate.fingerprint256), chain.certificates.map((item) => item.certificate.fingerprint256));
  },
  title: (_provided, leafKey: KeySpec) => `a PFX-backed certificate secret decodes with node-forge into its ${leafKey.kty} key and a chain ordered leaf to root`,
});

test(pfxBacked, { kty: 'RSA' });
test(pfxBacked, { kty: 'EC', curve: 'P-256' });

test('a PEM-backed certificate secret holds the PKCS#8 key and the chain as imported', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  const chain = generateChain({ commonName: 'pem.example.test', leafKey: { kty: 'EC', curve: 'P-256' } });
  vault.importCertificate('pem-cert', chain, { contentType: 'application/x-pem-file' });
  const secret = await secrets.getSecret('pem-cert');
  t.is(secret.properties.contentType, 'application/x-pem-file');
  t.is(secret.value, chain.leaf.key.privateKeyPem + chain.certificates.map((item) => item.pem).join(''));
});

test('outContentType converts a PFX-backed secret to PEM and refuses other conversions', async (t) => {
  const world = await startAzureWorld(t);
  const { vault, secrets } = podWithVault(world);
  const chain = generateChain({ commonName: 'convert.example.test' });
  vault.importCertificate('convert', chain);
  vault.setSecret('plain', 'not-a-certificate');
  const converted = await secrets.getSecret('convert', { outContentType: 'application/x-pem-file' });
  t.is(converted.properties.contentType, 'application/x-pem-file');
  t.is(converted.value, chain.leaf.key.privateKeyPem + chain.certificates.map((item) => item.pem).join(''));
  await t.throwsAsync(secrets.getSecret('plain', { outContentType: 'application/x-pem-file' }), { message: "The secret plain cannot be converted to content type 'application/x-pem-file'." });
});

test('with RBAC a Key Vault Secrets User reads the certificate’s secret but not the certificate', async (t) => {
  const world = await startAzureWorld(t);
  const { application } = podWithVault(world);
  const vault = world.vault('courier-rbac', { authorization: 'rbac' });
  vault.assignRole(application.objectId, 'Key Vault Secrets User');
  vault.importCertificate('tls', generateChain({ commonName: 'rbac.example.test' }));
  const { secrets, certificates } = vaultClients(world, vault, podCredential(world, application, 'team-a', 'app'));
  t.is((await secrets.getSecret('tls')).properties.contentType, 'application/x-pkcs12');
  const error = await t.throwsAsync(certificates.getCertificate('tls'));
  t.regex(error?.message ?? '', /Action: 'Microsoft.KeyVault\/vaults\/certificates\/read'/);
});
