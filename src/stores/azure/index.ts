/** The `azure` store module: Azure Key Vault (`azure-kv`) secrets, keys and certificates, read with the pod's workload identity. */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors/courier-error.ts';
import type { KeyProblem, ParameterSpec, Selector } from '../../spc/store-catalog.ts';
import { lazyBackend } from '../lazy-backend.ts';
import type { StoreModule } from '../store-module.ts';
import { azureDialect } from './dialect.ts';
import { azureRequirements, explainAzureIdentity } from './explain.ts';
import { parseLocator, versionProblem } from './names.ts';
import { AZURE_FLAGS, azureOptions } from './options.ts';
import { AZURE_OBJECT_KEYS, AZURE_SETTING_KEYS, checkAzureSetting, checkObjectOption, parseGoBoolean, type AzureSettingKey } from './settings.ts';

const SETTING_HELP: Readonly<Record<AzureSettingKey, string>> = {
  tenantID: 'the Entra ID tenant (default: the ServiceAccount\'s azure.workload.identity/tenant-id, then --azure-tenant-id)',
  clientID: 'the workload identity\'s client ID (default: the ServiceAccount\'s azure.workload.identity/client-id)',
  cloudName: 'AzurePublicCloud (default), AzureChinaCloud or AzureUSGovernmentCloud',
  useVMManagedIdentity: '"true": the node\'s managed identity (only with --allow-provider-identity)',
  userAssignedIdentityID: 'client ID of the node\'s user-assigned managed identity, with useVMManagedIdentity',
};

const OBJECT_HELP: Readonly<Record<(typeof AZURE_OBJECT_KEYS)[number], string>> = {
  format: 'a certificate\'s secret: pem (default; PKCS#8 key and chain) or pfx (the stored base64 PKCS#12; decode with encoding: base64)',
  part: 'a certificate\'s secret as PEM: only the key, the leaf cert, or the chain',
  versionIndex: 'an older version: 0 is the newest enabled one (or the pinned version), 1 the one before; needs list permission',
};

/** A version pin must be a Key Vault version ID, agree with one in the locator; Key Vault has no stages. */
function checkSelector({ locator, version, stage }: Selector): readonly KeyProblem[] {
  const problems: KeyProblem[] = [];
  if (stage !== undefined) problems.push({ key: 'stage', message: 'Key Vault has no stages; pin a version with "version" instead' });
  const pinProblem = version === undefined || version === 'latest' ? undefined : versionProblem(version);
  if (pinProblem !== undefined) problems.push({ key: 'version', message: pinProblem });
  const parsed = parseLocator(locator);
  if (version !== undefined && !('error' in parsed) && parsed.version !== undefined && parsed.version !== version.toLowerCase()) {
    problems.push({ key: 'version', message: `"${version}" differs from the version ${parsed.version} in the source` });
  }
  return problems;
}

/** Azure Key Vault; always on: each pod brings its own identity, and the SDKs load with the first Azure object. */
export const azureStoreModule: StoreModule = {
  name: 'azure',
  title: 'Azure Key Vault',
  docs: 'docs/azure.md',
  sources: [
    {
      name: 'azure-kv',
      locatorHelp: 'a Key Vault object, <vault>/<secrets|keys|certificates>/<name>[/<version>]',
      checkLocator(locator) {
        const parsed = parseLocator(locator);
        return 'error' in parsed ? parsed.error : undefined;
      },
      checkSelector,
      defaultPath: (locator) => locator.split('/')[2] ?? locator,
      objectParameters: AZURE_OBJECT_KEYS.map((name) => ({ name, help: OBJECT_HELP[name], check: (value: string) => checkObjectOption(name, value) })),
      enableHint: 'it is always on',
    },
  ],
  settings: {
    prefix: 'azure.',
    parameters: AZURE_SETTING_KEYS.map((name): ParameterSpec => ({ name, help: SETTING_HELP[name], check: (value) => checkAzureSetting(name, value) })),
    checkTogether(values) {
      const managed = parseGoBoolean(values['useVMManagedIdentity'] ?? 'false') === true;
      if (values['userAssignedIdentityID'] !== undefined && !managed) return [{ key: 'userAssignedIdentityID', message: 'names a managed identity of the node, which is used only with useVMManagedIdentity: "true"' }];
      if (values['clientID'] !== undefined && managed) return [{ key: 'clientID', message: 'is a workload identity; remove it or useVMManagedIdentity (the managed identity wins, as with the Azure provider)' }];
      return [];
    },
  },
  dialects: [azureDialect],
  flags: AZURE_FLAGS,
  enabled: () => true,
  explainIdentity: explainAzureIdentity,
  requirements: azureRequirements,
  async start(flags, shared) {
    // Flags and the CA file are checked now, at start-up; the SDKs load with the first Azure object.
    const options = azureOptions(flags);
    const ca = options.caFile === undefined ? undefined : await readFile(options.caFile, 'utf8').catch((error: unknown) => {
      throw new ConfigError(`cannot read ${options.caFile ?? ''} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { field: '--azure-ca-file' });
    });
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${options.caFile ?? ''} holds no PEM certificate`, { field: '--azure-ca-file' });
    return [lazyBackend('azure-kv', async () => (await import('./create.ts')).createAzureStore(options, ca, shared))];
  },
};
