import test from 'ava';
import { Registry } from 'prom-client';
import { AuthError, UnavailableError } from '../../src/errors/courier-error.ts';
import { exchangeRecorder, recorded } from '../../src/observability/exchange-metrics.ts';
import { AwsIdentityResolver } from '../../src/stores/aws/identity.ts';
import type { ServiceAccountToken } from '../../src/spc/types.ts';
import { fakePodToken } from '../helpers/pod-token.ts';

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = (await registry.getMetricsAsJSON()).find((entry) => entry.name === 'courier_token_exchanges_total');
  const values = (metric as { values?: Array<{ labels: Record<string, string>; value: number }> } | undefined)?.values ?? [];
  return Object.fromEntries(values.map((value) => [`${value.labels['store']}/${value.labels['kind']}/${value.labels['outcome']}`, value.value]));
}

test('stores share one counter per registry, and failures count as their gRPC code', async (t) => {
  const registry = new Registry();
  const aws = exchangeRecorder(registry, 'aws');
  const gcp = exchangeRecorder(registry, 'gcp');
  aws('irsa', 'ok');
  aws('irsa', new AuthError('refused'));
  gcp('impersonation', new UnavailableError('down'));
  gcp('workload_identity', new Error('a bug'));
  t.deepEqual(await counts(registry), { 'aws/irsa/ok': 1, 'aws/irsa/unauthenticated': 1, 'gcp/impersonation/unavailable': 1, 'gcp/workload_identity/internal': 1 });
});

test('recorded passes the value or the error through after counting it', async (t) => {
  const registry = new Registry();
  const record = exchangeRecorder(registry, 'aws');
  t.is(await recorded(record, 'irsa', () => Promise.resolve(42)), 42);
  await t.throwsAsync(recorded(record, 'irsa', () => Promise.reject(new AuthError('no'))), { message: 'no' });
  t.deepEqual(await counts(registry), { 'aws/irsa/ok': 1, 'aws/irsa/unauthenticated': 1 });
});

test('the AWS resolver counts exchanges, not credentials served from its cache', async (t) => {
  const registry = new Registry();
  const pod = { name: 'web-0', namespace: 'team-a', uid: 'uid-1', serviceAccount: 'app' };
  const token: ServiceAccountToken = { audience: 'sts.amazonaws.com', token: fakePodToken({ namespace: 'team-a', serviceAccount: 'app', audience: 'sts.amazonaws.com' }), expirationTimestamp: '' };
  const credentials = { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) };
  const resolver = new AwsIdentityResolver({
    serviceAccounts: { annotations: () => Promise.resolve({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/app' }) },
    exchange: { webIdentity: () => Promise.resolve(credentials), podIdentity: () => Promise.reject(new Error('unused')) },
    onExchange: exchangeRecorder(registry, 'aws'),
  });
  const identity = await resolver.resolve({ usePodIdentity: false, preferredAddressType: 'auto', store: 'aws-sm' }, pod, new Map([['sts.amazonaws.com', token]]));
  await identity.credentials('us-east-1');
  await identity.credentials('us-east-1');
  await identity.credentials('eu-west-1');
  t.deepEqual(await counts(registry), { 'aws/irsa/ok': 2 });
});
