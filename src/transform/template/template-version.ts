/** The object version of a template file, derived from its inputs' versions. */
import { createHash, createHmac } from 'node:crypto';
import { compareCodePoints } from './values.ts';

/**
 * A version that changes when any input's version changes, or an input is added or removed, and
 * only then: a digest of the sorted (name, version) pairs in an unambiguous encoding. With `key`
 * it is an HMAC, so the version reveals nothing about the inputs' versions to whoever reads it.
 */
export function templateVersion(inputVersions: ReadonlyMap<string, string>, key?: Uint8Array): string {
  const pairs = [...inputVersions].sort(([a], [b]) => compareCodePoints(a, b));
  // JSON of [name, version] pairs: quoting makes the encoding injective, so different pairs never collide by concatenation.
  const encoded = JSON.stringify(pairs);
  const digest = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  return digest.update(encoded, 'utf8').digest('hex').slice(0, 32);
}
