/** What `courier explain` and `courier doctor` learn from the azure store: the Entra ID identity an object reads Key Vault as, the audience and endpoints it needs. */
import type { ExplainedAccount, IdentityExplanation, StoreFlags, StoreRequirements } from '../store-module.ts';
import { cloudNamed, type AzureCloud } from './clouds.ts';
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from './identity.ts';
import { azureOptions } from './options.ts';
import { AZURE_SETTING_KEYS, checkAzureSetting, parseGoBoolean } from './settings.ts';

const PUBLIC_CLOUD = cloudNamed(undefined) as AzureCloud;

/**
 * The identity in resolveIdentity's order: the node's managed identity, the class's clientID, then the
 * ServiceAccount's annotations. A nodePublishSecretRef service principal is only known at mount time
 * (explain never reads Secrets), so it is named as the alternative.
 */
export function explainAzureIdentity(object: { readonly storeParams: Readonly<Record<string, string>> }, account: ExplainedAccount, flags: StoreFlags): IdentityExplanation {
  const params = object.storeParams;
  const who = `${account.namespace}/${account.name}`;
  for (const key of AZURE_SETTING_KEYS) {
    const problem = params[key] === undefined ? undefined : checkAzureSetting(key, params[key]);
    if (problem !== undefined) return { identity: `Key Vault as ${who}`, problem: `${key}: ${problem}` };
  }
  const options = azureOptions(flags);
  const authority = options.authorityHost ?? (cloudNamed(params['cloudName']) as AzureCloud).authorityHost;
  if (parseGoBoolean(params['useVMManagedIdentity'] ?? 'false') === true) {
    const identity = params['userAssignedIdentityID'] === undefined ? 'the node\'s system-assigned managed identity' : `the node's user-assigned managed identity ${params['userAssignedIdentityID']}`;
    return { identity: `${identity} (useVMManagedIdentity; needs --allow-provider-identity)` };
  }
  const annotations = account.annotations;
  const clientId = params['clientID'] ?? annotations?.[CLIENT_ID_ANNOTATION]?.trim();
  const tenantId = params['tenantID'] ?? annotations?.[TENANT_ID_ANNOTATION]?.trim() ?? options.tenantId;
  const from = params['clientID'] !== undefined ? 'clientID of the class' : `${CLIENT_ID_ANNOTATION} of ${who}`;
  if (clientId === undefined || clientId === '') {
    if (annotations === undefined) return { identity: `the workload identity in the ${CLIENT_ID_ANNOTATION} annotation of ${who} (not read), at ${authority}`, tokenAudience: options.tokenAudience };
    return {
      identity: `a workload identity of ${who}: no client ID, unless the pod's nodePublishSecretRef Secret holds a service principal (clientid, clientsecret)`,
      tokenAudience: options.tokenAudience,
      problem: `set clientID in the SecretProviderClass or annotate ServiceAccount ${who} with ${CLIENT_ID_ANNOTATION}`,
    };
  }
  const tenant = tenantId === undefined || tenantId === '' ? 'no tenant' : `tenant ${tenantId}`;
  const identity = `workload identity ${clientId} (${from}), ${tenant}, federated with the token of ${who} at ${authority}`;
  if (tenantId === undefined || tenantId === '') {
    return { identity, tokenAudience: options.tokenAudience, problem: `set tenantID in the SecretProviderClass, annotate ServiceAccount ${who} with ${TENANT_ID_ANNOTATION}, or start courier with --azure-tenant-id` };
  }
  return { identity, tokenAudience: options.tokenAudience };
}

/**
 * The azure store is always on, so only an --azure-* flag says a cluster uses Azure: then the
 * workload-identity audience is required and Entra ID (--azure-authority-host, else the public
 * cloud's) is checked; without one both are left to a note.
 */
export function azureRequirements(flags: StoreFlags): StoreRequirements {
  const options = azureOptions(flags);
  const vaults = 'Key Vault hosts are named by each class (<vault>.vault.azure.net); classes with cloudName AzureChinaCloud or AzureUSGovernmentCloud use their cloud\'s Entra ID';
  const used = ['tenantId', 'authorityHost', 'tokenAudience'].some((key) => typeof flags[key] === 'string' && flags[key] !== '');
  if (!used) return { tokenAudiences: [], endpoints: [], notes: [`no --azure-tenant-id, --azure-authority-host or --azure-token-audience: not checked whether Entra ID is reachable; classes using workload identity need the audience ${options.tokenAudience}`] };
  return {
    tokenAudiences: [options.tokenAudience],
    endpoints: [{ name: 'Entra ID', url: options.authorityHost ?? PUBLIC_CLOUD.authorityHost }],
    notes: [vaults],
  };
}
