import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { decodeJwt } from 'jose';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LabelParameterVersionCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { fakePodToken } from '../helpers/pod-token.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessMount, type HarnessMountResult } from './helpers/driver-harness.ts';
import { startAwsProxy, type AwsProxy } from './moto/aws-proxy.ts';
import { startMoto, type MotoServer } from './moto/moto-server.ts';

const ROLE = 'arn:aws:iam::123456789012:role/app';
const APP = { name: 'web-0', namespace: 'team-a', serviceAccount: 'app' };
const BARE = { name: 'web-1', namespace: 'team-a', serviceAccount: 'bare' };
/** What Courier's own environment holds; it must never sign a request. */
const OWN_KEY = 'AKIACOURIEROWNKEY000';

let moto: MotoServer | undefined;
let proxy: AwsProxy;
let kube: FakeKubeApi;
let plainArn = '';

test.before(async () => {
  await buildHarness();
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  kube = await startFakeKubeApi();
  kube.addServiceAccount('team-a', 'app', { 'eks.amazonaws.com/role-arn': ROLE });
  kube.addServiceAccount('team-a', 'bare', {});
  plainArn = await seed(moto.url);
});

test.after.always(async () => {
  await proxy?.close();
  await kube?.close();
  await moto?.close();
});

/** Secrets and parameters the tests mount, created with the AWS SDK straight against moto. */
async function seed(url: string): Promise<string> {
  const credentials = { accessKeyId: 'seed', secretAccessKey: 'seed' };
  const east = new SecretsManagerClient({ region: 'us-east-1', endpoint: url, credentials });
  const west = new SecretsManagerClient({ region: 'us-west-2', endpoint: url, credentials });
  const plain = await east.send(new CreateSecretCommand({ Name: 'plain', SecretString: 'plain-value' }));
  await east.send(new CreateSecretCommand({ Name: 'binary', SecretBinary: new Uint8Array([0, 1, 2, 254, 255]) }));
  await east.send(new CreateSecretCommand({ Name: 'db/credentials', SecretString: JSON.stringify({ username: 'admin', password: 's3cret', port: 5432 }) }));
  for (const name of ['primary-only', 'denied', 'throttled']) await east.send(new CreateSecretCommand({ Name: name, SecretString: `${name}-value` }));
  await west.send(new CreateSecretCommand({ Name: 'replica', SecretString: 'replica-value' }));
  const ssm = new SSMClient({ region: 'us-east-1', endpoint: url, credentials });
  await ssm.send(new PutParameterCommand({ Name: '/app/config', Value: 'config-v1', Type: 'String' }));
  await ssm.send(new PutParameterCommand({ Name: '/app/config', Value: 'config-v2', Type: 'String', Overwrite: true }));
  await ssm.send(new PutParameterCommand({ Name: '/app/config', Value: 'config-v3', Type: 'SecureString', Overwrite: true }));
  await ssm.send(new LabelParameterVersionCommand({ Name: '/app/config', ParameterVersion: 1, Labels: ['stable'] }));
  return plain.ARN ?? '';
}

/** Courier over the proxy, with the fake Kubernetes API, the aws compat socket, and its own (forbidden) keys in its environment. */
function startCourier(t: ExecutionContext, extraArgs: readonly string[] = []): Promise<CourierProcess> {
  return startCourierProcess(t, {
    args: ['--kubeconfig', kube.kubeconfig, '--compat', 'aws', '--cache-ttl', '0', ...extraArgs],
    env: { AWS_ENDPOINT_URL: proxy.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: OWN_KEY, AWS_SECRET_ACCESS_KEY: 'own-secret' },
  });
}

interface Mounted {
  readonly result: HarnessMountResult;
  readonly files: Readonly<Record<string, Buffer>>;
}

/** Mounts through the driver's own client on `socket` (courier or aws) and reads the files back. */
async function mount(t: ExecutionContext, courier: CourierProcess, parameters: Record<string, string>, options: { socket?: string; pod?: typeof APP; audiences?: string[] } = {}): Promise<Mounted> {
  const pod = options.pod ?? APP;
  const tokens = (options.audiences ?? ['sts.amazonaws.com']).map((audience) => ({ audience, token: fakePodToken({ namespace: pod.namespace, serviceAccount: pod.serviceAccount, audience }) }));
  const target = await mkdtemp(join(tmpdir(), 'courier-e2e-aws-'));
  t.teardown(() => rm(target, { recursive: true, force: true }));
  const result = await harnessMount({ socketDir: courier.socketDir, providerName: options.socket ?? 'courier' }, { attributes: driverAttributes({ name: 'aws-spc', parameters }, pod, tokens), target });
  const files: Record<string, Buffer> = {};
  for (const file of result.files) files[file.path] = await readFile(join(target, file.path));
  return { result, files };
}

