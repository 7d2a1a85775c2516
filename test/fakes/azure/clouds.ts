/** The Azure clouds the fakes impersonate: Entra ID host, Key Vault DNS suffix and resource per cloud. */

/** One cloud's public endpoints (the real names; the loopback agent routes them to the fakes). */
export interface AzureCloud {
  /** The Azure provider's `cloudName` value. */
  readonly name: string;
  /** `https://<host>` is the authority host (`authorityHost` of @azure/identity). */
  readonly entraHost: string;
  /** Where MSAL really sends requests when its built-in metadata prefers another alias of `entraHost`. */
  readonly entraNetworkHost: string;
  /** Vaults are `https://<vault>.<vaultSuffix>`. */
  readonly vaultSuffix: string;
  /** The audience of Key Vault access tokens and the challenge's `resource`. */
  readonly vaultResource: string;
}

/** The clouds a real Key Vault exists in (Azure Germany is retired). */
export const AZURE_CLOUDS: readonly AzureCloud[] = [
  { name: 'AzurePublicCloud', entraHost: 'login.microsoftonline.com', entraNetworkHost: 'login.microsoftonline.com', vaultSuffix: 'vault.azure.net', vaultResource: 'https://vault.azure.net' },
  // MSAL Node's built-in instance metadata maps login.chinacloudapi.cn to login.partner.microsoftonline.cn.
  { name: 'AzureChinaCloud', entraHost: 'login.chinacloudapi.cn', entraNetworkHost: 'login.partner.microsoftonline.cn', vaultSuffix: 'vault.azure.cn', vaultResource: 'https://vault.azure.cn' },
  { name: 'AzureUSGovernmentCloud', entraHost: 'login.microsoftonline.us', entraNetworkHost: 'login.microsoftonline.us', vaultSuffix: 'vault.usgovcloudapi.net', vaultResource: 'https://vault.usgovcloudapi.net' },
];

/** The cloud called `name` (case-insensitive, as the Azure provider compares it). */
export function cloudNamed(name = 'AzurePublicCloud'): AzureCloud {
  const cloud = AZURE_CLOUDS.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!cloud) throw new Error(`unknown Azure cloud ${name}`);
  return cloud;
}

/** The cloud an Entra ID host name (or its network alias) belongs to, if any. */
export function cloudOfEntraHost(host: string): AzureCloud | undefined {
  return AZURE_CLOUDS.find((cloud) => cloud.entraHost === host || cloud.entraNetworkHost === host);
}

/** Every Entra ID host name of every cloud, aliases included. */
export function entraHostNames(): string[] {
  return [...new Set(AZURE_CLOUDS.flatMap((cloud) => [cloud.entraHost, cloud.entraNetworkHost]))];
}
