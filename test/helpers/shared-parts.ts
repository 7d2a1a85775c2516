/** SharedParts for tests that start stores: no Kubernetes API, no signature check, a fixed version key. */
import { Registry } from 'prom-client';
import { NO_SIGNATURE_CHECK } from '../../src/identity/token-verifier.ts';
import { noKubernetesApi } from '../../src/kube/service-accounts.ts';
import { createContentVersion } from '../../src/output/content-version.ts';
import type { SharedParts } from '../../src/stores/store-module.ts';

/** The fixed key test versions are made with, so a test can compute the version it expects. */
export const TEST_VERSION_KEY = Buffer.alloc(32, 7);

/** Shared parts with every field a harmless default; override what the test is about. */
export function testSharedParts(overrides: Partial<SharedParts> = {}): SharedParts {
  return {
    serviceAccounts: noKubernetesApi('test', 'nothing'),
    allowProviderIdentity: false,
    tokenVerifier: NO_SIGNATURE_CHECK,
    contentVersion: createContentVersion(TEST_VERSION_KEY),
    metricsRegistry: new Registry(),
    ...overrides,
  };
}
