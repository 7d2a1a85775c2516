/** Works out whom a request reads Key Vault as: the pod's workload identity, a service principal from its nodePublishSecretRef, or (if allowed) the node's managed identity. */
import { AuthError, ConfigError } from '../../errors/courier-error.ts';
import type { PodToken } from '../../identity/pod-token.ts';
import { checkedPodToken, type TokenVerifier } from '../../identity/token-verifier.ts';
import type { ServiceAccountReader } from '../../kube/service-accounts.ts';
import type { ContentVersion } from '../../output/content-version.ts';
import type { FetchContext } from '../backend.ts';
import type { AzureCloud } from './clouds.ts';
import { checkAzureSetting, type AzureSettings } from './settings.ts';

/** The audience Azure Workload Identity federates (the `tokenRequests` audience of the CSIDriver). */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';
export const CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';
export const TENANT_ID_ANNOTATION = 'azure.workload.identity/tenant-id';

interface IdentityBase {
  /** Equal for two requests exactly when they may share credentials, clients and fetched values. */
  readonly key: string;
  /** For messages: `workload identity 1234-... of team-a/app (tenant ...)`. */
  readonly who: string;
  readonly cloud: AzureCloud;
}

/** The pod's federated identity: its token is the client assertion. */
export interface WorkloadIdentity extends IdentityBase {
  readonly kind: 'workload';
  readonly tenantId: string;
  readonly clientId: string;
  readonly token: PodToken;
}

/** A service principal whose client secret the pod's nodePublishSecretRef Secret holds. */
export interface ServicePrincipal extends IdentityBase {
  readonly kind: 'service-principal';
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The node's managed identity (Courier's own), only with --allow-provider-identity. */
export interface ManagedIdentity extends IdentityBase {
  readonly kind: 'managed-identity';
  readonly clientId?: string;
}

export type AzureIdentity = WorkloadIdentity | ServicePrincipal | ManagedIdentity;

/** What identity resolution runs with. */
export interface AzureIdentityOptions {
  readonly serviceAccounts: ServiceAccountReader;
  readonly tokenVerifier: TokenVerifier;
  readonly allowProviderIdentity: boolean;
  /** --azure-tenant-id: the tenant of classes and ServiceAccounts that name none. */
  readonly defaultTenantId?: string;
  /** --azure-token-audience (default api://AzureADTokenExchange). */
  readonly tokenAudience: string;
  /** --azure-authority-host, part of every identity key when set. */
  readonly authorityHost?: string;
  /** Keyed hash for client secrets in identity keys (the key never holds the secret itself). */
  readonly secretHash: ContentVersion;
}

/**
 * Resolves the identity of a request, in the Azure provider's order: the node's managed identity
 * when the class asks for it (refused unless the administrator allowed it), workload identity when
 * the class names a clientID, a service principal when the nodePublishSecretRef Secret holds
 * `clientid` and `clientsecret`, otherwise workload identity with the client ID the pod's
 * ServiceAccount is annotated with. Throws AuthError or ConfigError saying what to set.
 */
export async function resolveIdentity(settings: AzureSettings, context: FetchContext, options: AzureIdentityOptions): Promise<AzureIdentity> {
  const authority = options.authorityHost ?? settings.cloud.authorityHost;
  if (settings.useVMManagedIdentity) return managedIdentity(settings, options);
  if (settings.clientId !== undefined) return workloadIdentity(settings, settings.clientId, context, options, authority);
  const principal = servicePrincipalOf(context.secrets ?? {});
  if (principal !== undefined) {
    const tenantId = settings.tenantId ?? options.defaultTenantId;
    if (tenantId === undefined) throw new ConfigError('a service principal needs a tenant: set tenantID (the administrator can set a default with --azure-tenant-id)', { field: 'tenantID' });
    const key = JSON.stringify(['service-principal', settings.cloud.name, authority, tenantId, principal.clientId, options.secretHash(principal.clientSecret)]);
    return { kind: 'service-principal', key, who: `service principal ${principal.clientId} (tenant ${tenantId}, from the nodePublishSecretRef Secret)`, cloud: settings.cloud, tenantId, ...principal };
  }
  return workloadIdentity(settings, undefined, context, options, authority);
}

