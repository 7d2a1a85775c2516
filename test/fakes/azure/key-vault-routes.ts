/** Key Vault's read routes: get one version (or the latest) and list versions, for secrets, keys and certificates. */
import type { FakeReply, FakeRequest } from './https-fake.ts';
import { badParameter, disabled, notFound } from './key-vault-errors.ts';
import { secretValueOf, type ObjectKind, type StoredObject } from './key-vault-objects.ts';
import type { FakeVault } from './key-vault-vault.ts';
import { certificateBundle, certificateItem, keyBundle, keyItem, listPage, secretBundle, secretItem } from './key-vault-wire.ts';

/** A parsed object route: `/{kind}/{name}[/{version}]` or `/{kind}/{name}/versions`. */
export interface ObjectRoute {
  readonly kind: ObjectKind;
  readonly name: string;
  /** Empty for the latest version. */
  readonly version: string;
  readonly operation: 'get' | 'list';
}

const KINDS: readonly string[] = ['secrets', 'keys', 'certificates'];
const PAGE_SIZE = 25;

/** Parses a GET path; undefined for anything else. A trailing slash (latest version) is accepted, as the SDKs send it. */
export function parseRoute(path: string): ObjectRoute | undefined {
  const segments = path.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const [kind, name, third] = segments;
  if (kind === undefined || !KINDS.includes(kind) || name === undefined || segments.length > 3) return undefined;
  if (third === 'versions') return { kind: kind as ObjectKind, name, version: '', operation: 'list' };
  return { kind: kind as ObjectKind, name, version: third ?? '', operation: 'get' };
}

/** Answers an authorized GET of one version. */
export function answerGet(vault: FakeVault, route: ObjectRoute, request: FakeRequest): FakeReply {
  const object = vault.find(route.kind, route.name, route.version);
  if (!object) return notFound(route.kind, route.name, route.version);
  if (!object.attributes.enabled) return disabled(route.kind);
  return object.kind === 'secrets' ? answerSecret(vault, object, request.query.get('outContentType')) : { status: 200, body: bundleOf(vault, object) };
}

/** Answers an authorized list of versions, `maxresults` (at most 25) per page, following `$skiptoken`. */
export function answerList(vault: FakeVault, route: ObjectRoute, request: FakeRequest): FakeReply {
  const requested = Number(request.query.get('maxresults') ?? PAGE_SIZE);
  if (!Number.isInteger(requested) || requested < 1 || requested > PAGE_SIZE) return badParameter(`Invalid maxresults value ${String(requested)}; it must be between 1 and ${PAGE_SIZE}.`);
  const offset = Number(Buffer.from(request.query.get('$skiptoken') ?? '', 'base64url').toString() || '0');
  const versions = vault.versions(route.kind, route.name);
  const page = versions.slice(offset, offset + requested).map((object) => itemOf(vault, object));
  const next = offset + requested < versions.length ? Buffer.from(String(offset + requested)).toString('base64url') : undefined;
  const apiVersion = request.query.get('api-version') ?? '';
  const nextLink = next === undefined ? null : `${vault.url}/${route.kind}/${encodeURIComponent(route.name)}/versions?api-version=${apiVersion}&$skiptoken=${next}&maxresults=${requested}`;
  return { status: 200, body: listPage(page, nextLink) };
}

/** A secret, converted to PEM when `outContentType` asks for it and it backs a PFX certificate (the one conversion Key Vault offers). */
function answerSecret(vault: FakeVault, secret: StoredObject & { kind: 'secrets' }, outContentType: string | null): FakeReply {
  if (outContentType === null || outContentType === secret.contentType) return { status: 200, body: secretBundle(vault.url, secret) };
  if (secret.certificate && secret.contentType === 'application/x-pkcs12' && outContentType === 'application/x-pem-file') {
    const pem = secretValueOf(secret.certificate.chain, secret.certificate.key, 'application/x-pem-file');
    return { status: 200, body: secretBundle(vault.url, secret, pem, outContentType) };
  }
  return badParameter(`The secret ${secret.name} cannot be converted to content type '${outContentType}'.`);
}

function bundleOf(vault: FakeVault, object: StoredObject): object {
  if (object.kind === 'secrets') return secretBundle(vault.url, object);
  if (object.kind === 'keys') return keyBundle(vault.url, object);
  return certificateBundle(vault.url, object, true);
}

function itemOf(vault: FakeVault, object: StoredObject): object {
  if (object.kind === 'secrets') return secretItem(vault.url, object);
  if (object.kind === 'keys') return keyItem(vault.url, object);
  return certificateItem(vault.url, object);
}
