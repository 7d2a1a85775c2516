/** Real X.509 material for the fake: a CA, certificates it signs (PKI issue, TLS server, TLS client). */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A certificate authority: its certificate and the key that signs. */
export interface CertificateAuthority {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly certificate: forge.pki.Certificate;
  readonly privateKey: forge.pki.rsa.PrivateKey;
}

/** What to put in a leaf certificate. */
export interface LeafSpec {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** Lifetime in seconds from now. */
  readonly ttlSeconds: number;
  /** `serverAuth`, `clientAuth` or both in the extended key usage. */
  readonly usage?: 'server' | 'client' | 'both';
  /** Milliseconds since the epoch to count from (the fake's clock). */
  readonly nowMs?: number;
}

/** A signed leaf: PEM certificate, PKCS#1 PEM private key, serial as Vault prints it, notAfter. */
export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Colon-separated lowercase hex: `3a:3d:...`. */
  readonly serialNumber: string;
  readonly notAfter: Date;
}

/** An RSA key pair made by Node's native crypto (fast), handed to node-forge for signing. */
function rsaKeyPair(bits = 2048): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; privateKeyPem: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  return { privateKey: forge.pki.privateKeyFromPem(pair.privateKey), publicKey: forge.pki.publicKeyFromPem(pair.publicKey), privateKeyPem: pair.privateKey };
}

function serial(): string {
  const bytes = randomBytes(16);
  // Positive and minimally encoded in DER (a leading 0x00 or 0x80+ byte would not be).
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** A self-signed CA valid for ten years. */
export function createCertificateAuthority(commonName: string): CertificateAuthority {
  const keys = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 86_400_000);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: keys.privateKeyPem, certificate: cert, privateKey: keys.privateKey };
}

/** Signs a leaf certificate with `ca`; notBefore is 30 s in the past, as Vault's PKI sets it. */
export function issueCertificate(ca: CertificateAuthority, spec: LeafSpec): IssuedCertificate {
  const keys = rsaKeyPair();
  const now = spec.nowMs ?? Date.now();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  const serialHex = serial();
  cert.serialNumber = serialHex;
  cert.validity.notBefore = new Date(now - 30_000);
  cert.validity.notAfter = new Date(now + spec.ttlSeconds * 1000);
  cert.setSubject([{ name: 'commonName', value: spec.commonName }]);
  cert.setIssuer(ca.certificate.subject.attributes);
  const altNames = [...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip }))];
  const usage = spec.usage ?? 'both';
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyAgreement: true, critical: true },
    { name: 'extKeyUsage', serverAuth: usage !== 'client', clientAuth: usage !== 'server' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.certificate.generateSubjectKeyIdentifier().getBytes() },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    certificatePem: forge.pki.certificateToPem(cert),
    privateKeyPem: keys.privateKeyPem,
    serialNumber: (serialHex.match(/../g) ?? []).join(':'),
    notAfter: cert.validity.notAfter,
  };
}
