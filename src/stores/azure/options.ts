/** The `--azure-*` flags of the azure store and their reading into checked options, kept free of Azure libraries so the CLI starts fast. */
import { ConfigError } from '../../errors/courier-error.ts';
import type { FlagSpec, StoreFlags } from '../store-module.ts';
import { WORKLOAD_IDENTITY_AUDIENCE } from './identity.ts';
import { checkAzureSetting } from './settings.ts';

/** Where connections to one host name (or `*.suffix`) go instead of its DNS address; the TLS name stays the host's. */
export interface ConnectRoute {
  readonly host: string;
  readonly address: string;
  readonly port: number;
}

/** The azure store's settings. */
export interface AzureOptions {
  readonly tenantId?: string;
  readonly authorityHost?: string;
  readonly tokenAudience: string;
  readonly connectTo: readonly ConnectRoute[];
  readonly caFile?: string;
}

/** The flags; each key is a field of the store's StoreFlags. */
export const AZURE_FLAGS: readonly FlagSpec[] = [
  { name: 'azure-tenant-id', key: 'tenantId', value: 'tenant', chartValue: 'stores.azure.tenantId', help: 'Entra ID tenant for classes and ServiceAccounts that name none (tenantID, azure.workload.identity/tenant-id)' },
  { name: 'azure-authority-host', key: 'authorityHost', value: 'url', chartValue: 'stores.azure.authorityHost', help: 'Entra ID authority host for every class, replacing the cloud\'s (sovereign or private clouds; default from cloudName)' },
  { name: 'azure-token-audience', key: 'tokenAudience', value: 'audience', chartValue: 'stores.azure.tokenAudience', help: `tokenRequests audience of the pod tokens sent to Entra ID as client assertions (default ${WORKLOAD_IDENTITY_AUDIENCE})` },
  { name: 'azure-connect-to', key: 'connectTo', value: 'host=address:port,...', help: 'connect to these addresses instead of the hosts\' DNS answers, keeping the host names for TLS (*.suffix matches one label; development and tests)' },
  { name: 'azure-ca-file', key: 'caFile', value: 'file', help: 'PEM file of CA certificates trusted for Entra ID and Key Vault besides the system\'s (TLS-inspecting proxies, tests)' },
];

const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;
const ADDRESS = /^(\[[0-9a-f:]+\]|[a-z0-9.-]+):(\d{1,5})$/i;

/** The flags as checked options. Throws ConfigError naming the flag. */
export function azureOptions(flags: StoreFlags): AzureOptions {
  const text = (key: string) => {
    const value = flags[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const tenantId = text('tenantId');
  if (tenantId !== undefined) {
    const problem = checkAzureSetting('tenantID', tenantId);
    if (problem !== undefined) throw new ConfigError(problem, { field: '--azure-tenant-id' });
  }
  const authorityHost = text('authorityHost');
  if (authorityHost !== undefined && !/^https:\/\/[^/?#]+\/?$/.test(authorityHost)) {
    throw new ConfigError(`"${authorityHost}" must be an https:// URL of a host, such as https://login.microsoftonline.com`, { field: '--azure-authority-host' });
  }
  const caFile = text('caFile');
  return Object.freeze({
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(authorityHost === undefined ? {} : { authorityHost: authorityHost.replace(/\/$/, '') }),
    tokenAudience: text('tokenAudience') ?? WORKLOAD_IDENTITY_AUDIENCE,
    connectTo: parseConnectTo(text('connectTo') ?? ''),
    ...(caFile === undefined ? {} : { caFile }),
  });
}

/** `host=address:port,...` (host may be `*.suffix`); throws ConfigError naming the entry at fault. */
export function parseConnectTo(text: string): ConnectRoute[] {
  if (text.trim() === '') return [];
  return text.split(',').map((entry) => {
    const [host = '', target = '', ...rest] = entry.trim().split('=');
    const address = ADDRESS.exec(target);
    const port = Number(address?.[2]);
    if (rest.length > 0 || !HOST.test(host.toLowerCase()) || !address || port < 1 || port > 65_535) {
      throw new ConfigError(`"${entry.trim()}" must be host=address:port, e.g. login.microsoftonline.com=127.0.0.1:8443 or *.vault.azure.net=10.0.0.5:443`, { field: '--azure-connect-to' });
    }
    return { host: host.toLowerCase(), address: (address[1] ?? '').replace(/^\[|\]$/g, ''), port };
  });
}
