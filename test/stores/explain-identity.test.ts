import test from 'ava';
import { STORE_MODULES } from '../../src/stores/registry.ts';
import type { ExplainedAccount, StoreFlags, StoreModule } from '../../src/stores/store-module.ts';

const module = (name: string): StoreModule => STORE_MODULES.find((candidate) => candidate.name === name) as StoreModule;
const ACCOUNT = (annotations: Record<string, string> = {}): ExplainedAccount => ({ namespace: 'team-a', name: 'app', annotations });
const ROLE = 'arn:aws:iam::111122223333:role/app';
const GKE: StoreFlags = { project: 'my-project', clusterLocation: 'europe-west1', clusterName: 'prod' };

const explains = test.macro({
  exec(t, store: string, source: string, storeParams: Record<string, string>, account: ExplainedAccount, flags: StoreFlags, expected: object) {
    t.deepEqual(module(store).explainIdentity?.({ source, storeParams }, account, flags), expected);
  },
  title: (title = '') => `explain: ${title}`,
});

test('an IRSA role from the annotation, in the default region', explains, 'aws', 'aws-sm', {}, ACCOUNT({ 'eks.amazonaws.com/role-arn': ROLE }), { region: 'eu-west-1' }, {
  identity: `IAM role ${ROLE} via IRSA (eks.amazonaws.com/role-arn of team-a/app), region eu-west-1`,
  tokenAudience: 'sts.amazonaws.com',
});
test('IRSA without the annotation says what to set', explains, 'aws', 'aws-ssm', { region: 'us-east-1' }, ACCOUNT(), {}, {
  identity: 'IRSA for team-a/app: no IAM role, region us-east-1',
  tokenAudience: 'sts.amazonaws.com',
  problem: 'service account team-a/app has no "eks.amazonaws.com/role-arn" annotation; annotate it with the IAM role, or set usePodIdentity: "true" for EKS Pod Identity',
});
test('an annotation that is not a role ARN', explains, 'aws', 'aws-sm', { region: 'us-east-1' }, ACCOUNT({ 'eks.amazonaws.com/role-arn': 'app-role' }), {}, {
  identity: 'IRSA for team-a/app: "app-role", region us-east-1',
  tokenAudience: 'sts.amazonaws.com',
  problem: 'annotation "eks.amazonaws.com/role-arn" of team-a/app is "app-role", which is not an IAM role ARN',
});
test('EKS Pod Identity with a failover region', explains, 'aws', 'aws-sm', { region: 'us-east-1', failoverRegion: 'us-west-2', usePodIdentity: 'true' }, ACCOUNT(), {}, {
  identity: 'the EKS Pod Identity association of team-a/app, region us-east-1 (failover us-west-2)',
  tokenAudience: 'pods.eks.amazonaws.com',
});
test('no region anywhere', explains, 'aws', 'aws-sm', {}, ACCOUNT({ 'eks.amazonaws.com/role-arn': ROLE }), {}, {
  identity: `IAM role ${ROLE} via IRSA (eks.amazonaws.com/role-arn of team-a/app), region: none (set aws.region or start courier with --aws-region)`,
  tokenAudience: 'sts.amazonaws.com',
  problem: 'no AWS region: set "region" in the SecretProviderClass (native: "aws.region") or start courier with --aws-region / AWS_REGION',
});
test('a Google service account impersonated on GKE', explains, 'gcp', 'gcp-sm', {}, ACCOUNT({ 'iam.gke.io/gcp-service-account': 'app@my-project.iam.gserviceaccount.com' }), GKE, {
  identity: 'Google service account app@my-project.iam.gserviceaccount.com (iam.gke.io/gcp-service-account of team-a/app), impersonated by serviceAccount:my-project.svc.id.goog[team-a/app]',
  tokenAudience: 'my-project.svc.id.goog',
});
test('the federated principal itself without the annotation', explains, 'gcp', 'gcp-sm', {}, ACCOUNT(), { workloadIdentityPool: 'projects/123/locations/global/workloadIdentityPools/pool-1', workloadIdentityProvider: 'kube-1' }, {
  identity: 'principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool-1/subject/system:serviceaccount:team-a:app directly (no iam.gke.io/gcp-service-account annotation on team-a/app; pool projects/123/locations/global/workloadIdentityPools/pool-1)',
  tokenAudience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool-1/providers/kube-1',
});
test('Courier\'s own Google credentials', explains, 'gcp', 'gcp-sm', { auth: 'provider-adc' }, ACCOUNT(), GKE, { identity: 'Courier\'s own Google credentials (auth: provider-adc; needs --allow-provider-identity)' });
test('gcp-sm without a pool', explains, 'gcp', 'gcp-sm', {}, ACCOUNT(), {}, {
  identity: 'the pod\'s workload identity, but gcp-sm is not configured',
  problem: 'no workload identity pool: set --gcp-workload-identity-pool, or --gcp-project on GKE',
});
test('IRSA whose annotations could not be read names the annotation to look at', explains, 'aws', 'aws-sm', {}, { namespace: 'team-a', name: 'app', annotations: undefined }, { region: 'eu-west-1' }, {
  identity: 'the IAM role in the eks.amazonaws.com/role-arn annotation of team-a/app (IRSA; not read), region eu-west-1',
  tokenAudience: 'sts.amazonaws.com',
});
test('the local store uses no identity', explains, 'file', 'file', {}, ACCOUNT(), { dir: '/srv' }, { identity: 'none: a file under --local-store on the node (no pod identity is used)' });

