/** The Azure clouds a SecretProviderClass may name (`cloudName`): Entra ID authority host and Key Vault DNS suffix of each. */

/** One cloud's public endpoints. */
export interface AzureCloud {
  /** The canonical `cloudName` (the Azure provider's names, from the Go SDK's environments). */
  readonly name: string;
  /** `authorityHost` of @azure/identity. */
  readonly authorityHost: string;
  /** Vaults are `https://<vault>.<vaultSuffix>`. */
  readonly vaultSuffix: string;
}

/** The clouds Key Vault runs in. */
export const AZURE_CLOUDS: readonly AzureCloud[] = [
  { name: 'AzurePublicCloud', authorityHost: 'https://login.microsoftonline.com', vaultSuffix: 'vault.azure.net' },
  { name: 'AzureChinaCloud', authorityHost: 'https://login.chinacloudapi.cn', vaultSuffix: 'vault.azure.cn' },
  { name: 'AzureUSGovernmentCloud', authorityHost: 'https://login.microsoftonline.us', vaultSuffix: 'vault.usgovcloudapi.net' },
];

/** Names the Azure provider knows that Courier cannot serve, and why. */
const UNSERVED: Readonly<Record<string, string>> = {
  azuregermancloud: 'Azure Germany (AzureGermanCloud) closed in 2021; its vaults moved to AzurePublicCloud',
  azurestackcloud: 'AzureStackCloud needs cloudEnvFileName, a file on the node, which Courier does not read; the administrator can point Courier at the stack\'s Entra ID with --azure-authority-host',
};

/** The cloud called `name` (case-insensitive, as the Azure provider compares it; empty is the public cloud), or why not. */
export function cloudNamed(name: string | undefined): AzureCloud | { readonly error: string } {
  if (name === undefined || name.trim() === '') return AZURE_CLOUDS[0] as AzureCloud;
  const wanted = name.trim().toLowerCase();
  const cloud = AZURE_CLOUDS.find((candidate) => candidate.name.toLowerCase() === wanted);
  if (cloud) return cloud;
  return { error: UNSERVED[wanted] ?? `"${name}" is not a cloud name; expected one of ${AZURE_CLOUDS.map((candidate) => candidate.name).join(', ')}` };
}
