/** What `courier explain` and `courier doctor` learn from the aws store: the identity an object uses, the audiences and endpoints it needs. */
import type { ExplainedAccount, IdentityExplanation, StoreFlags, StoreRequirements } from '../store-module.ts';
import { IRSA_AUDIENCE, POD_IDENTITY_AUDIENCE, ROLE_ANNOTATION, ROLE_ARN } from './identity-names.ts';
import { parseBoolean } from './settings.ts';

/** IRSA (the role in the ServiceAccount's annotation) or EKS Pod Identity, in the object's region. */
export function explainAwsIdentity(object: { readonly storeParams: Readonly<Record<string, string>> }, account: ExplainedAccount, flags: StoreFlags): IdentityExplanation {
  const params = object.storeParams;
  const region = params['region'] ?? (typeof flags['region'] === 'string' ? flags['region'] : undefined);
  const where = region === undefined ? ', region: none (set aws.region or start courier with --aws-region)' : `, region ${region}${params['failoverRegion'] ? ` (failover ${params['failoverRegion']})` : ''}`;
  const who = `${account.namespace}/${account.name}`;
  const noRegion = region === undefined ? { problem: 'no AWS region: set "region" in the SecretProviderClass (native: "aws.region") or start courier with --aws-region / AWS_REGION' } : {};
  if (parseBoolean(params['usePodIdentity'] ?? 'false') === true) {
    return { identity: `the EKS Pod Identity association of ${who}${where}`, tokenAudience: POD_IDENTITY_AUDIENCE, ...noRegion };
  }
  if (account.annotations === undefined) return { identity: `the IAM role in the ${ROLE_ANNOTATION} annotation of ${who} (IRSA; not read)${where}`, tokenAudience: IRSA_AUDIENCE, ...noRegion };
  const role = account.annotations[ROLE_ANNOTATION];
  if (role === undefined || role === '') {
    return {
      identity: `IRSA for ${who}: no IAM role${where}`,
      tokenAudience: IRSA_AUDIENCE,
      problem: `service account ${who} has no "${ROLE_ANNOTATION}" annotation; annotate it with the IAM role, or set usePodIdentity: "true" for EKS Pod Identity`,
    };
  }
  if (!ROLE_ARN.test(role)) return { identity: `IRSA for ${who}: "${role}"${where}`, tokenAudience: IRSA_AUDIENCE, problem: `annotation "${ROLE_ANNOTATION}" of ${who} is "${role}", which is not an IAM role ARN` };
  return { identity: `IAM role ${role} via IRSA (${ROLE_ANNOTATION} of ${who})${where}`, tokenAudience: IRSA_AUDIENCE, ...noRegion };
}

/** The SDK's endpoint variables (AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL), else the regional endpoint. */
const SERVICES = [
  ['STS', 'STS', 'sts'],
  ['Secrets Manager', 'SECRETS_MANAGER', 'secretsmanager'],
  ['SSM', 'SSM', 'ssm'],
] as const;

/**
 * The aws store is always on, so only --aws-region says a cluster uses AWS: then IRSA's audience is
 * required and the regional endpoints are checked; without it both are left to a note.
 */
export function awsRequirements(flags: StoreFlags, env: Readonly<Record<string, string | undefined>>): StoreRequirements {
  const region = typeof flags['region'] === 'string' ? flags['region'] : undefined;
  const notes = [`classes with usePodIdentity: "true" also need the audience ${POD_IDENTITY_AUDIENCE}`];
  if (region === undefined) {
    return { tokenAudiences: [], endpoints: [], notes: [`no --aws-region: not checked whether AWS is reachable; classes using IRSA need the audience ${IRSA_AUDIENCE}, those with usePodIdentity: "true" ${POD_IDENTITY_AUDIENCE}`] };
  }
  const endpoints = SERVICES.map(([name, variable, host]) => ({ name: `AWS ${name}`, url: env[`AWS_ENDPOINT_URL_${variable}`] ?? env['AWS_ENDPOINT_URL'] ?? `https://${host}.${region}.amazonaws.com` }));
  return { tokenAudiences: [IRSA_AUDIENCE], endpoints, notes };
}
