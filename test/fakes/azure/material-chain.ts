/** Certificate chains root → intermediates → leaf with real keys, and the PEM bundles Key Vault stores. */
import type { X509Certificate } from 'node:crypto';
import { generateKeyMaterial, type KeyMaterial, type KeySpec } from './material-keys.ts';
import { issueCertificate, subjectKeyIdOf, type CertificateIssuer } from './x509.ts';

/** One certificate of a chain with its key. */
export interface IssuedCertificate {
  readonly certificate: X509Certificate;
  readonly key: KeyMaterial;
  /** PEM of the certificate. */
  readonly pem: string;
  /** Subject key identifier, hex. */
  readonly keyId: string;
}

/** A chain; `certificates` is leaf first, root last. */
export interface CertificateChain {
  readonly leaf: IssuedCertificate;
  readonly intermediates: readonly IssuedCertificate[];
  readonly root: IssuedCertificate;
  readonly certificates: readonly IssuedCertificate[];
}

/** What to generate. */
export interface ChainOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  /** The leaf's key type (RSA 2048 by default); the CAs use `caKey`. */
  readonly leafKey?: KeySpec;
  readonly caKey?: KeySpec;
  /** How many intermediates between root and leaf (default 1). */
  readonly intermediates?: number;
  /** The leaf's validity; the CAs are valid a day longer on each side. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const DAY_MS = 86_400_000;

/** Generates root → intermediate(s) → leaf, each signed by the one above, linked by key identifiers. */
export function generateChain(options: ChainOptions): CertificateChain {
  const notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY_MS);
  const caValidity = { notBefore: new Date(notBefore.getTime() - DAY_MS), notAfter: new Date(notAfter.getTime() + DAY_MS) };
  const rootKey = generateKeyMaterial(options.caKey);
  const rootName = `${options.commonName} Test Root CA`;
  const rootIssuer: CertificateIssuer = { commonName: rootName, organization: 'Courier Test', privateKey: rootKey.privateKey, keyId: subjectKeyIdOf(rootKey.publicKey) };
  const root = issued(issueCertificate({ commonName: rootName, organization: 'Courier Test', ca: {}, ...caValidity }, rootKey.publicKey, rootIssuer), rootKey);
  const intermediates: IssuedCertificate[] = [];
  let issuer = rootIssuer;
  const count = options.intermediates ?? 1;
  for (let index = 0; index < count; index += 1) {
    const key = generateKeyMaterial(options.caKey);
    const commonName = `${options.commonName} Test Intermediate CA ${index + 1}`;
    const certificate = issueCertificate({ commonName, organization: 'Courier Test', ca: { pathLength: count - index - 1 }, ...caValidity }, key.publicKey, issuer);
    intermediates.unshift(issued(certificate, key));
    issuer = { commonName, organization: 'Courier Test', privateKey: key.privateKey, keyId: subjectKeyIdOf(key.publicKey) };
  }
  const leafKey = generateKeyMaterial(options.leafKey);
  const leafProfile = { commonName: options.commonName, dnsNames: options.dnsNames ?? [options.commonName], notBefore, notAfter };
  const leaf = issued(issueCertificate(leafProfile, leafKey.publicKey, issuer), leafKey);
  return { leaf, intermediates, root, certificates: [leaf, ...intermediates, root] };
}

/** A self-signed certificate (no chain), as Key Vault's `Self` issuer makes. */
export function generateSelfSigned(options: Omit<ChainOptions, 'caKey' | 'intermediates'>): IssuedCertificate {
  const key = generateKeyMaterial(options.leafKey);
  const issuer: CertificateIssuer = { commonName: options.commonName, privateKey: key.privateKey, keyId: subjectKeyIdOf(key.publicKey) };
  const profile = {
    commonName: options.commonName,
    dnsNames: options.dnsNames ?? [options.commonName],
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
  };
  return issued(issueCertificate(profile, key.publicKey, issuer), key);
}

/** Which certificates, in which order: `leaf-first` (default), `root-first`, or indexes into leaf-first order. */
export type ChainOrder = 'leaf-first' | 'root-first' | readonly number[];

/** The certificates of a chain in the requested order. */
export function orderChain(chain: CertificateChain | readonly IssuedCertificate[], order: ChainOrder = 'leaf-first'): IssuedCertificate[] {
  const certificates = 'certificates' in chain ? [...chain.certificates] : [...chain];
  if (order === 'leaf-first') return certificates;
  if (order === 'root-first') return certificates.reverse();
  return order.map((index) => {
    const certificate = certificates[index];
    if (!certificate) throw new Error(`no certificate at index ${index}`);
    return certificate;
  });
}

/**
 * The `application/x-pem-file` value Key Vault keeps for a certificate: the PKCS#8 private key,
 * then the certificates (leaf first unless `order` says otherwise).
 */
export function toPemBundle(chain: CertificateChain, options: { readonly order?: ChainOrder; readonly includeKey?: boolean } = {}): string {
  const key = options.includeKey === false ? '' : chain.leaf.key.privateKeyPem;
  return key + orderChain(chain, options.order).map((item) => item.pem).join('');
}

function issued(certificate: X509Certificate, key: KeyMaterial): IssuedCertificate {
  return { certificate, key, pem: certificate.toString(), keyId: subjectKeyIdOf(key.publicKey).toString('hex') };
}