async function workloadIdentity(settings: AzureSettings, classClientId: string | undefined, context: FetchContext, options: AzureIdentityOptions, authority: string): Promise<WorkloadIdentity> {
  const { pod } = context;
  // Checked on every request, cached values or not: only a pod holding this identity's token is served.
  const token = await checkedPodToken(context.tokens, options.tokenAudience, pod, 'azure-kv', options.tokenVerifier, context.signal);
  const account = `${pod.namespace}/${pod.serviceAccount}`;
  const annotations = classClientId !== undefined && settings.tenantId !== undefined ? {} : await options.serviceAccounts.annotations(pod.namespace, pod.serviceAccount, context.signal);
  const clientId = classClientId ?? annotation(annotations, CLIENT_ID_ANNOTATION, account);
  if (clientId === undefined) {
    throw new AuthError(
      `azure-kv has no client ID for ServiceAccount ${account}: set clientID in the SecretProviderClass, annotate the ServiceAccount with ${CLIENT_ID_ANNOTATION}, or give the pod a nodePublishSecretRef Secret with clientid and clientsecret`,
    );
  }
  const tenantId = settings.tenantId ?? annotation(annotations, TENANT_ID_ANNOTATION, account) ?? options.defaultTenantId;
  if (tenantId === undefined) {
    throw new AuthError(`azure-kv has no tenant for ServiceAccount ${account}: set tenantID in the SecretProviderClass, annotate the ServiceAccount with ${TENANT_ID_ANNOTATION}, or start Courier with --azure-tenant-id`);
  }
  const key = JSON.stringify(['workload', settings.cloud.name, authority, tenantId, clientId, pod.namespace, pod.serviceAccount]);
  return { kind: 'workload', key, who: `workload identity ${clientId} of ${account} (tenant ${tenantId})`, cloud: settings.cloud, tenantId, clientId, token };
}

function managedIdentity(settings: AzureSettings, options: AzureIdentityOptions): ManagedIdentity {
  if (!options.allowProviderIdentity) {
    throw new ConfigError(
      'useVMManagedIdentity reads Key Vault with the node\'s managed identity, which every pod on the node could then use; this Courier does not allow it (the administrator can start it with --allow-provider-identity); use workload identity instead: set clientID, or annotate the ServiceAccount with azure.workload.identity/client-id',
      { field: 'useVMManagedIdentity' },
    );
  }
  const clientId = settings.userAssignedIdentityId;
  const key = JSON.stringify(['managed-identity', settings.cloud.name, clientId ?? '']);
  const who = clientId === undefined ? 'the node\'s system-assigned managed identity' : `the node's user-assigned managed identity ${clientId}`;
  return { kind: 'managed-identity', key, who, cloud: settings.cloud, ...(clientId === undefined ? {} : { clientId }) };
}

/** `clientid` and `clientsecret` of a nodePublishSecretRef Secret (keys in any case, as the Azure provider reads them). */
function servicePrincipalOf(secrets: Readonly<Record<string, string>>): { clientId: string; clientSecret: string } | undefined {
  let clientId: string | undefined;
  let clientSecret: string | undefined;
  for (const [key, value] of Object.entries(secrets)) {
    if (key.toLowerCase() === 'clientid') clientId = value.trim();
    if (key.toLowerCase() === 'clientsecret') clientSecret = value;
  }
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined || clientId === '') throw new ConfigError('the nodePublishSecretRef Secret has a clientsecret but no clientid; add the service principal\'s client ID under clientid', { field: 'nodePublishSecretRef' });
  if (clientSecret === undefined || clientSecret === '') throw new ConfigError(`the nodePublishSecretRef Secret names client ${clientId} but has no clientsecret; add the client secret under clientsecret`, { field: 'nodePublishSecretRef' });
  const problem = checkAzureSetting('clientID', clientId);
  if (problem !== undefined) throw new ConfigError(`clientid of the nodePublishSecretRef Secret: ${problem}`, { field: 'nodePublishSecretRef' });
  return { clientId, clientSecret };
}

/** A client or tenant ID annotation, checked; undefined when absent. */
function annotation(annotations: Readonly<Record<string, string>>, name: string, account: string): string | undefined {
  const value = annotations[name]?.trim();
  if (value === undefined || value === '') return undefined;
  const problem = checkAzureSetting(name === CLIENT_ID_ANNOTATION ? 'clientID' : 'tenantID', value);
  if (problem !== undefined) throw new AuthError(`ServiceAccount ${account} has annotation ${name}: ${problem}`);
  return value;
}
