/** The cluster's keys and certificates: a CA, the API server's serving certificate, client certificates and the ServiceAccount signing key. */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import forge from 'node-forge';

/** A PEM certificate and its PEM private key. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** Files under the cluster directory, as the components' flags name them. */
export interface ClusterPki {
  readonly caFile: string;
  readonly caPem: string;
  readonly servingCertFile: string;
  readonly servingKeyFile: string;
  /** A system:masters client certificate: the administrator (tests, the driver, the controller-manager). */
  readonly admin: KeyPair;
  /** PKCS#8 PEM of the key the API server signs ServiceAccount tokens with (tests sign expired tokens with it). */
  readonly serviceAccountKeyPem: string;
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicFile: string;
}

/** Creates the cluster's PKI in `dir` (files mode 0600). Keys are RSA 2048, made by Node's native crypto. */
export async function createClusterPki(dir: string): Promise<ClusterPki> {
  const ca = makeCa();
  const serving = issue(ca, 'kube-apiserver', [], [
    { type: 7, ip: '127.0.0.1' },
    { type: 2, value: 'localhost' },
  ], 'serverAuth');
  const admin = issue(ca, 'courier-cluster-admin', ['system:masters'], [], 'clientAuth');
  const serviceAccount = rsaKey();
  const files = {
    caFile: join(dir, 'ca.crt'),
    servingCertFile: join(dir, 'apiserver.crt'),
    servingKeyFile: join(dir, 'apiserver.key'),
    serviceAccountKeyFile: join(dir, 'sa.key'),
    serviceAccountPublicFile: join(dir, 'sa.pub'),
  };
  await writeFile(files.caFile, ca.pair.cert, { mode: 0o600 });
  await writeFile(files.servingCertFile, serving.cert, { mode: 0o600 });
  await writeFile(files.servingKeyFile, serving.key, { mode: 0o600 });
  await writeFile(files.serviceAccountKeyFile, serviceAccount.privatePem, { mode: 0o600 });
  await writeFile(files.serviceAccountPublicFile, serviceAccount.publicPem, { mode: 0o600 });
  return { ...files, caPem: ca.pair.cert, admin, serviceAccountKeyPem: serviceAccount.privatePem };
}

/** A fresh RSA key pair as PEM (PKCS#8 private, SPKI public). */
export function rsaKey(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

interface Authority {
  readonly pair: KeyPair;
  readonly cert: forge.pki.Certificate;
  readonly key: forge.pki.rsa.PrivateKey;
}

function makeCa(): Authority {
  const { privatePem, publicPem } = rsaKey();
  const key = forge.pki.privateKeyFromPem(privatePem);
  const cert = baseCertificate(publicPem, [{ name: 'commonName', value: 'courier-cluster-ca' }]);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { pair: { cert: forge.pki.certificateToPem(cert), key: privatePem }, cert, key };
}

function issue(ca: Authority, commonName: string, organizations: readonly string[], altNames: ReadonlyArray<Record<string, unknown>>, usage: 'serverAuth' | 'clientAuth'): KeyPair {
  const { privatePem, publicPem } = rsaKey();
  const cert = baseCertificate(publicPem, [{ name: 'commonName', value: commonName }, ...organizations.map((value) => ({ name: 'organizationName', value }))]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', [usage]: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privatePem };
}

function baseCertificate(publicPem: string, subject: forge.pki.CertificateField[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // A positive serial: the first byte's high bit clear.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 3_600_000);
  cert.setSubject(subject);
  return cert;
}
