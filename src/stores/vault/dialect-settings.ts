/** The top-level parameters of the Vault and OpenBao providers' classes, by the names each provider reads, turned into store parameters. Pure. */
import type { IssueList } from '../../spc/fields.ts';
import { addressProblem } from './flags.ts';
import { mountPathProblem, PARAM } from './settings.ts';

/** The settings a Vault-provider class may carry. */
export type DialectSetting = 'role' | 'address' | 'namespace' | 'kubernetesMount' | 'authMount' | 'audience' | 'caCert' | 'caDir' | 'tlsServerName' | 'clientCert' | 'clientKey' | 'skipTlsVerify';

/** How one provider spells its parameters. */
export interface ProviderNames {
  /** The dialect (and compatibility socket) name. */
  readonly dialect: 'vault' | 'openbao';
  /** The pod-token audience when the class names none, as that provider's default. */
  readonly defaultAudience: string;
  /** Accepted parameter names per setting, in the provider's order of precedence. */
  readonly settings: Readonly<Record<DialectSetting, readonly string[]>>;
  /** Further top-level keys (the legacy format's vaultCAPem and KubernetesServiceAccountPath). */
  readonly extraKeys: readonly string[];
}

/** HashiCorp's vault-csi-provider, current and legacy releases. */
export const VAULT_NAMES: ProviderNames = {
  dialect: 'vault',
  defaultAudience: 'vault',
  settings: {
    role: ['roleName'],
    address: ['vaultAddress'],
    namespace: ['vaultNamespace'],
    kubernetesMount: ['vaultKubernetesMountPath'],
    authMount: ['vaultAuthMountPath'],
    audience: ['audience'],
    caCert: ['vaultCACertPath'],
    caDir: ['vaultCADirectory'],
    tlsServerName: ['vaultTLSServerName'],
    clientCert: ['vaultTLSClientCertPath'],
    clientKey: ['vaultTLSClientKeyPath'],
    skipTlsVerify: ['vaultSkipTLSVerify'],
  },
  extraKeys: ['vaultCAPem', 'KubernetesServiceAccountPath'],
};

/** The openbao-csi-provider: `bao*` names, then its earlier `openbao*` and the Vault provider's `vault*`. */
export const OPENBAO_NAMES: ProviderNames = {
  dialect: 'openbao',
  defaultAudience: 'openbao',
  settings: Object.fromEntries(
    (Object.entries(VAULT_NAMES.settings) as Array<[DialectSetting, readonly string[]]>).map(([setting, [vaultName]]) => {
      if (setting === 'audience') return [setting, ['audience']];
      if (setting === 'role') return [setting, ['roleName', 'baoRoleName', 'openbaoRoleName', 'vaultRoleName']];
      const suffix = (vaultName ?? '').slice('vault'.length);
      return [setting, [`bao${suffix}`, `openbao${suffix}`, `vault${suffix}`]];
    }),
  ) as unknown as Record<DialectSetting, readonly string[]>,
  extraKeys: [],
};

/** Every top-level key a provider's classes may carry besides `objects`. */
export function providerParameterKeys(names: ProviderNames): string[] {
  return [...Object.values(names.settings).flat(), ...names.extraKeys];
}

const STORE_PARAM: Partial<Record<DialectSetting, string>> = {
  role: PARAM.role,
  address: PARAM.address,
  namespace: PARAM.namespace,
  audience: PARAM.audience,
  caCert: PARAM.caCert,
  caDir: PARAM.caDir,
  tlsServerName: PARAM.tlsServerName,
  clientCert: PARAM.clientCert,
  clientKey: PARAM.clientKey,
};

/** Go's strconv.ParseBool spellings, which the providers read vaultSkipTLSVerify with. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * Reads a class's top-level settings into the store parameters every object carries. Every problem
 * is added to `issues` with the parameter as written. `fields` (in the result) tells the store which
 * name each setting was written under, so its run-time messages (an address not allowed) name it too.
 */
export function readProviderSettings(parameters: Readonly<Record<string, string>>, names: ProviderNames, issues: IssueList): Record<string, string> {
  const found = new Map<DialectSetting, { readonly key: string; readonly value: string }>();
  for (const [setting, keys] of Object.entries(names.settings) as Array<[DialectSetting, readonly string[]]>) {
    const key = keys.find((name) => parameters[name] !== undefined && parameters[name] !== '');
    if (key !== undefined) found.set(setting, { key, value: parameters[key] as string });
  }
  const params: Record<string, string> = {};
  const fields: Record<string, string> = {};
  const set = (param: string, { key, value }: { key: string; value: string }) => {
    params[param] = value;
    fields[param] = key;
  };
  const role = found.get('role');
  if (role === undefined) issues.add(names.settings.role[0] ?? 'roleName', 'is required: the Vault role the pod logs in as');
  const kubernetes = found.get('kubernetesMount');
  const auth = found.get('authMount');
  if (kubernetes !== undefined && auth !== undefined) issues.add(auth.key, `cannot be set together with ${kubernetes.key}; they name the same auth mount`);
  const mount = auth ?? kubernetes;
  if (mount !== undefined) {
    const problem = mountPathProblem(mount.value);
    if (problem === undefined) set(PARAM.authMount, mount);
    else issues.add(mount.key, problem);
  }
  for (const [setting, param] of Object.entries(STORE_PARAM) as Array<[DialectSetting, string]>) {
    const entry = found.get(setting);
    if (entry === undefined) continue;
    const problem = setting === 'address' ? addressProblem(entry.value) : setting === 'namespace' ? mountPathProblem(entry.value) : undefined;
    if (problem === undefined) set(param, entry);
    else issues.add(entry.key, problem);
  }
  if (params[PARAM.audience] === undefined) params[PARAM.audience] = names.defaultAudience;
  const skip = found.get('skipTlsVerify');
  if (skip !== undefined) {
    const value = parseGoBool(skip.value);
    if (value === undefined) issues.add(skip.key, `must be true or false, not "${skip.value}"`);
    else if (value) set(PARAM.skipTlsVerify, { key: skip.key, value: 'true' });
  }
  const pem = parameters['vaultCAPem'];
  if (names.extraKeys.includes('vaultCAPem') && pem !== undefined && pem !== '') set(PARAM.caPem, { key: 'vaultCAPem', value: pem });
  params[PARAM.fields] = JSON.stringify(fields);
  return params;
}