test('every production store declares its identity and its requirements', (t) => {
  for (const store of STORE_MODULES) {
    t.is(typeof store.explainIdentity, 'function', store.name);
    t.is(typeof store.requirements, 'function', store.name);
  }
});

test('aws with a region needs the IRSA audience and its regional endpoints, honouring the SDK\'s endpoint variables', (t) => {
  t.deepEqual(module('aws').requirements?.({ region: 'eu-west-1' }, { AWS_ENDPOINT_URL_STS: 'https://127.0.0.1:4566' }), {
    tokenAudiences: ['sts.amazonaws.com'],
    endpoints: [
      { name: 'AWS STS', url: 'https://127.0.0.1:4566' },
      { name: 'AWS Secrets Manager', url: 'https://secretsmanager.eu-west-1.amazonaws.com' },
      { name: 'AWS SSM', url: 'https://ssm.eu-west-1.amazonaws.com' },
    ],
    notes: ['classes with usePodIdentity: "true" also need the audience pods.eks.amazonaws.com'],
  });
  t.deepEqual(module('aws').requirements?.({}, {}), {
    tokenAudiences: [],
    endpoints: [],
    notes: ['no --aws-region: not checked whether AWS is reachable; classes using IRSA need the audience sts.amazonaws.com, those with usePodIdentity: "true" pods.eks.amazonaws.com'],
  });
});

test('gcp needs the pool\'s audience and Google\'s three endpoints', (t) => {
  t.deepEqual(module('gcp').requirements?.({ ...GKE, secretManagerEndpoint: 'secretmanager-psc.p.googleapis.com' }, {}), {
    tokenAudiences: ['my-project.svc.id.goog'],
    endpoints: [
      { name: 'Google Secret Manager', url: 'secretmanager-psc.p.googleapis.com:443' },
      { name: 'Google STS', url: 'https://sts.googleapis.com/v1/token' },
      { name: 'Google IAM Credentials', url: 'https://iamcredentials.googleapis.com' },
    ],
  });
});

const VAULT: StoreFlags = { addr: 'https://vault.example:8200', allowedAddrs: 'https://vault-eu.example' };
const CLIENT = '11111111-2222-3333-4444-555555555555';
const TENANT = '99999999-8888-7777-6666-555555555555';

test('a Vault role at the default address and auth mount', explains, 'vault', 'vault', { role: 'app' }, ACCOUNT(), VAULT, {
  identity: 'Vault role app via auth/kubernetes at https://vault.example:8200, logged in with the token of team-a/app',
  tokenAudience: 'vault',
});
test('a Vault class naming its own allowed address, mount, namespace and audience', explains, 'vault', 'vault', { role: 'app', address: 'https://vault-eu.example', authMount: 'jwt/', namespace: 'team-a', audience: 'vault-eu' }, ACCOUNT(), VAULT, {
  identity: 'Vault role app via auth/jwt at https://vault-eu.example, namespace team-a, logged in with the token of team-a/app',
  tokenAudience: 'vault-eu',
});
test('a Vault class without a role says what to set', explains, 'vault', 'vault', {}, ACCOUNT(), VAULT, {
  identity: 'a Vault login as team-a/app',
  tokenAudience: 'vault',
  problem: 'no Vault role: set vault.role to the role the pod logs in as',
});
test('a Vault address the administrator did not allow is named before any token is sent', explains, 'vault', 'vault', { role: 'app', address: 'https://evil.example' }, ACCOUNT(), VAULT, {
  identity: 'a Vault login as team-a/app',
  tokenAudience: 'vault',
  problem: 'vault.address: "https://evil.example" is not a Vault address this Courier may send pod tokens to (allowed: https://vault.example:8200, https://vault-eu.example); remove it to use the default, or ask the administrator to add it to --vault-allowed-addrs',
});
test('Vault while the vault store is off', explains, 'vault', 'vault', { role: 'app' }, ACCOUNT(), {}, {
  identity: 'a Vault login as team-a/app, but the vault store is off',
  tokenAudience: 'vault',
  problem: 'start courier with --vault-addr (chart: stores.vault.address)',
});

