import test from 'ava';
import { resolveGcpWorkloadIdentity, type GcpWorkloadIdentityFlags } from '../../../src/stores/gcp/workload-identity.ts';

const resolves = test.macro((t, flags: GcpWorkloadIdentityFlags, expected: ReturnType<typeof resolveGcpWorkloadIdentity>) => {
  t.deepEqual(resolveGcpWorkloadIdentity(flags), expected);
});

test('derives the GKE pool and provider from project, location and cluster', resolves, { project: 'shop-prod', clusterLocation: 'europe-west1', clusterName: 'main' }, {
  tokenAudience: 'shop-prod.svc.id.goog',
  stsAudience: 'identitynamespace:shop-prod.svc.id.goog:https://container.googleapis.com/v1/projects/shop-prod/locations/europe-west1/clusters/main',
  pool: 'shop-prod.svc.id.goog',
});
test('takes an explicit GKE provider URL', resolves, { pool: 'shop-prod.svc.id.goog', provider: 'https://container.googleapis.com/v1/projects/shop-prod/locations/us-east1/clusters/b' }, {
  tokenAudience: 'shop-prod.svc.id.goog',
  stsAudience: 'identitynamespace:shop-prod.svc.id.goog:https://container.googleapis.com/v1/projects/shop-prod/locations/us-east1/clusters/b',
  pool: 'shop-prod.svc.id.goog',
});
test('uses the provider name as audience for a federation pool', resolves, { pool: 'projects/123456/locations/global/workloadIdentityPools/k8s-pool', provider: 'onprem-cluster' }, {
  tokenAudience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/k8s-pool/providers/onprem-cluster',
  stsAudience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/k8s-pool/providers/onprem-cluster',
  pool: 'projects/123456/locations/global/workloadIdentityPools/k8s-pool',
});
test('accepts full names and a custom token audience', resolves, {
  pool: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/k8s-pool',
  provider: 'projects/123456/locations/global/workloadIdentityPools/k8s-pool/providers/onprem-cluster',
  tokenAudience: 'courier',
}, {
  tokenAudience: 'courier',
  stsAudience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/k8s-pool/providers/onprem-cluster',
  pool: 'projects/123456/locations/global/workloadIdentityPools/k8s-pool',
});
test('needs a pool or project', resolves, {}, { error: 'no workload identity pool: set --gcp-workload-identity-pool, or --gcp-project on GKE' });
test('needs the cluster for a GKE pool without provider', resolves, { project: 'shop-prod' }, {
  error: 'the GKE pool shop-prod.svc.id.goog needs --gcp-workload-identity-provider, or --gcp-cluster-location and --gcp-cluster-name',
});
test('refuses a pool of neither form', resolves, { pool: 'my-pool' }, {
  error: '--gcp-workload-identity-pool "my-pool" is neither PROJECT.svc.id.goog (GKE) nor projects/NUMBER/locations/global/workloadIdentityPools/POOL',
});
test('needs a provider for a federation pool', resolves, { pool: 'projects/1/locations/global/workloadIdentityPools/k8s-pool' }, {
  error: '--gcp-workload-identity-provider is required with the pool projects/1/locations/global/workloadIdentityPools/k8s-pool',
});
test('refuses a provider of another pool', resolves, { pool: 'projects/1/locations/global/workloadIdentityPools/k8s-pool', provider: 'projects/1/locations/global/workloadIdentityPools/other/providers/p1234' }, {
  error: '--gcp-workload-identity-provider "projects/1/locations/global/workloadIdentityPools/other/providers/p1234" is not a provider ID of the pool projects/1/locations/global/workloadIdentityPools/k8s-pool',
});
