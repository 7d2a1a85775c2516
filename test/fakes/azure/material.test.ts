// The material helpers make chains that verify, PFX files node-forge opens, and PEM bundles in the order asked.
import test from 'ava';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import forge from 'node-forge';
import { generateChain, generateSelfSigned, orderChain, toPemBundle } from './material-chain.ts';
import type { KeySpec } from './material-keys.ts';
import { pkcs12Kdf, writePfx } from './pkcs12.ts';
import { keyIdentifiersOf } from './x509.ts';

const specName = (spec: KeySpec) => (spec.kty === 'RSA' ? 'RSA' : `EC ${spec.curve}`);

const chainVerifies = test.macro({
  exec(t, leafKey: KeySpec, caKey: KeySpec) {
    const chain = generateChain({ commonName: 'app.example.test', dnsNames: ['app.example.test', 'www.example.test'], leafKey, caKey });
    const [leaf, intermediate, root] = chain.certificates.map((item) => item.certificate);
    if (!leaf || !intermediate || !root) return t.fail('three certificates expected');
    t.true(leaf.verify(intermediate.publicKey));
    t.true(intermediate.verify(root.publicKey));
    t.true(root.verify(root.publicKey));
    t.true(leaf.checkIssued(intermediate));
    t.true(intermediate.checkIssued(root));
    t.false(leaf.ca);
    t.true(intermediate.ca);
    t.is(leaf.subjectAltName, 'DNS:app.example.test, DNS:www.example.test');
    t.is(leaf.publicKey.export({ type: 'spki', format: 'pem' }), chain.leaf.key.publicKeyPem);
  },
  title: (_provided, leafKey: KeySpec, caKey: KeySpec) => `an ${specName(leafKey)} leaf under ${specName(caKey)} CAs verifies up to its root`,
});

test(chainVerifies, { kty: 'RSA' }, { kty: 'RSA' });
test(chainVerifies, { kty: 'EC', curve: 'P-256' }, { kty: 'RSA' });
test(chainVerifies, { kty: 'EC', curve: 'P-384' }, { kty: 'EC', curve: 'P-256' });
test(chainVerifies, { kty: 'EC', curve: 'P-521' }, { kty: 'EC', curve: 'P-384' });

test('each certificate names its issuer by the issuer’s subject key identifier', (t) => {
  const chain = generateChain({ commonName: 'ids.example.test', intermediates: 2 });
  const ids = chain.certificates.map((item) => keyIdentifiersOf(item.certificate));
  t.is(ids.length, 4);
  for (let index = 0; index < ids.length - 1; index += 1) t.is(ids[index]?.authority, ids[index + 1]?.subject);
  t.is(ids[3]?.authority, ids[3]?.subject);
  t.deepEqual(ids.map((id) => id.subject), chain.certificates.map((item) => item.keyId));
});

test('a self-signed certificate is signed by its own key and names itself as issuer', (t) => {
  const issued = generateSelfSigned({ commonName: 'self.example.test', leafKey: { kty: 'EC', curve: 'P-256' } });
  t.true(issued.certificate.verify(issued.key.publicKey));
  t.is(issued.certificate.issuer, issued.certificate.subject);
  const ids = keyIdentifiersOf(issued.certificate);
  t.is(ids.authority, ids.subject);
  t.false(issued.certificate.ca);
});

test('a PFX of an RSA chain opens in node-forge with the empty password, key and certificates intact', (t) => {
  const chain = generateChain({ commonName: 'pfx.example.test' });
  const pfx = writePfx({ privateKey: chain.leaf.key.privateKey, certificates: chain.certificates.map((item) => item.certificate), friendlyName: 'pfx' });
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary'))), '');
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? '' })[forge.pki.oids.pkcs8ShroudedKeyBag ?? '']?.[0];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag ?? '' })[forge.pki.oids.certBag ?? ''] ?? [];
  if (!keyBag?.key) return t.fail('no RSA key bag');
  const keyPem = forge.pki.privateKeyToPem(keyBag.key);
  t.is(createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }), chain.leaf.key.publicKeyPem);
  t.deepEqual(
    certBags.map((bag) => (bag.cert ? forge.pki.certificateToPem(bag.cert).replace(/\r\n/g, '\n') : '')),
    chain.certificates.map((item) => item.pem),
  );
  t.deepEqual((keyBag.attributes as Record<string, unknown>)['friendlyName'], ['pfx']);
});

