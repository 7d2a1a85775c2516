/** Builds what every store shares (SharedParts) from the command's options, the same way for `serve` and `mount`. */
import { readFile } from 'node:fs/promises';
import type { Registry } from 'prom-client';
import { createContentVersion, randomVersionKey } from '../output/content-version.ts';
import type { ServeOptions } from '../server/options.ts';
import type { SharedParts } from '../stores/store-module.ts';
import type { LazyKube } from './lazy-kube.ts';
import { createTokenVerifier } from './token-verification.ts';

/** The options the shared parts are built from. */
export type SharedOptions = Pick<ServeOptions, 'allowProviderIdentity' | 'verifyTokens' | 'tokenIssuer' | 'tokenJwksUrl' | 'versionKeyFile'>;

/**
 * The parts stores share. The version key is read now, at start-up: `--version-key-file` (at least 16
 * bytes, e.g. a Kubernetes Secret mounted as a file), else a random key for this process.
 */
export async function createSharedParts(options: SharedOptions, kube: LazyKube, metricsRegistry: Registry): Promise<SharedParts> {
  const key = options.versionKeyFile === undefined ? randomVersionKey() : await readVersionKey(options.versionKeyFile);
  return {
    serviceAccounts: kube.serviceAccounts,
    allowProviderIdentity: options.allowProviderIdentity === true,
    tokenVerifier: await createTokenVerifier(options, kube),
    contentVersion: createContentVersion(key),
    metricsRegistry,
  };
}

async function readVersionKey(file: string): Promise<Buffer> {
  const key = await readFile(file).catch((error: unknown) => {
    throw new Error(`--version-key-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  });
  if (key.byteLength < 16) throw new Error(`--version-key-file: ${file} holds ${key.byteLength} bytes; the key needs at least 16`);
  return key;
}
