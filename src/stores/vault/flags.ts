/** The `--vault-*` flags of the vault store and the frozen options they are read into at start-up. */
import { ConfigError } from '../../errors/courier-error.ts';
import type { FlagSpec, StoreFlags } from '../store-module.ts';

/** The administrator's Vault settings, read once from the flags. */
export interface VaultOptions {
  /** `--vault-addr`, normalized (see normalizeAddress); the address of classes that name none. */
  readonly defaultAddress?: string;
  /** Every address a class may name: `--vault-addr` and `--vault-allowed-addrs`, normalized. */
  readonly allowedAddresses: readonly string[];
  /** `--vault-namespace`: Enterprise/OpenBao namespace of classes that name none. */
  readonly defaultNamespace?: string;
  /** `--vault-auth-mount`: auth mount of classes that name none (default `kubernetes`). */
  readonly defaultAuthMount: string;
  readonly tls: AdminTls;
  /** `--vault-lease-fraction`: part of a lease after which a pod's leased value is issued anew. */
  readonly leaseFraction: number;
}

/** TLS settings the administrator gave; class parameters may only repeat them or name files under `classFilesDir`. */
export interface AdminTls {
  readonly caCert?: string;
  readonly caDir?: string;
  readonly serverName?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  /** `--vault-tls-files-dir`: a directory whose files a class may name as its TLS files. */
  readonly classFilesDir?: string;
  /** `--vault-allow-skip-tls-verify`: only then may a class's `vaultSkipTLSVerify: true` take effect. */
  readonly allowSkipVerify: boolean;
}

/** The default of --vault-lease-fraction: a lease is used for two thirds of its time, then issued anew. */
export const DEFAULT_LEASE_FRACTION = 2 / 3;

/** The flags of the vault store; each key is read by readVaultOptions. */
export const VAULT_FLAGS: readonly FlagSpec[] = [
  { name: 'vault-addr', key: 'addr', value: 'url', chartValue: 'stores.vault.address', help: 'Vault or OpenBao address for classes that name none (https://vault.example:8200); enables the vault store' },
  { name: 'vault-allowed-addrs', key: 'allowedAddrs', value: 'urls', chartValue: 'stores.vault.allowedAddresses', help: 'comma-separated further addresses a SecretProviderClass may name (vaultAddress, vault.address); any other is refused before a token is sent' },
  { name: 'vault-namespace', key: 'namespace', value: 'namespace', chartValue: 'stores.vault.namespace', help: 'Vault Enterprise / OpenBao namespace for classes that name none' },
  { name: 'vault-auth-mount', key: 'authMount', value: 'path', chartValue: 'stores.vault.authMount', help: 'auth mount for classes that name none (default kubernetes; a jwt mount works the same way)' },
  { name: 'vault-ca-cert', key: 'caCert', value: 'file', chartValue: 'stores.vault.tls.caCert', help: 'PEM file of the CA certificates Vault\'s server certificate is checked against (default: the system roots)' },
  { name: 'vault-ca-dir', key: 'caDir', value: 'dir', chartValue: 'stores.vault.tls.caDirectory', help: 'directory of PEM CA certificate files, instead of or besides --vault-ca-cert' },
  { name: 'vault-tls-server-name', key: 'tlsServerName', value: 'name', chartValue: 'stores.vault.tls.serverName', help: 'server name to send (SNI) and verify instead of the address\'s host' },
  { name: 'vault-client-cert', key: 'clientCert', value: 'file', chartValue: 'stores.vault.tls.clientCert', help: 'PEM client certificate for Vault listeners that require one' },
  { name: 'vault-client-key', key: 'clientKey', value: 'file', chartValue: 'stores.vault.tls.clientKey', help: 'PEM private key of --vault-client-cert' },
  { name: 'vault-tls-files-dir', key: 'tlsFilesDir', value: 'dir', chartValue: 'stores.vault.tls.classFilesDirectory', help: 'directory under which a class may name its own TLS files (vaultCACertPath, ...); without it a class may only repeat the files above' },
  { name: 'vault-allow-skip-tls-verify', key: 'allowSkipTlsVerify', chartValue: 'stores.vault.tls.allowSkipVerify', help: 'let a class turn off certificate checks (vaultSkipTLSVerify: true); off by default' },
  { name: 'vault-lease-fraction', key: 'leaseFraction', value: 'fraction', chartValue: 'stores.vault.leaseFraction', help: 'part of a lease (dynamic credentials, certificates) after which a pod gets a new one: 0.5, 2/3 (default), 0.9' },
];

