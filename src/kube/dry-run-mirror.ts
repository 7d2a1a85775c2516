/** A SecretMirror that only reports what it would write (names, types, keys; never data), for `courier mount`. */
import type { SecretMirror } from './secret-mirror.ts';

/**
 * Validates like the real mirror (the Secrets it receives were built and checked already) and
 * reports each Secret through `report` instead of writing it.
 */
export function createDryRunMirror(report: (line: string) => void): SecretMirror {
  return {
    apply(secrets, pod) {
      for (const secret of secrets) {
        report(`would mirror Secret ${pod.namespace}/${secret.name} (${secret.type}) with keys ${Object.keys(secret.data).join(', ')}; add --mirror to write it`);
      }
      return Promise.resolve();
    },
  };
}
