/** What `courier explain` and `courier doctor` learn from the gcp store: the Google identity an object uses, the audience and endpoints it needs. */
import type { ExplainedAccount, IdentityExplanation, StoreFlags, StoreRequirements } from '../store-module.ts';
import { DEFAULT_SECRET_MANAGER_ENDPOINTS } from './locator.ts';
import { DEFAULT_IAM_CREDENTIALS_URL, DEFAULT_STS_URL, gcpOptions, type GcpStoreOptions } from './options.ts';
import { federatedPrincipal, GSA_ANNOTATION, resolveGcpWorkloadIdentity, type GcpWorkloadIdentity } from './workload-identity.ts';

function workloadIdentity(options: GcpStoreOptions): GcpWorkloadIdentity | { readonly error: string } {
  const defined = Object.entries({
    pool: options.workloadIdentityPool,
    provider: options.workloadIdentityProvider,
    tokenAudience: options.tokenAudience,
    project: options.project,
    clusterLocation: options.clusterLocation,
    clusterName: options.clusterName,
  }).filter(([, value]) => value !== undefined);
  return resolveGcpWorkloadIdentity(Object.fromEntries(defined));
}

/** The Google service account of the ServiceAccount's annotation, impersonated by the pod's federated identity; or that identity itself. */
export function explainGcpIdentity(object: { readonly storeParams: Readonly<Record<string, string>> }, account: ExplainedAccount, flags: StoreFlags): IdentityExplanation {
  if (object.storeParams['auth'] === 'provider-adc') return { identity: 'Courier\'s own Google credentials (auth: provider-adc; needs --allow-provider-identity)' };
  const identity = workloadIdentity(gcpOptions(flags));
  if ('error' in identity) return { identity: 'the pod\'s workload identity, but gcp-sm is not configured', problem: identity.error };
  const principal = federatedPrincipal(identity, account.namespace, account.name);
  if (account.annotations === undefined) {
    return { identity: `the Google service account in the ${GSA_ANNOTATION} annotation of ${account.namespace}/${account.name} if it has one (not read), else ${principal}`, tokenAudience: identity.tokenAudience };
  }
  const target = account.annotations[GSA_ANNOTATION]?.trim();
  if (target === undefined || target === '') {
    return { identity: `${principal} directly (no ${GSA_ANNOTATION} annotation on ${account.namespace}/${account.name}; pool ${identity.pool})`, tokenAudience: identity.tokenAudience };
  }
  return { identity: `Google service account ${target} (${GSA_ANNOTATION} of ${account.namespace}/${account.name}), impersonated by ${principal}`, tokenAudience: identity.tokenAudience };
}

/** The pool's token audience, and Secret Manager, STS and IAM Credentials. */
export function gcpRequirements(flags: StoreFlags): StoreRequirements {
  const options = gcpOptions(flags);
  const identity = workloadIdentity(options);
  const secretManager = options.secretManagerEndpoint ?? DEFAULT_SECRET_MANAGER_ENDPOINTS.global;
  return {
    tokenAudiences: 'error' in identity ? [] : [identity.tokenAudience],
    endpoints: [
      { name: 'Google Secret Manager', url: secretManager.includes(':') ? secretManager : `${secretManager}:443` },
      { name: 'Google STS', url: options.stsEndpoint ?? DEFAULT_STS_URL },
      { name: 'Google IAM Credentials', url: options.iamCredentialsEndpoint ?? DEFAULT_IAM_CREDENTIALS_URL },
    ],
    ...('error' in identity ? { notes: [identity.error] } : {}),
  };
}
