/** Issues real X.509 v3 certificates (RSA or EC keys, key identifiers, SANs) signed with node:crypto. */
import { createHash, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, bool, children, context, int, nul, octets, oid, readTlv, seq, set, time, tlv, utf8 } from './der.ts';

/** What a certificate says about its subject and how it may be used. */
export interface CertificateProfile {
  /** Subject common name. */
  readonly commonName: string;
  readonly organization?: string;
  /** A CA certificate (`basicConstraints cA`), optionally with a path length. */
  readonly ca?: { readonly pathLength?: number };
  /** DNS subject alternative names. */
  readonly dnsNames?: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Big-endian serial number; random 16 bytes when absent. */
  readonly serial?: Buffer;
}

/** The issuer signing a certificate: its name, private key and key identifier (absent for self-signed). */
export interface CertificateIssuer {
  readonly commonName: string;
  readonly organization?: string;
  readonly privateKey: KeyObject;
  readonly keyId: Buffer;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/**
 * Issues a certificate for `publicKey`. Without `issuer` it is self-signed with `selfKey`.
 * The subject key identifier is the SHA-1 of the subject public key (RFC 5280 section 4.2.1.2, method 1),
 * and the authority key identifier names the issuer's, so chains can be ordered by key identifiers.
 */
export function issueCertificate(profile: CertificateProfile, publicKey: KeyObject, issuer: CertificateIssuer): X509Certificate {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const keyId = subjectKeyIdOf(publicKey);
  const algorithm = signatureAlgorithm(issuer.privateKey);
  const extensions = [
    extension(OID.basicConstraints, true, profile.ca ? seq(bool(true), ...(profile.ca.pathLength === undefined ? [] : [int(profile.ca.pathLength)])) : seq()),
    extension(OID.keyUsage, true, keyUsage(profile.ca ? [5, 6] : publicKey.asymmetricKeyType === 'rsa' ? [0, 2] : [0])),
    ...(profile.ca ? [] : [extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth)))]),
    extension(OID.subjectKeyId, false, octets(keyId)),
    extension(OID.authorityKeyId, false, seq(context(0, issuer.keyId, false))),
    ...(profile.dnsNames && profile.dnsNames.length > 0 ? [extension(OID.subjectAltName, false, seq(...profile.dnsNames.map((name) => context(2, Buffer.from(name, 'ascii'), false))))] : []),
  ];
  const tbs = seq(
    context(0, int(2)),
    int(profile.serial ?? randomSerial()),
    algorithm.identifier,
    distinguishedName(issuer.commonName, issuer.organization),
    seq(time(profile.notBefore), time(profile.notAfter)),
    distinguishedName(profile.commonName, profile.organization),
    spki,
    context(3, seq(...extensions)),
  );
  const signature = sign(algorithm.hash, tbs, issuer.privateKey);
  return new X509Certificate(seq(tbs, algorithm.identifier, bitString(signature)));
}

/** The RFC 5280 method-1 key identifier of a public key: SHA-1 of the subjectPublicKey bits. */
export function subjectKeyIdOf(publicKey: KeyObject): Buffer {
  const spki = readTlv(publicKey.export({ type: 'spki', format: 'der' }));
  const bits = children(spki.content)[1];
  if (!bits) throw new Error('malformed SubjectPublicKeyInfo');
  return createHash('sha1').update(bits.content.subarray(1)).digest();
}

/** The key identifiers a certificate carries (hex), read back from its extensions. */
export function keyIdentifiersOf(certificate: X509Certificate): { subject?: string; authority?: string } {
  const tbs = children(readTlv(certificate.raw).content)[0];
  const explicit = tbs ? children(tbs.content).find((node) => node.tag === 0xa3) : undefined;
  const list = explicit ? children(explicit.content)[0] : undefined;
  const found: { subject?: string; authority?: string } = {};
  for (const ext of list ? children(list.content) : []) {
    const parts = children(ext.content);
    const id = parts[0]?.content.toString('hex');
    const value = parts[parts.length - 1]?.content;
    if (!value) continue;
    if (id === oid(OID.subjectKeyId).subarray(2).toString('hex')) found.subject = readTlv(value).content.toString('hex');
    if (id === oid(OID.authorityKeyId).subarray(2).toString('hex')) {
      const keyIdentifier = children(readTlv(value).content).find((node) => node.tag === 0x80);
      if (keyIdentifier) found.authority = keyIdentifier.content.toString('hex');
    }
  }
  return found;
}

function signatureAlgorithm(privateKey: KeyObject): { identifier: Buffer; hash: string } {
  if (privateKey.asymmetricKeyType === 'rsa') return { identifier: seq(oid('1.2.840.113549.1.1.11'), nul()), hash: 'sha256' };
  const curve = privateKey.asymmetricKeyDetails?.namedCurve;
  if (curve === 'prime256v1') return { identifier: seq(oid('1.2.840.10045.4.3.2')), hash: 'sha256' };
  if (curve === 'secp384r1') return { identifier: seq(oid('1.2.840.10045.4.3.3')), hash: 'sha384' };
  if (curve === 'secp521r1') return { identifier: seq(oid('1.2.840.10045.4.3.4')), hash: 'sha512' };
  throw new Error(`unsupported signing key ${privateKey.asymmetricKeyType ?? '?'} ${curve ?? ''}`);
}

function distinguishedName(commonName: string, organization?: string): Buffer {
  const rdns = [...(organization === undefined ? [] : [set(seq(oid(OID.organization), utf8(organization)))]), set(seq(oid(OID.commonName), utf8(commonName)))];
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
}

/** KeyUsage as a DER BIT STRING with the trailing zero bits dropped. */
function keyUsage(bits: readonly number[]): Buffer {
  let byte = 0;
  for (const bit of bits) byte |= 0x80 >> bit;
  let unused = 0;
  while (unused < 7 && ((byte >> unused) & 1) === 0) unused += 1;
  return tlv(0x03, Buffer.from([unused, byte]));
}

function randomSerial(): Buffer {
  const serial = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  serial[0] = (serial[0] ?? 0) & 0x7f;
  return serial;
}