function texts(files: Readonly<Record<string, Buffer>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, data]) => [path, data.toString('utf8')]));
}

test('mounts an AWS-provider SecretProviderClass unchanged on aws.sock: plain, ARN, binary, jmesPath, SSM version and label', async (t) => {
  const courier = await startCourier(t);
  const stsBefore = proxy.count('AssumeRoleWithWebIdentity');
  const objects = `
- objectName: plain
  objectType: secretsmanager
- objectName: "${plainArn}"
  objectAlias: plain-by-arn
- objectName: binary
  objectType: secretsmanager
  filePermission: "0600"
- objectName: db/credentials
  objectType: secretsmanager
  jmesPath:
    - {path: username, objectAlias: db-user}
    - {path: password, objectAlias: db-pass}
- {objectName: /app/config, objectType: ssmparameter}
- {objectName: /app/config, objectType: ssmparameter, objectVersion: "2", objectAlias: config-v2}
- {objectName: /app/config, objectType: ssmparameter, objectVersionLabel: stable, objectAlias: config-stable}
`;
  const { result, files } = await mount(t, courier, { objects, region: 'us-east-1' }, { socket: 'aws' });
  t.true(result.ok, result.error);
  t.deepEqual(texts({ ...files, binary: Buffer.from('') }), {
    plain: 'plain-value',
    'plain-by-arn': 'plain-value',
    binary: '',
    'db_credentials': JSON.stringify({ username: 'admin', password: 's3cret', port: 5432 }),
    'db-user': 'admin',
    'db-pass': 's3cret',
    '_app_config': 'config-v3',
    'config-v2': 'config-v2',
    'config-stable': 'config-v1',
  });
  t.deepEqual([...(files['binary'] ?? Buffer.alloc(0))], [0, 1, 2, 254, 255]);
  t.is(result.files.find((file) => file.path === 'binary')?.mode, '0600');
  t.is(result.objectVersions['_app_config'], '3');
  t.is(result.objectVersions['config-stable'], '1');
  t.is(proxy.count('AssumeRoleWithWebIdentity') - stsBefore, 1, 'one STS exchange for the pod\'s role');
  t.true(proxy.count('BatchGetSecretValue') > 0);
});

test('signs store calls with the role\'s credentials from STS, never with courier\'s own keys', async (t) => {
  const courier = await startCourier(t);
  const before = proxy.calls.length;
  const { result } = await mount(t, courier, { objects: '- {objectName: plain, objectType: secretsmanager}' }, { socket: 'aws' });
  t.true(result.ok, result.error);
  const calls = proxy.calls.slice(before);
  t.deepEqual(calls.map((call) => call.operation), ['sts.AssumeRoleWithWebIdentity', 'secretsmanager.GetSecretValue']);
  const [sts, store] = calls;
  t.is(sts?.accessKeyId, '', 'AssumeRoleWithWebIdentity is unsigned');
  t.regex(store?.accessKeyId ?? '', /^ASIA/);
  t.false(calls.some((call) => call.accessKeyId === OWN_KEY));
});

test('mounts AWS stores from the native dialect with aws.region', async (t) => {
  const courier = await startCourier(t);
  const objects = '- {source: "aws-sm:plain", path: plain.txt}\n- {source: "aws-ssm:/app/config", version: 2, path: config.txt}';
  const { result, files } = await mount(t, courier, { objects, 'aws.region': 'us-east-1' });
  t.true(result.ok, result.error);
  t.deepEqual(texts(files), { 'plain.txt': 'plain-value', 'config.txt': 'config-v2' });
});

test('fails over to the failover region when the primary region is down', async (t) => {
  const courier = await startCourier(t);
  const remove = proxy.rule((call) => (call.operation.startsWith('secretsmanager.') && call.region === 'us-east-1' ? 'drop' : undefined));
  t.teardown(remove);
  const objects = '- objectName: primary-only\n  objectType: secretsmanager\n  objectAlias: db\n  failoverObject: {objectName: replica}';
  const { result, files } = await mount(t, courier, { objects, region: 'us-east-1', failoverRegion: 'us-west-2' }, { socket: 'aws' });
  t.true(result.ok, result.error);
  t.deepEqual(texts(files), { db: 'replica-value' });
  t.true(proxy.calls.some((call) => call.operation === 'secretsmanager.GetSecretValue' && call.region === 'us-west-2'));
});

