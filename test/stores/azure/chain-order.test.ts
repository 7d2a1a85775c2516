// Chains ordered leaf → intermediates → root by key identifiers, whatever the stored order; the stored order when identifiers do not link.
import test from 'ava';
import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { keyIdentifiers, orderChain } from '../../../src/stores/azure/chain-order.ts';
import { generateChain, generateSelfSigned } from '../../fakes/azure/material-chain.ts';
import { keyIdentifiersOf } from '../../fakes/azure/x509.ts';

const chain = generateChain({ commonName: 'order.example.test', intermediates: 3, leafKey: { kty: 'EC', curve: 'P-256' }, caKey: { kty: 'EC', curve: 'P-256' } });
const leafFirst = chain.certificates.map((item) => item.certificate);
const fingerprints = (certificates: readonly X509Certificate[]) => certificates.map((certificate) => certificate.fingerprint256);

test('reads the subject and authority key identifiers the certificates carry', (t) => {
  for (const item of chain.certificates) {
    const ours = keyIdentifiers(item.certificate.raw);
    t.regex(ours.subject ?? '', /^[0-9a-f]{40}$/);
    t.deepEqual(ours, keyIdentifiersOf(item.certificate));
  }
});

test('orders any permutation of a chain leaf first, with or without the private key', (t) => {
  fc.assert(
    fc.property(fc.shuffledSubarray(leafFirst, { minLength: leafFirst.length, maxLength: leafFirst.length }), fc.boolean(), (shuffled, withKey) => {
      const ordered = orderChain(shuffled, withKey ? chain.leaf.key.privateKey : undefined);
      return JSON.stringify(fingerprints(ordered)) === JSON.stringify(fingerprints(leafFirst));
    }),
    { numRuns: 100 },
  );
  t.pass();
});

test('keeps the stored order when the certificates do not form one chain', (t) => {
  const stranger = generateSelfSigned({ commonName: 'stranger.example.test' }).certificate;
  const stored = [chain.root.certificate, stranger, chain.leaf.certificate];
  t.deepEqual(fingerprints(orderChain(stored)), fingerprints(stored));
});

test('reads no identifiers from bytes that are not a certificate', (t) => {
  t.deepEqual(keyIdentifiers(Buffer.from([0x30, 0x82, 0xff])), {});
});
