/** What a vault request carries (its store parameters) and where it goes: address, namespace, auth, role, TLS, all checked against the administrator's flags. */
import { isAbsolute, normalize } from 'node:path';
import { ConfigError } from '../../errors/courier-error.ts';
import type { ParameterSpec } from '../../spc/store-catalog.ts';
import type { FetchRequest } from '../backend.ts';
import { addressProblem, normalizeAddress, trimSlashes, type VaultOptions } from './flags.ts';

/**
 * Store parameter keys. The first seven are what native classes may write (`vault.role`, per-object
 * `method`); the rest only the compatibility dialects set.
 */
export const PARAM = {
  role: 'role',
  address: 'address',
  authMount: 'authMount',
  namespace: 'namespace',
  audience: 'audience',
  method: 'method',
  args: 'args',
  /** `api`: the path is sent as written (the Vault provider's secretPath); otherwise KV v2 paths get `data/`. */
  pathStyle: 'pathStyle',
  /** What the file holds: `data` (default), `provider` (the Vault provider's secretKey lookup), `response` (the whole envelope). */
  shape: 'shape',
  /** `true`: only KV mounts may be read (the legacy format). */
  kvOnly: 'kvOnly',
  /** A query string sent as is (a secretPath's `?version=2`). */
  query: 'query',
  caCert: 'caCert',
  caDir: 'caDir',
  tlsServerName: 'tlsServerName',
  clientCert: 'clientCert',
  clientKey: 'clientKey',
  skipTlsVerify: 'skipTlsVerify',
  caPem: 'caPem',
  /** JSON: setting → the parameter name the class wrote it under, so messages name what the user wrote. */
  fields: 'fields',
} as const;

/** The default audience of the pod token sent to Vault, as the Vault provider's. */
export const DEFAULT_AUDIENCE = 'vault';
export const METHODS = ['GET', 'PUT', 'POST'] as const;
export type VaultMethod = (typeof METHODS)[number];

/** Why a method cannot be used, or undefined. */
export function methodProblem(value: string): string | undefined {
  return (METHODS as readonly string[]).includes(value.toUpperCase()) ? undefined : `"${value}" is not one of ${METHODS.join(', ')}`;
}

