/** Key Vault's error replies: `{"error":{"code","message","innererror"?}}` with the status and headers it sends. */
import type { FakeReply } from './https-fake.ts';
import type { ObjectKind } from './key-vault-objects.ts';

const SINGULAR: Record<ObjectKind, string> = { secrets: 'secret', keys: 'key', certificates: 'certificate' };
const CAPITAL: Record<ObjectKind, string> = { secrets: 'Secret', keys: 'Key', certificates: 'Certificate' };

/** A Key Vault error body. */
export function vaultError(status: number, code: string, message: string, inner?: string, headers?: Readonly<Record<string, string>>): FakeReply {
  return { status, ...(headers ? { headers } : {}), body: { error: { code, message, ...(inner === undefined ? {} : { innererror: { code: inner } }) } } };
}

/** 401 with the challenge the SDK's authentication policy answers: where to get a token, and for which resource. */
export function challenge(entraHost: string, tenantId: string, resource: string, message: string): FakeReply {
  return vaultError(401, 'Unauthorized', message, undefined, { 'www-authenticate': `Bearer authorization="https://${entraHost}/${tenantId}", resource="${resource}"` });
}

/** 404 `SecretNotFound` / `KeyNotFound` / `CertificateNotFound`. */
export function notFound(kind: ObjectKind, name: string, version: string): FakeReply {
  const what = SINGULAR[kind];
  const id = version === '' ? name : `${name}/${version}`;
  return vaultError(
    404,
    `${CAPITAL[kind]}NotFound`,
    `A ${what} with (name/id) ${id} was not found in this key vault. If you recently deleted this ${what} you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

/** 403 for a disabled version (`SecretDisabled`, ...). */
export function disabled(kind: ObjectKind): FakeReply {
  return vaultError(403, 'Forbidden', `Operation get is not allowed on a disabled ${SINGULAR[kind]}.`, `${CAPITAL[kind]}Disabled`);
}

/** The body of an injected status: throttling, server errors. */
export function injected(status: number): FakeReply {
  if (status === 429) return vaultError(429, 'Throttled', 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached');
  if (status === 503) return vaultError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.');
  return vaultError(status, 'InternalServerError', 'An unexpected error occurred.');
}

/** 400 for a request the fake cannot take (bad api-version, unknown route, unsupported conversion). */
export function badParameter(message: string): FakeReply {
  return vaultError(400, 'BadParameter', message);
}
