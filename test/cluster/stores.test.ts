import test from 'ava';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { tempDir } from '../helpers/temp-dir.ts';
import { startAwsProxy, type AwsProxy } from '../e2e/moto/aws-proxy.ts';
import { startMoto, type MotoServer } from '../e2e/moto/moto-server.ts';
import { startInstalledCourier } from './harness/courier.ts';
import { startGoogleFakes, type GoogleFakes } from './harness/google.ts';
import { createNamespace, createServiceAccount } from './harness/kube-objects.ts';
import { applySpc, contents, publish, startPod } from './harness/pods.ts';
import { useStack, type Stack } from './harness/stack.ts';

// Item 3 of the cluster tier for the cloud stores: the aws class against moto and the gcp class against
// the Google fakes, mounted through the driver binary, with the pod's real tokens and Courier running with
// only the kustomize base's RBAC (it reads the pod's ServiceAccount annotations: item 1's "works").

const NS = 'stores';
const ROLE = 'arn:aws:iam::123456789012:role/orders';
const GSA = 'orders@shop-prod.iam.gserviceaccount.com';

let stack: Stack;
let moto: MotoServer | undefined;
let proxy: AwsProxy | undefined;
let google: GoogleFakes | undefined;

test.before(async () => {
  stack = await useStack();
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  google = await startGoogleFakes();
  await createNamespace(stack.admin, NS);
  await createServiceAccount(stack.admin, NS, 'orders', { 'eks.amazonaws.com/role-arn': ROLE, 'iam.gke.io/gcp-service-account': GSA });
  await createServiceAccount(stack.admin, NS, 'bare');
  const credentials = { accessKeyId: 'seed', secretAccessKey: 'seed' };
  await new SecretsManagerClient({ region: 'eu-west-1', endpoint: moto.url, credentials }).send(new CreateSecretCommand({ Name: 'prod/db', SecretString: JSON.stringify({ username: 'orders', password: 'aws-db-password' }) }));
  await new SSMClient({ region: 'eu-west-1', endpoint: moto.url, credentials }).send(new PutParameterCommand({ Name: '/orders/feature', Value: 'on', Type: 'String' }));
  google.allow(NS, 'orders', GSA);
  google.secretManager.addVersion(`projects/${google.project}/secrets/api-key`, 'gcp-api-key');
  google.secretManager.grant(`serviceAccount:${GSA}`, '*');
});

test.after.always(async () => {
  await stack?.stop();
  await google?.stop();
  await proxy?.close();
  await moto?.close();
});

test('an aws class mounts through the driver: the pod\'s real token goes to STS for its ServiceAccount\'s role', async (t) => {
  await startInstalledCourier(t, stack, {
    providerName: 'courier-stores', kubeconfigDir: await tempDir(t), args: ['--aws-region', 'eu-west-1'],
    env: { AWS_ENDPOINT_URL: proxy?.url ?? '', AWS_ACCESS_KEY_ID: 'AKIACOURIEROWNKEY000', AWS_SECRET_ACCESS_KEY: 'own' },
  });
  const objects = '- {source: "aws-sm:prod/db", path: db/password, jsonKey: password, mode: "0400"}\n- {source: "aws-ssm:/orders/feature", path: feature}';
  await applySpc(stack, { namespace: NS, name: 'aws', provider: 'courier-stores', parameters: { objects } });
  const before = proxy?.calls.length ?? 0;
  const { result, files, mountType } = await publish(stack, await startPod(t, stack, { namespace: NS, name: 'aws-0', serviceAccount: 'orders', secretProviderClass: 'aws' }));
  t.true(result.ok, `${result.error}\n${await stack.logs()}`);
  t.is(mountType, 'tmpfs');
  t.deepEqual(contents(files), { 'db/password': 'aws-db-password', feature: 'on' });
  t.is(files['db/password']?.mode, '0400');
  const sts = proxy?.calls.slice(before).find((call) => call.operation === 'sts.AssumeRoleWithWebIdentity');
  const form = new URLSearchParams(sts?.body ?? '');
  t.is(form.get('RoleArn'), ROLE);
  const claims = JSON.parse(Buffer.from((form.get('WebIdentityToken') ?? '').split('.')[1] ?? '', 'base64url').toString()) as { iss: string; aud: string[]; sub: string; 'kubernetes.io': { pod: { name: string } } };
  t.deepEqual([claims.iss, claims.aud, claims.sub, claims['kubernetes.io'].pod.name], [stack.issuer, ['sts.amazonaws.com'], `system:serviceaccount:${NS}:orders`, 'aws-0']);
});

test('an aws class for a ServiceAccount without a role fails with Courier\'s message through the driver', async (t) => {
  await startInstalledCourier(t, stack, { providerName: 'courier-stores', kubeconfigDir: await tempDir(t), args: ['--aws-region', 'eu-west-1'], env: { AWS_ENDPOINT_URL: proxy?.url ?? '' } });
  await applySpc(stack, { namespace: NS, name: 'aws-bare', provider: 'courier-stores', parameters: { objects: '- {source: "aws-sm:prod/db", path: db}' } });
  const { result } = await publish(stack, await startPod(t, stack, { namespace: NS, name: 'aws-bare-0', serviceAccount: 'bare', secretProviderClass: 'aws-bare' }));
  t.false(result.ok);
  t.true(result.error.includes(`rpc error: code = Unauthenticated desc = objects[0]: service account ${NS}/bare has no "eks.amazonaws.com/role-arn" annotation`), result.error);
});

test('a gcp class mounts through the driver: the pod\'s real token is exchanged at STS and the annotated Google service account impersonated', async (t) => {
  await startInstalledCourier(t, stack, { providerName: 'courier-stores', kubeconfigDir: await tempDir(t), args: [...(google?.courierArgs ?? [])] });
  const stsBefore = google?.sts.calls.length ?? 0;
  await applySpc(stack, { namespace: NS, name: 'gcp', provider: 'courier-stores', parameters: { objects: `- {source: "gcp-sm:projects/${google?.project ?? ''}/secrets/api-key/versions/latest", path: api-key}` } });
  const { result, files } = await publish(stack, await startPod(t, stack, { namespace: NS, name: 'gcp-0', serviceAccount: 'orders', secretProviderClass: 'gcp' }));
  t.true(result.ok, `${result.error}\n${await stack.logs()}`);
  t.deepEqual(contents(files), { 'api-key': 'gcp-api-key' });
  t.deepEqual(google?.sts.calls.slice(stsBefore).map((call) => call.subject), [`system:serviceaccount:${NS}:orders`]);
  t.deepEqual(google?.iam.calls.map((call) => call.serviceAccount).slice(-1), [GSA]);
});