/** Why an auth mount or namespace path cannot be used, or undefined. */
export function mountPathProblem(value: string): string | undefined {
  const path = trimSlashes(value);
  if (path === '') return 'must name a path';
  if (path.split('/').some((part) => part === '' || part === '.' || part === '..')) return `"${value}" is not a clean path`;
  if (/[?#\s]/.test(path)) return `"${value}" must not contain "?", "#" or spaces`;
  return undefined;
}

/** The native top-level settings, `vault.<name>`. */
export const VAULT_SETTINGS: readonly ParameterSpec[] = [
  { name: PARAM.role, help: 'the Vault role the pod logs in as (required)' },
  { name: PARAM.address, help: 'the Vault address (default --vault-addr); must be one the administrator allowed', check: addressProblem },
  { name: PARAM.authMount, help: 'the auth mount, a Kubernetes or JWT auth method (default --vault-auth-mount, else kubernetes)', check: mountPathProblem },
  { name: PARAM.namespace, help: 'the Vault Enterprise / OpenBao namespace (default --vault-namespace)', check: mountPathProblem },
  { name: PARAM.audience, help: 'the audience of the pod token sent to Vault (default vault); must be in the CSIDriver\'s tokenRequests' },
];

/** The native per-object keys of `vault:` sources. */
export const VAULT_OBJECT_PARAMETERS: readonly ParameterSpec[] = [
  { name: PARAM.method, help: 'GET (default), or PUT / POST for engines that issue on write (PKI, transit)', check: methodProblem },
  { name: PARAM.args, help: 'a mapping: the JSON body of a PUT/POST, the query parameters of a GET', kind: 'mapping' },
];

/** TLS as one request uses it. File paths are checked against the flags; the agent pool reads them. */
export interface TlsChoice {
  readonly caCert?: string;
  readonly caDir?: string;
  readonly serverName?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
  readonly skipVerify: boolean;
  /** A legacy class's vaultCAPem; the agent pool accepts it only when it is the CA of --vault-ca-cert. */
  readonly caPem?: string;
}

/** Where one request goes and as whom it logs in. */
export interface VaultTarget {
  readonly address: string;
  readonly namespace: string;
  readonly authMount: string;
  readonly role: string;
  readonly audience: string;
  readonly tls: TlsChoice;
  /** The parameter names of the class, for messages. */
  readonly field: (setting: string) => string;
}

const NATIVE_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(VAULT_SETTINGS.map(({ name }) => [name, `vault.${name}`]));
const TLS_FLAGS = { caCert: '--vault-ca-cert', caDir: '--vault-ca-dir', clientCert: '--vault-client-cert', clientKey: '--vault-client-key' } as const;

/**
 * Resolves a request's target from its parameters and the flags. Pure, and run before any token is
 * sent: an address the administrator did not allow, a TLS file outside what the flags permit or a
 * skip-verify the flags forbid are ConfigErrors naming the class parameter.
 */
export function resolveTarget(request: Pick<FetchRequest, 'storeParams'>, options: VaultOptions): VaultTarget {
  const params = request.storeParams;
  const fields = readFields(params[PARAM.fields]);
  const field = (setting: string) => fields[setting] ?? NATIVE_FIELDS[setting] ?? setting;
  const role = params[PARAM.role];
  if (role === undefined || role === '') throw new ConfigError(`no Vault role: set ${field(PARAM.role)} to the role the pod logs in as`);
  return {
    address: resolveAddress(params[PARAM.address], options, field(PARAM.address)),
    namespace: trimSlashes(params[PARAM.namespace] ?? options.defaultNamespace ?? ''),
    authMount: trimSlashes(params[PARAM.authMount] ?? options.defaultAuthMount),
    role,
    audience: params[PARAM.audience] ?? DEFAULT_AUDIENCE,
    tls: resolveTls(params, options, field),
    field,
  };
}

function resolveAddress(written: string | undefined, options: VaultOptions, field: string): string {
  if (written === undefined) {
    if (options.defaultAddress !== undefined) return options.defaultAddress;
    throw new ConfigError(`no Vault address: set ${field} to one of ${options.allowedAddresses.join(', ')}, or start courier with --vault-addr`);
  }
  const address = normalizeAddress(written);
  if (address === undefined) throw new ConfigError(`${field}: ${addressProblem(written) ?? 'is not a URL'}`);
  if (!options.allowedAddresses.includes(address)) {
    throw new ConfigError(
      `${field}: "${written}" is not a Vault address this Courier may send pod tokens to (allowed: ${options.allowedAddresses.join(', ') || 'none'}); remove it to use the default, or ask the administrator to add it to --vault-allowed-addrs`,
    );
  }
  return address;
}

function resolveTls(params: Readonly<Record<string, string>>, options: VaultOptions, field: (setting: string) => string): TlsChoice {
  const admin = options.tls;
  const file = (setting: keyof typeof TLS_FLAGS) => {
    const written = params[setting];
    if (written === undefined) return admin[setting];
    return allowedFile(written, admin[setting], admin.classFilesDir, field(setting), TLS_FLAGS[setting]);
  };
  const skip = params[PARAM.skipTlsVerify] === 'true';
  if (skip && !admin.allowSkipVerify) {
    throw new ConfigError(`${field(PARAM.skipTlsVerify)}: this Courier checks Vault's certificate always (the administrator did not start it with --vault-allow-skip-tls-verify); remove the parameter`);
  }
  const caCert = file('caCert');
  const caDir = file('caDir');
  const clientCert = file('clientCert');
  const clientKey = file('clientKey');
  const serverName = params[PARAM.tlsServerName] ?? admin.serverName;
  const caPem = params[PARAM.caPem];
  return {
    ...(caCert === undefined ? {} : { caCert }),
    ...(caDir === undefined ? {} : { caDir }),
    ...(clientCert === undefined ? {} : { clientCert }),
    ...(clientKey === undefined ? {} : { clientKey }),
    ...(serverName === undefined ? {} : { serverName }),
    ...(caPem === undefined ? {} : { caPem }),
    skipVerify: skip,
  };
}

/**
 * A TLS file a class names is used only when it is the administrator's own file for that setting or
 * lies under --vault-tls-files-dir: otherwise a pod author could make Courier read any file on the
 * node. (The agent pool checks again after resolving symlinks.)
 */
function allowedFile(written: string, adminFile: string | undefined, dir: string | undefined, field: string, flag: string): string {
  const path = normalize(written);
  if (!isAbsolute(path)) throw new ConfigError(`${field}: "${written}" must be an absolute path`);
  if (adminFile !== undefined && normalize(adminFile) === path) return adminFile;
  if (dir !== undefined && path.startsWith(`${normalize(dir).replace(/\/+$/, '')}/`)) return path;
  const allowed = [adminFile === undefined ? undefined : `${flag} (${adminFile})`, dir === undefined ? undefined : `files under --vault-tls-files-dir (${dir})`].filter((item) => item !== undefined);
  throw new ConfigError(
    `${field}: "${written}" is a file on the node that this Courier does not let classes name (allowed: ${allowed.length === 0 ? 'none' : allowed.join(', ')}); remove it to use the administrator's TLS settings`,
  );
}

function readFields(text: string | undefined): Readonly<Record<string, string>> {
  if (text === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** The identity a Vault token is cached under: address, namespace, auth mount, role, and the pod's namespace and service account. */
export function tokenIdentity(target: VaultTarget, namespace: string, serviceAccount: string): string {
  return JSON.stringify([target.address, target.namespace, target.authMount, target.role, namespace, serviceAccount]);
}

/** Requests of one identity key must share TLS settings, so they are part of it. */
export function tlsKey(tls: TlsChoice): string {
  return JSON.stringify([tls.caCert ?? '', tls.caDir ?? '', tls.serverName ?? '', tls.clientCert ?? '', tls.clientKey ?? '', tls.skipVerify, tls.caPem ?? '']);
}