test('an Azure workload identity from the ServiceAccount\'s annotations', explains, 'azure', 'azure-kv', {}, ACCOUNT({ 'azure.workload.identity/client-id': CLIENT, 'azure.workload.identity/tenant-id': TENANT }), {}, {
  identity: `workload identity ${CLIENT} (azure.workload.identity/client-id of team-a/app), tenant ${TENANT}, federated with the token of team-a/app at https://login.microsoftonline.com`,
  tokenAudience: 'api://AzureADTokenExchange',
});
test('an Azure class clientID in a sovereign cloud, tenant from the flag', explains, 'azure', 'azure-kv', { clientID: CLIENT, cloudName: 'AzureUSGovernmentCloud' }, ACCOUNT(), { tenantId: TENANT }, {
  identity: `workload identity ${CLIENT} (clientID of the class), tenant ${TENANT}, federated with the token of team-a/app at https://login.microsoftonline.us`,
  tokenAudience: 'api://AzureADTokenExchange',
});
test('Azure without a client ID says what to set and names the service-principal alternative', explains, 'azure', 'azure-kv', {}, ACCOUNT(), {}, {
  identity: 'a workload identity of team-a/app: no client ID, unless the pod\'s nodePublishSecretRef Secret holds a service principal (clientid, clientsecret)',
  tokenAudience: 'api://AzureADTokenExchange',
  problem: 'set clientID in the SecretProviderClass or annotate ServiceAccount team-a/app with azure.workload.identity/client-id',
});
test('Azure without a tenant', explains, 'azure', 'azure-kv', { clientID: CLIENT }, ACCOUNT(), {}, {
  identity: `workload identity ${CLIENT} (clientID of the class), no tenant, federated with the token of team-a/app at https://login.microsoftonline.com`,
  tokenAudience: 'api://AzureADTokenExchange',
  problem: 'set tenantID in the SecretProviderClass, annotate ServiceAccount team-a/app with azure.workload.identity/tenant-id, or start courier with --azure-tenant-id',
});
test('the node\'s managed identity', explains, 'azure', 'azure-kv', { useVMManagedIdentity: 'true', userAssignedIdentityID: CLIENT }, ACCOUNT(), {}, {
  identity: `the node's user-assigned managed identity ${CLIENT} (useVMManagedIdentity; needs --allow-provider-identity)`,
});
test('a bad Azure setting is named', explains, 'azure', 'azure-kv', { cloudName: 'Mars' }, ACCOUNT(), {}, {
  identity: 'Key Vault as team-a/app',
  problem: 'cloudName: "Mars" is not a cloud name; expected one of AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud',
});

test('vault needs its audience and every allowed address; azure the workload-identity audience and Entra ID', (t) => {
  t.deepEqual(module('vault').requirements?.(VAULT, {}), {
    tokenAudiences: ['vault'],
    endpoints: [
      { name: 'Vault https://vault.example:8200', url: 'https://vault.example:8200' },
      { name: 'Vault https://vault-eu.example', url: 'https://vault-eu.example' },
    ],
    notes: ['classes that set vault.audience (Vault provider: audience) need that audience in the CSIDriver\'s tokenRequests instead of vault'],
  });
  t.deepEqual(module('vault').requirements?.({ addr: 'ftp://x' }, {})?.endpoints, []);
  t.deepEqual(module('azure').requirements?.({ authorityHost: 'https://login.example', tokenAudience: 'api://custom' }, {}), {
    tokenAudiences: ['api://custom'],
    endpoints: [{ name: 'Entra ID', url: 'https://login.example' }],
    notes: ['Key Vault hosts are named by each class (<vault>.vault.azure.net); classes with cloudName AzureChinaCloud or AzureUSGovernmentCloud use their cloud\'s Entra ID'],
  });
  t.deepEqual(module('azure').requirements?.({ tenantId: TENANT }, {})?.endpoints, [{ name: 'Entra ID', url: 'https://login.microsoftonline.com' }]);
  t.deepEqual(module('azure').requirements?.({}, {}), {
    tokenAudiences: [],
    endpoints: [],
    notes: ['no --azure-tenant-id, --azure-authority-host or --azure-token-audience: not checked whether Entra ID is reachable; classes using workload identity need the audience api://AzureADTokenExchange'],
  });
});
