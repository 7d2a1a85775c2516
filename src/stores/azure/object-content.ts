/** The bytes a Key Vault object becomes: a secret's value, a certificate's key and chain as PEM (or its PFX), a key's public PEM, a certificate's leaf PEM. */
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { JsonWebKey } from '@azure/keyvault-keys';
import { status } from '../../errors/status-codes.ts';
import { ConfigError, CourierError } from '../../errors/courier-error.ts';
import { bundlePem, openPem, openPfx } from './certificate-bundle.ts';
import type { ObjectRead } from './reads.ts';
import type { AzureTarget } from './settings.ts';

const PKCS12 = 'application/x-pkcs12';
const PEM = 'application/x-pem-file';
const CURVES = ['P-256', 'P-384', 'P-521'];
const encoder = new TextEncoder();

/** Shapes one read as the target asks. Throws a CourierError naming the object. */
export function contentsOf(read: ObjectRead, target: AzureTarget): Uint8Array {
  if (read.kind === 'keys') return encoder.encode(publicKeyPem(read.key, target.what));
  if (read.kind === 'certificates') {
    if (read.cer.byteLength === 0) throw new CourierError(status.FAILED_PRECONDITION, `${target.what} has no certificate yet (is it still pending?)`);
    return encoder.encode(new X509Certificate(read.cer).toString());
  }
  if (!read.backsCertificate) {
    if (target.part !== undefined) throw new ConfigError(`"part" applies to the secret of a certificate, and ${target.what} is a plain secret`, { field: 'part' });
    return encoder.encode(read.value);
  }
  if (read.contentType === PKCS12) {
    // As the Azure provider: pfx mounts the stored base64 (decode it with objectEncoding: base64), pem converts.
    if (target.format === 'pfx') return encoder.encode(read.value);
    return encoder.encode(bundlePem(openPfx(read.value, target.what), target.part, target.what));
  }
  if (read.contentType === PEM) return encoder.encode(target.part === undefined ? read.value : bundlePem(openPem(read.value, target.what), target.part, target.what));
  throw new CourierError(status.FAILED_PRECONDITION, `${target.what} backs a certificate but has content type "${read.contentType ?? ''}", neither ${PKCS12} nor ${PEM}`);
}

/** A Key Vault key's public part as SPKI PEM (`PUBLIC KEY`): RSA, or EC on P-256, P-384 and P-521. */
export function publicKeyPem(key: JsonWebKey, what: string): string {
  const type = (key.kty ?? '').replace(/-HSM$/, '');
  const b64 = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64url');
  let jwk: Record<string, string>;
  if (type === 'RSA') jwk = { kty: 'RSA', n: b64(key.n), e: b64(key.e) };
  else if (type === 'EC' && CURVES.includes(key.crv ?? '')) jwk = { kty: 'EC', crv: key.crv ?? '', x: b64(key.x), y: b64(key.y) };
  else throw new CourierError(status.FAILED_PRECONDITION, `${what} is a ${key.kty ?? 'typeless'}${key.crv === undefined ? '' : ` ${key.crv}`} key; Courier writes public keys of RSA keys and EC keys on ${CURVES.join(', ')}`);
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
}

/** Refuses a version outside its validity (`nbf`/`exp`): Key Vault serves it, but a pod should not get an expired secret. */
export function checkValidity(read: ObjectRead, what: string, now: number = Date.now()): void {
  if (read.expiresOn !== undefined && read.expiresOn.getTime() <= now) {
    throw new CourierError(status.FAILED_PRECONDITION, `${what} (version ${read.version}) expired at ${read.expiresOn.toISOString()}; set a new version or extend its expiry in Key Vault`);
  }
  if (read.notBefore !== undefined && read.notBefore.getTime() > now) {
    throw new CourierError(status.FAILED_PRECONDITION, `${what} (version ${read.version}) is not valid before ${read.notBefore.toISOString()}`);
  }
}
