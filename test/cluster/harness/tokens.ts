/** ServiceAccount tokens the API server would not issue: expired ones signed with its own key, forged ones signed with another. */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { rsaKey } from './pki.ts';

/**
 * Re-signs the claims of `token` (a real token from the TokenRequest API) with `signingKeyPem`, with
 * `changes` laid over them. The header's `kid` is that of `kidKeyPem` (default the signing key): a forged
 * token names the API server's key, so a verifier looks up the real key and the signature must fail.
 */
export async function resign(token: string, signingKeyPem: string, changes: JWTPayload = {}, kidKeyPem: string = signingKeyPem): Promise<string> {
  const claims = { ...decodeJwt(token), ...changes };
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keyId(kidKeyPem) }).sign(createPrivateKey(signingKeyPem));
}

/** The `kid` the API server gives its tokens and JWKS entries: base64url(SHA-256(DER of the public key)). */
export function keyId(privateKeyPem: string): string {
  const der = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** A key the API server has never seen, for forged tokens. */
export function strangerKey(): string {
  return rsaKey().privatePem;
}

/** Seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
