/** The Key Vault reads the store makes, through the SDK clients of a session: one version of an object, and an object's versions. */
import type { JsonWebKey } from '@azure/keyvault-keys';
import { ConfigError } from '../../errors/courier-error.ts';
import type { ObjectKind, ObjectReference } from './names.ts';
import type { AzureSession } from './session.ts';

/** Attributes every object version has. */
export interface VersionAttributes {
  readonly version: string;
  readonly notBefore?: Date | undefined;
  readonly expiresOn?: Date | undefined;
}

/** One version as read, in the shape of its kind. */
export type ObjectRead =
  | (VersionAttributes & { readonly kind: 'secrets'; readonly value: string; readonly contentType?: string | undefined; readonly backsCertificate: boolean })
  | (VersionAttributes & { readonly kind: 'keys'; readonly key: JsonWebKey })
  | (VersionAttributes & { readonly kind: 'certificates'; readonly cer: Uint8Array });

/** One entry of a versions list. */
export interface VersionEntry {
  readonly version: string;
  readonly enabled: boolean;
  /** Epoch ms; 0 when Key Vault sent none. */
  readonly createdOn: number;
}

/** Per-call options: the Mount's signal (with the call timeout) and a per-HTTP-request timeout. */
export interface CallOptions {
  readonly abortSignal: AbortSignal;
  readonly requestOptions: { readonly timeout: number };
}

/** The most versions read for `versionIndex`: 100 of Key Vault's 25-entry pages. */
const MAX_LISTED_VERSIONS = 2_500;

/** Reads one version (the latest when the reference pins none). */
export async function readObject(session: AzureSession, vaultUrl: string, reference: ObjectReference, options: CallOptions): Promise<ObjectRead> {
  const { name, version } = reference;
  const pinned = version === undefined ? options : { ...options, version };
  if (reference.kind === 'secrets') {
    const secret = await session.secrets(vaultUrl).getSecret(name, pinned);
    const { properties } = secret;
    return { kind: 'secrets', value: secret.value ?? '', contentType: properties.contentType, backsCertificate: (properties.certificateKeyId ?? '') !== '', ...attributes(properties) };
  }
  if (reference.kind === 'keys') {
    const key = await session.keys(vaultUrl).getKey(name, pinned);
    return { kind: 'keys', key: key.key ?? {}, ...attributes(key.properties) };
  }
  const client = session.certificates(vaultUrl);
  const certificate = version === undefined ? await client.getCertificate(name, options) : await client.getCertificateVersion(name, version, options);
  return { kind: 'certificates', cer: certificate.cer ?? new Uint8Array(), ...attributes(certificate.properties) };
}

/** Every version of an object, newest first by creation time (needs the `list` permission). */
export async function listVersions(session: AzureSession, vaultUrl: string, kind: ObjectKind, name: string, options: CallOptions): Promise<VersionEntry[]> {
  const entries: VersionEntry[] = [];
  for await (const properties of pages(session, vaultUrl, kind, name, options)) {
    if (entries.length >= MAX_LISTED_VERSIONS) throw new ConfigError(`${kind} "${name}" has more than ${MAX_LISTED_VERSIONS} versions; pin a version to start from`);
    if (properties.version === undefined) continue;
    entries.push({ version: properties.version, enabled: properties.enabled !== false, createdOn: properties.createdOn?.getTime() ?? 0 });
  }
  // Creation times have one-second resolution; versions created in the same second keep the list's
  // order reversed: a later entry of the list is taken as the newer version.
  return entries.map((entry, index) => ({ entry, index })).sort((a, b) => b.entry.createdOn - a.entry.createdOn || b.index - a.index).map(({ entry }) => entry);
}

interface ListedProperties {
  readonly version?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly createdOn?: Date | undefined;
}

function pages(session: AzureSession, vaultUrl: string, kind: ObjectKind, name: string, options: CallOptions): AsyncIterable<ListedProperties> {
  if (kind === 'secrets') return session.secrets(vaultUrl).listPropertiesOfSecretVersions(name, options);
  if (kind === 'keys') return session.keys(vaultUrl).listPropertiesOfKeyVersions(name, options);
  return session.certificates(vaultUrl).listPropertiesOfCertificateVersions(name, options);
}

function attributes(properties: { readonly version?: string | undefined; readonly notBefore?: Date | undefined; readonly expiresOn?: Date | undefined }): VersionAttributes {
  return { version: properties.version ?? '', notBefore: properties.notBefore, expiresOn: properties.expiresOn };
}
