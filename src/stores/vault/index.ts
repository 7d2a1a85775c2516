/** The `vault` store module: HashiCorp Vault and OpenBao (`vault:` sources), with the pod's own Kubernetes or JWT login. */
import type { KeyProblem, Selector } from '../../spc/store-catalog.ts';
import type { StoreModule } from '../store-module.ts';
import { openbaoDialect, vaultDialect } from './dialect.ts';
import { explainVaultIdentity, vaultRequirements } from './explain.ts';
import { readVaultOptions, VAULT_FLAGS, vaultStoreEnabled } from './flags.ts';
import { vaultPathProblem } from './locator.ts';
import { VAULT_OBJECT_PARAMETERS, VAULT_SETTINGS } from './settings.ts';

/** A version pin is a KV v2 version number; Vault has no staging labels. */
function checkSelector({ version, stage }: Selector): readonly KeyProblem[] {
  const problems: KeyProblem[] = [];
  if (stage !== undefined) problems.push({ key: 'stage', message: 'Vault has no staging labels; pin a KV v2 version with "version" instead' });
  if (version !== undefined && !/^[1-9]\d*$/.test(version)) problems.push({ key: 'version', message: `"${version}" is not a KV v2 version number` });
  return problems;
}

/** Vault and OpenBao; on when the administrator names an address (--vault-addr). */
export const vaultStoreModule: StoreModule = {
  name: 'vault',
  title: 'HashiCorp Vault and OpenBao',
  docs: 'docs/vault.md',
  sources: [
    {
      name: 'vault',
      locatorHelp: 'a Vault API path without /v1/, e.g. secret/app/db (Courier adds data/ for KV version 2 mounts)',
      checkLocator: (locator) => vaultPathProblem(locator),
      checkSelector,
      objectParameters: VAULT_OBJECT_PARAMETERS,
      enableHint: 'start it with --vault-addr',
    },
  ],
  settings: { prefix: 'vault.', parameters: VAULT_SETTINGS },
  dialects: [vaultDialect, openbaoDialect],
  flags: VAULT_FLAGS,
  enabled: vaultStoreEnabled,
  explainIdentity: explainVaultIdentity,
  requirements: vaultRequirements,
  async start(flags, shared) {
    const options = readVaultOptions(flags);
    const { createVaultStore } = await import('./create.ts');
    return [createVaultStore(options, shared)];
  },
};
