import test from 'ava';
import { gcpOptions } from '../../../src/stores/gcp/options.ts';
import { createGcpStore } from '../../../src/stores/gcp/setup.ts';
import { fakePodToken } from '../../helpers/pod-token.ts';

test('leaves gcp-sm off without a pool or project', (t) => {
  t.is(createGcpStore({ stsEndpoint: 'https://sts.example' }, false), undefined);
});

test('turns gcp-sm on from a GKE project, location and cluster', async (t) => {
  const store = createGcpStore({ project: 'shop-prod', clusterLocation: 'europe-west1', clusterName: 'main' }, false);
  t.is(store?.store, 'gcp-sm');
  await store?.close();
});

const refuses = test.macro((t, options: Parameters<typeof createGcpStore>[0], expected: string) => {
  const error = t.throws(() => createGcpStore(options, false));
  t.is(error?.message, expected);
});
test('refuses an http STS endpoint without --gcp-plaintext', refuses, { project: 'shop-prod', clusterLocation: 'l', clusterName: 'c', stsEndpoint: 'http://127.0.0.1:1/v1/token' },
  '--gcp-sts-endpoint: "http://127.0.0.1:1/v1/token" must be an https:// URL (http:// only with --gcp-plaintext, for tests)');
test('refuses an IAM endpoint that is not a URL', refuses, { project: 'shop-prod', clusterLocation: 'l', clusterName: 'c', iamCredentialsEndpoint: 'iam.local' },
  '--gcp-iam-credentials-endpoint: "iam.local" is not a URL');
test('refuses a pool it cannot use', refuses, { workloadIdentityPool: 'projects/1/locations/global/workloadIdentityPools/k8s-pool' },
  '--gcp-workload-identity-provider is required with the pool projects/1/locations/global/workloadIdentityPools/k8s-pool');

test('reads the --gcp-* flag values into options, leaving out empty ones', (t) => {
  t.deepEqual(gcpOptions({ project: 'shop-prod', stsEndpoint: 'http://127.0.0.1:1/v1/token', plaintext: true, clusterName: '' }), { project: 'shop-prod', stsEndpoint: 'http://127.0.0.1:1/v1/token', plaintext: true });
  t.deepEqual(gcpOptions({}), {});
});

test('fails pod-adc clearly when Courier has no Kubernetes API access', async (t) => {
  const store = createGcpStore({ project: 'shop-prod', clusterLocation: 'l', clusterName: 'c' }, false);
  t.teardown(() => store?.close());
  const context = { pod: { name: 'p', namespace: 'team-a', uid: 'u', serviceAccount: 'web' }, tokens: new Map([['shop-prod.svc.id.goog', { audience: 'shop-prod.svc.id.goog', token: fakePodToken({ namespace: 'team-a', serviceAccount: 'web', audience: 'shop-prod.svc.id.goog' }), expirationTimestamp: '' }]]), signal: new AbortController().signal };
  const error = await t.throwsAsync(store?.identityKey({ locator: 'projects/p/secrets/s/versions/1', storeParams: {} }, context) ?? Promise.resolve(''));
  t.is(error?.message, 'gcp-sm must read ServiceAccount team-a/web for its iam.gke.io/gcp-service-account annotation, but this Courier has no Kubernetes API access; run it in the cluster or pass --kubeconfig');
});