/** True when the flags name a Vault address, which turns the store on. */
export function vaultStoreEnabled(flags: StoreFlags): boolean {
  return text(flags, 'addr') !== undefined || text(flags, 'allowedAddrs') !== undefined;
}

/** Reads the flags into options. Throws ConfigError naming the flag at fault. */
export function readVaultOptions(flags: StoreFlags): VaultOptions {
  const addr = text(flags, 'addr');
  const defaultAddress = addr === undefined ? undefined : checkedAddress(addr, '--vault-addr');
  const others = (text(flags, 'allowedAddrs') ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '').map((item) => checkedAddress(item, '--vault-allowed-addrs'));
  const namespace = text(flags, 'namespace');
  const tls: AdminTls = {
    ...optional('caCert', text(flags, 'caCert')),
    ...optional('caDir', text(flags, 'caDir')),
    ...optional('serverName', text(flags, 'tlsServerName')),
    ...optional('clientCert', text(flags, 'clientCert')),
    ...optional('clientKey', text(flags, 'clientKey')),
    ...optional('classFilesDir', text(flags, 'tlsFilesDir')),
    allowSkipVerify: flags['allowSkipTlsVerify'] === true,
  };
  if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) throw new ConfigError('--vault-client-cert and --vault-client-key go together; give both or neither', { field: tls.clientCert === undefined ? '--vault-client-cert' : '--vault-client-key' });
  for (const [flag, path] of [['--vault-ca-cert', tls.caCert], ['--vault-ca-dir', tls.caDir], ['--vault-client-cert', tls.clientCert], ['--vault-client-key', tls.clientKey], ['--vault-tls-files-dir', tls.classFilesDir]] as const) {
    if (path !== undefined && !path.startsWith('/')) throw new ConfigError(`"${path}" must be an absolute path`, { field: flag });
  }
  return Object.freeze({
    ...(defaultAddress === undefined ? {} : { defaultAddress }),
    allowedAddresses: Object.freeze([...new Set([...(defaultAddress === undefined ? [] : [defaultAddress]), ...others])]),
    ...(namespace === undefined ? {} : { defaultNamespace: trimSlashes(namespace) }),
    defaultAuthMount: trimSlashes(text(flags, 'authMount') ?? 'kubernetes'),
    tls: Object.freeze(tls),
    leaseFraction: readFraction(text(flags, 'leaseFraction')),
  });
}

/**
 * The form addresses are compared in: scheme and host in lower case, default ports dropped, no
 * trailing slash. Undefined for anything that is not a plain http(s) URL (credentials, query and
 * fragment are refused: they would change where tokens go or leak into logs).
 */
export function normalizeAddress(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Why `address` cannot be a Vault address, or undefined. Pure; for static checks of class parameters. */
export function addressProblem(address: string): string | undefined {
  return normalizeAddress(address) === undefined ? `"${address}" is not an http:// or https:// URL without credentials, query or fragment` : undefined;
}

/** `a/b/` → `a/b`. */
export function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}

/** Why `value` is no lease fraction, or undefined: a decimal or a/b in (0, 1]. */
export function fractionProblem(value: string): string | undefined {
  const parsed = parseFraction(value);
  return parsed === undefined ? `"${value}" is not a fraction between 0 and 1, such as 0.5, 2/3 or 0.9` : undefined;
}

function readFraction(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LEASE_FRACTION;
  const parsed = parseFraction(value);
  if (parsed === undefined) throw new ConfigError(fractionProblem(value) ?? 'is not a fraction', { field: '--vault-lease-fraction' });
  return parsed;
}

function parseFraction(value: string): number | undefined {
  const ratio = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
  const number = ratio ? Number(ratio[1]) / Number(ratio[2]) : /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isFinite(number) && number > 0 && number <= 1 ? number : undefined;
}

function checkedAddress(address: string, flag: string): string {
  const normalized = normalizeAddress(address);
  if (normalized === undefined) throw new ConfigError(addressProblem(address) ?? 'is not a URL', { field: flag });
  return normalized;
}

function text(flags: StoreFlags, key: string): string | undefined {
  const value = flags[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