test('reports AccessDenied as PermissionDenied naming the object, without failing over', async (t) => {
  const courier = await startCourier(t);
  const remove = proxy.rule((call) => (call.operation === 'secretsmanager.GetSecretValue' && call.body.includes('"denied"') ? { status: 400, code: 'AccessDeniedException', message: 'not allowed' } : undefined));
  t.teardown(remove);
  const { result } = await mount(t, courier, { objects: '- {objectName: denied, objectType: secretsmanager}', region: 'us-east-1', failoverRegion: 'us-west-2' }, { socket: 'aws' });
  t.false(result.ok);
  t.is(result.grpcCode, 'PermissionDenied');
  t.is(result.error, 'objects[0]: role arn:aws:iam::123456789012:role/app (IRSA for team-a/app) may not read secret "denied" in us-east-1 (AccessDeniedException); grant it in the role\'s IAM policy (and kms:Decrypt on the key, if the secret uses a customer-managed key)');
  t.false(proxy.calls.some((call) => call.body.includes('"denied"') && call.region === 'us-west-2'));
});

test('reports a missing secret as NotFound naming the object', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, { objects: '- {objectName: no-such-secret, objectType: secretsmanager}', region: 'us-east-1' }, { socket: 'aws' });
  t.is(result.grpcCode, 'NotFound');
  t.is(result.error, 'objects[0]: secret "no-such-secret" does not exist in us-east-1 (ResourceNotFoundException)');
});

test('retries through throttling and mounts', async (t) => {
  const courier = await startCourier(t);
  let throttled = 0;
  const remove = proxy.rule((call) => {
    if (call.operation !== 'secretsmanager.GetSecretValue' || !call.body.includes('"throttled"') || throttled >= 3) return undefined;
    throttled += 1;
    return { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' };
  });
  t.teardown(remove);
  const { result, files } = await mount(t, courier, { objects: '- {objectName: throttled, objectType: secretsmanager}', region: 'us-east-1' }, { socket: 'aws' });
  t.true(result.ok, result.error);
  t.deepEqual(texts(files), { throttled: 'throttled-value' });
  t.is(throttled, 3);
  t.is(proxy.count('GetSecretValue', '"throttled"'), 4);
});

test('refuses a pod whose service account names no role, naming the service account', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, { objects: '- {objectName: plain, objectType: secretsmanager}', region: 'us-east-1' }, { socket: 'aws', pod: BARE });
  t.is(result.grpcCode, 'Unauthenticated');
  t.is(
    result.error,
    'objects[0]: service account team-a/bare has no "eks.amazonaws.com/role-arn" annotation, so aws-sm has no IAM role to assume for it; annotate the service account with the role (IRSA) or set usePodIdentity: "true" to use EKS Pod Identity',
  );
});

test('asks the administrator for the tokenRequests audience when the token is missing', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, { objects: '- {objectName: plain, objectType: secretsmanager}', region: 'us-east-1' }, { socket: 'aws', audiences: [] });
  t.is(result.grpcCode, 'Unauthenticated');
  t.is(
    result.error,
    'objects[0]: aws-sm needs the pod\'s service-account token for audience "sts.amazonaws.com", but the request carried no service-account tokens; add {audience: "sts.amazonaws.com"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver',
  );
});

/** A fake EKS Pod Identity agent on loopback that hands out `accessKeyId` and records the Authorization headers. */
async function startAgent(t: ExecutionContext, accessKeyId: string) {
  const authorizations: string[] = [];
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization ?? '');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ AccessKeyId: accessKeyId, SecretAccessKey: 'pod-identity-secret', Token: 'pod-identity-session', Expiration: new Date(Date.now() + 3_600_000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/credentials`, authorizations };
}

test('mounts with EKS Pod Identity: the pod\'s pods.eks.amazonaws.com token goes to the agent, its credentials sign the read', async (t) => {
  const agent = await startAgent(t, 'ASIAPODIDENTITY00001');
  const courier = await startCourier(t, ['--eks-pod-identity-agent-url', agent.url]);
  const before = proxy.calls.length;
  const { result, files } = await mount(t, courier, { objects: '- {objectName: plain, objectType: secretsmanager}', region: 'us-east-1', usePodIdentity: 'true' }, { socket: 'aws', pod: BARE, audiences: ['pods.eks.amazonaws.com'] });
  t.true(result.ok, result.error);
  t.deepEqual(texts(files), { plain: 'plain-value' });
  const claims = agent.authorizations.map((token) => decodeJwt(token));
  t.deepEqual(claims.map((claim) => [claim.aud, claim.sub]), [[['pods.eks.amazonaws.com'], 'system:serviceaccount:team-a:bare']]);
  t.deepEqual(proxy.calls.slice(before).map((call) => [call.operation, call.accessKeyId]), [['secretsmanager.GetSecretValue', 'ASIAPODIDENTITY00001']]);
});

