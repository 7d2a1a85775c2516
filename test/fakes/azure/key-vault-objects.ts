/** The objects one fake vault holds: secrets, keys and certificates, each a list of versions (the last is latest). */
import { randomBytes, type X509Certificate } from 'node:crypto';
import { orderChain, type CertificateChain, type ChainOrder, type IssuedCertificate } from './material-chain.ts';
import { generateKeyMaterial, type KeyMaterial, type KeySpec } from './material-keys.ts';
import { writePfx } from './pkcs12.ts';

/** The three collections of a vault, named as in its URLs. */
export type ObjectKind = 'secrets' | 'keys' | 'certificates';

/** Key Vault's object attributes; times are Unix seconds. */
export interface ObjectAttributes {
  enabled: boolean;
  nbf?: number;
  exp?: number;
  created: number;
  updated: number;
  readonly recoveryLevel: string;
  readonly recoverableDays: number;
}

/** Options shared by every object version. */
export interface VersionOptions {
  readonly enabled?: boolean;
  readonly notBefore?: Date;
  readonly expiresOn?: Date;
  readonly tags?: Readonly<Record<string, string>>;
  /** The version ID (32 hex digits, random when absent). */
  readonly version?: string;
}

interface StoredBase {
  readonly name: string;
  readonly version: string;
  readonly attributes: ObjectAttributes;
  readonly tags?: Readonly<Record<string, string>>;
  /** True for the key and secret Key Vault keeps for a certificate. */
  readonly managed?: boolean;
}

/** A secret version. `certificate` is set on a certificate's backing secret. */
export interface StoredSecret extends StoredBase {
  readonly kind: 'secrets';
  readonly value: string;
  readonly contentType?: string;
  readonly certificate?: { readonly chain: readonly IssuedCertificate[]; readonly key: KeyMaterial };
}

/** A key version. */
export interface StoredKey extends StoredBase {
  readonly kind: 'keys';
  readonly material: KeyMaterial;
  readonly hsm: boolean;
  readonly keyOps: readonly string[];
}

/** A certificate version. */
export interface StoredCertificate extends StoredBase {
  readonly kind: 'certificates';
  readonly certificate: X509Certificate;
  readonly contentType: string;
  readonly issuerName: string;
}

/** Any stored version. */
export type StoredObject = StoredSecret | StoredKey | StoredCertificate;

/** The content types of a certificate's backing secret. */
export type CertificateContentType = 'application/x-pkcs12' | 'application/x-pem-file';

/** Versions by collection and name. */
export class VaultObjects {
  readonly #versions: Record<ObjectKind, Map<string, StoredObject[]>> = { secrets: new Map(), keys: new Map(), certificates: new Map() };

  /** Every version of a named object, oldest first. */
  versions(kind: ObjectKind, name: string): readonly StoredObject[] {
    return this.#versions[kind].get(name) ?? [];
  }

  /** A version, or the latest when `version` is empty. */
  find(kind: ObjectKind, name: string, version: string): StoredObject | undefined {
    const versions = this.versions(kind, name);
    return version === '' ? versions[versions.length - 1] : versions.find((candidate) => candidate.version === version);
  }

  /** Adds a secret version (it becomes the latest). */
  setSecret(name: string, value: string, options: VersionOptions & { readonly contentType?: string } = {}): StoredSecret {
    const secret: StoredSecret = { kind: 'secrets', ...base(name, options), value, ...(options.contentType === undefined ? {} : { contentType: options.contentType }) };
    return this.#add(secret);
  }

  /** Adds a key version from existing material or a freshly generated key (RSA 2048 by default). */
  addKey(name: string, key: KeyMaterial | KeySpec = { kty: 'RSA' }, options: VersionOptions & { readonly hsm?: boolean; readonly keyOps?: readonly string[] } = {}): StoredKey {
    const material = 'publicKey' in key ? key : generateKeyMaterial(key);
    const keyOps = options.keyOps ?? (material.spec.kty === 'RSA' ? ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'] : ['sign', 'verify']);
    return this.#add({ kind: 'keys', ...base(name, options), material, hsm: options.hsm ?? false, keyOps });
  }

  /**
   * Imports a certificate as Key Vault does: a certificate version plus a managed key and a managed
   * secret of the same name and version; the secret holds the PFX (base64) or the PEM key and chain.
   */
  importCertificate(name: string, source: CertificateChain | IssuedCertificate, options: VersionOptions & { readonly contentType?: CertificateContentType; readonly order?: ChainOrder } = {}): StoredCertificate {
    const chain = 'certificates' in source ? orderChain(source, options.order) : [source];
    const leaf = 'certificates' in source ? source.leaf : source;
    const contentType = options.contentType ?? 'application/x-pkcs12';
    const validity = {
      notBefore: options.notBefore ?? new Date(leaf.certificate.validFrom),
      expiresOn: options.expiresOn ?? new Date(leaf.certificate.validTo),
    };
    const shared = { ...options, ...validity, version: options.version ?? newVersion() };
    const value = secretValueOf(chain, leaf.key, contentType);
    this.#add({ kind: 'secrets', ...base(name, shared), managed: true, value, contentType, certificate: { chain, key: leaf.key } } satisfies StoredSecret);
    this.#add({ kind: 'keys', ...base(name, shared), managed: true, material: leaf.key, hsm: false, keyOps: ['sign', 'verify'] } satisfies StoredKey);
    const issuerName = 'certificates' in source ? 'Unknown' : 'Self';
    return this.#add({ kind: 'certificates', ...base(name, shared), certificate: leaf.certificate, contentType, issuerName } satisfies StoredCertificate);
  }

  /** Enables or disables one version (the latest when `version` is empty). */
  setEnabled(kind: ObjectKind, name: string, version: string, enabled: boolean): void {
    const found = this.find(kind, name, version);
    if (!found) throw new Error(`no ${kind} ${name}/${version}`);
    found.attributes.enabled = enabled;
    found.attributes.updated = nowSeconds();
  }

  #add<T extends StoredObject>(object: T): T {
    const list = this.#versions[object.kind].get(object.name) ?? [];
    list.push(object);
    this.#versions[object.kind].set(object.name, list);
    return object;
  }
}

/** The backing secret's value for a certificate: base64 PFX (empty password) or PEM key + certificates. */
export function secretValueOf(chain: readonly IssuedCertificate[], key: KeyMaterial, contentType: CertificateContentType): string {
  if (contentType === 'application/x-pem-file') return key.privateKeyPem + chain.map((item) => item.pem).join('');
  return writePfx({ privateKey: key.privateKey, certificates: chain.map((item) => item.certificate) }).toString('base64');
}

/** A new Key Vault version ID: 32 lower-case hex digits. */
export function newVersion(): string {
  return randomBytes(16).toString('hex');
}

function base(name: string, options: VersionOptions): StoredBase {
  const now = nowSeconds();
  const attributes: ObjectAttributes = { enabled: options.enabled ?? true, created: now, updated: now, recoveryLevel: 'Recoverable+Purgeable', recoverableDays: 90 };
  if (options.notBefore) attributes.nbf = Math.floor(options.notBefore.getTime() / 1000);
  if (options.expiresOn) attributes.exp = Math.floor(options.expiresOn.getTime() / 1000);
  return { name, version: options.version ?? newVersion(), attributes, ...(options.tags === undefined ? {} : { tags: options.tags }) };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