test('a PFX of an EC key opens in node-forge as ASN.1 that node:crypto reads back', (t) => {
  const chain = generateChain({ commonName: 'ec-pfx.example.test', leafKey: { kty: 'EC', curve: 'P-256' } });
  const pfx = writePfx({ privateKey: chain.leaf.key.privateKey, certificates: chain.certificates.map((item) => item.certificate) });
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary'))), '');
  const keyBag = p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag ?? '' })[forge.pki.oids.pkcs8ShroudedKeyBag ?? '']?.[0];
  const asn1 = (keyBag as { asn1?: forge.asn1.Asn1 } | undefined)?.asn1;
  if (!asn1) return t.fail('no key bag ASN.1');
  const key = createPrivateKey({ key: Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  t.is(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  t.is(createPublicKey(key).export({ type: 'spki', format: 'pem' }), chain.leaf.key.publicKeyPem);
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag ?? '' })[forge.pki.oids.certBag ?? ''] ?? [];
  // forge parses the RSA CA certificates and leaves the EC leaf as ASN.1.
  const asn1Of = (bag: (typeof certBags)[number]) => (bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: forge.asn1.Asn1 }).asn1);
  const ders = certBags.map((bag) => {
    const node = asn1Of(bag);
    return node ? Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary') : Buffer.alloc(0);
  });
  t.is(certBags[0]?.cert ?? null, null);
  t.deepEqual(ders.map((der) => new X509Certificate(der).fingerprint256), chain.certificates.map((item) => item.certificate.fingerprint256));
});

test('node-forge rejects a PFX opened with the wrong password', (t) => {
  const issued = generateSelfSigned({ commonName: 'locked.example.test' });
  const pfx = writePfx({ privateKey: issued.key.privateKey, certificates: [issued.certificate], password: 'right' });
  const asn1 = forge.asn1.fromDer(forge.util.createBuffer(pfx.toString('binary')));
  t.throws(() => forge.pkcs12.pkcs12FromAsn1(asn1, 'wrong'), { message: /MAC could not be verified|Invalid password/ });
  t.notThrows(() => forge.pkcs12.pkcs12FromAsn1(asn1, 'right'));
});

test('the PKCS#12 key derivation agrees with node-forge’s for any password and salt', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 70 }), (password, salt, iterations, length) => {
      const ours = pkcs12Kdf(password, Buffer.from(salt), 3, iterations, length);
      const theirs = forge.pkcs12.generateKey(password, forge.util.createBuffer(Buffer.from(salt).toString('binary')), 3, iterations, length, forge.md.sha256.create());
      return ours.toString('binary') === theirs.getBytes();
    }),
    { numRuns: 60 },
  );
  t.pass();
});

test('a PEM bundle holds the PKCS#8 key, then the certificates in the order asked', (t) => {
  const chain = generateChain({ commonName: 'pem.example.test' });
  const blocks = (pem: string) => pem.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----\n/g) ?? [];
  const leafFirst = blocks(toPemBundle(chain));
  t.is(leafFirst[0], chain.leaf.key.privateKeyPem);
  t.deepEqual(leafFirst.slice(1), chain.certificates.map((item) => item.pem));
  t.deepEqual(blocks(toPemBundle(chain, { order: 'root-first', includeKey: false })), [...chain.certificates].reverse().map((item) => item.pem));
  t.deepEqual(orderChain(chain, [2, 0, 1]).map((item) => item.keyId), [chain.root.keyId, chain.leaf.keyId, chain.intermediates[0]?.keyId]);
});
