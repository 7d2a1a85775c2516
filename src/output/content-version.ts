/** Object versions that change with the content but do not reveal it: a keyed hash (HMAC-SHA256) of the bytes. */
import { createHmac, randomBytes } from 'node:crypto';

/** Turns content (or a list of input versions) into a version string. */
export type ContentVersion = (contents: Uint8Array | string) => string;

/**
 * A version function keyed with `key`. A plain hash of a short secret would let anyone who sees the
 * version (it is in the SecretProviderClassPodStatus and in logs) test guesses of the secret offline;
 * with a per-installation key they cannot. 16 hex digits (64 bits) tell versions apart.
 */
export function createContentVersion(key: Uint8Array): ContentVersion {
  if (key.byteLength < 16) throw new Error('the version key must be at least 16 bytes');
  return (contents) => `hmac-${createHmac('sha256', key).update(contents).digest('hex').slice(0, 16)}`;
}

/** A random key, for a Courier started without --version-key-file: versions then change when it restarts. */
export function randomVersionKey(): Buffer {
  return randomBytes(32);
}
