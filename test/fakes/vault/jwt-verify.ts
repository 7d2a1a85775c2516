/** JWT checks as Vault's auth methods make them: signature against configured keys, then iss, sub, aud and times. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';

/** Algorithms Vault's Kubernetes and JWT auth methods accept by default. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** A public key as configured: PEM text (`pem_keys`, `jwt_validation_pubkeys`) or one JWK of a JWKS. */
export type PublicKeyInput = string | JWK;

/** Turns configured keys into key objects. */
export function importPublicKeys(keys: readonly PublicKeyInput[]): KeyObject[] {
  return keys.map((key) => (typeof key === 'string' ? createPublicKey(key) : createPublicKey({ key, format: 'jwk' })));
}

/** What the token must satisfy. Leeways in seconds; 0 means the default (clock skew 60, exp and nbf 150). */
export interface JwtExpectations {
  readonly issuer?: string;
  readonly subject?: string;
  readonly audiences?: readonly string[];
  readonly algorithms?: readonly string[];
  readonly nowSeconds: number;
  readonly clockSkewLeeway?: number;
  readonly expirationLeeway?: number;
  readonly notBeforeLeeway?: number;
  /** Kubernetes auth allows a token without iat, nbf and exp; JWT auth does not. */
  readonly allowMissingTimes?: boolean;
}

/** Claims of a valid token, or the error text Vault's validator gives (`signature` marks a bad signature). */
export type JwtResult = { readonly claims: Record<string, unknown> } | { readonly error: string; readonly signature?: boolean };

/**
 * Verifies `token`. With `keys` undefined the signature is not checked (Kubernetes auth without
 * `pem_keys`, which then relies on a TokenReview), but the token must still parse.
 */
export async function verifyJwt(token: string, keys: readonly KeyObject[] | undefined, expected: JwtExpectations): Promise<JwtResult> {
  const signature = await checkSignature(token, keys);
  if (signature) return { error: `error verifying token signature: ${signature}`, signature: true };
  const header = decodeProtectedHeader(token);
  if (!(expected.algorithms ?? DEFAULT_ALGORITHMS).includes(String(header.alg))) return { error: 'invalid algorithm (alg) header parameter: token signed with unexpected algorithm' };
  const claims = decodeJwt(token) as Record<string, unknown>;
  if (expected.issuer && claims.iss !== expected.issuer) return { error: 'invalid issuer (iss) claim' };
  if (expected.subject && claims.sub !== expected.subject) return { error: 'invalid subject (sub) claim' };
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.map(String) : [];
  if (expected.audiences && expected.audiences.length > 0 && !expected.audiences.some((aud) => audiences.includes(aud))) {
    return { error: 'invalid audience (aud) claim: audience claim does not match any expected audience' };
  }
  const timeError = checkTimes(claims, expected);
  return timeError ? { error: timeError } : { claims };
}

async function checkSignature(token: string, keys: readonly KeyObject[] | undefined): Promise<string | undefined> {
  try {
    decodeProtectedHeader(token);
    decodeJwt(token);
  } catch {
    return 'malformed token';
  }
  if (keys === undefined) return undefined;
  for (const key of keys) {
    try {
      await compactVerify(token, key);
      return undefined;
    } catch {
      // try the next key, as Vault's static key set does
    }
  }
  return 'no known key successfully validated the token signature';
}

function checkTimes(claims: Record<string, unknown>, expected: JwtExpectations): string | undefined {
  const seconds = (value: unknown) => (typeof value === 'number' ? value : 0);
  const iat = seconds(claims.iat);
  let exp = seconds(claims.exp);
  let nbf = seconds(claims.nbf);
  if (iat === 0 && exp === 0 && nbf === 0) {
    return expected.allowMissingTimes ? undefined : 'no issued at (iat), not before (nbf), or expiration time (exp) claims in token';
  }
  if (exp === 0) exp = Math.max(iat, nbf) + (expected.expirationLeeway || 150);
  if (nbf === 0) nbf = iat !== 0 ? iat : exp - (expected.notBeforeLeeway || 150);
  const skew = expected.clockSkewLeeway || 60;
  const now = expected.nowSeconds;
  if (now + skew < nbf) return 'invalid not before (nbf) claim: token not yet valid';
  if (now - skew > exp) return 'invalid expiration time (exp) claim: token is expired';
  if (iat !== 0 && now + skew < iat) return 'invalid issued at (iat) claim: token issued in the future';
  return undefined;
}
