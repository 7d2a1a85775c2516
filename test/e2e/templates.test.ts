import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { fakePodToken } from '../helpers/pod-token.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessMount } from './helpers/driver-harness.ts';
import { startAwsProxy, type AwsProxy } from './moto/aws-proxy.ts';
import { startMoto, type MotoServer } from './moto/moto-server.ts';

// A template file rendered from two different stores in one file, mounted through the driver's own client
// and atomic writer: the database password from AWS Secrets Manager (moto), the host from the local store.

const ROLE = 'arn:aws:iam::123456789012:role/app';
const POD = { name: 'web-0', namespace: 'team-a', serviceAccount: 'app' };

let moto: MotoServer | undefined;
let proxy: AwsProxy;
let kube: FakeKubeApi;
let store: string;

test.before(async () => {
  await buildHarness();
  moto = await startMoto();
  proxy = await startAwsProxy(moto.url);
  kube = await startFakeKubeApi();
  kube.addServiceAccount('team-a', 'app', { 'eks.amazonaws.com/role-arn': ROLE });
  const sm = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' } });
  await sm.send(new CreateSecretCommand({ Name: 'db/creds', SecretString: JSON.stringify({ username: 'scott', password: 'tiger' }) }));
  store = await mkdtemp(join(tmpdir(), 'courier-e2e-templates-store-'));
  await mkdir(join(store, 'net'));
  await writeFile(join(store, 'net', 'db.yaml'), 'host: 192.168.34.212\nport: 4464\n');
});

test.after.always(async () => {
  await proxy?.close();
  await kube?.close();
  await moto?.close();
  if (store) await rm(store, { recursive: true, force: true });
});

function startCourier(t: ExecutionContext): Promise<CourierProcess> {
  return startCourierProcess(t, {
    args: ['--kubeconfig', kube.kubeconfig, '--local-store', store, '--compat', 'aws', '--cache-ttl', '0'],
    env: { AWS_ENDPOINT_URL: proxy.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIACOURIEROWNKEY000', AWS_SECRET_ACCESS_KEY: 'own' },
  });
}

async function mount(t: ExecutionContext, courier: CourierProcess, parameters: Record<string, string>, socket = 'courier') {
  const target = await mkdtemp(join(tmpdir(), 'courier-e2e-templates-'));
  t.teardown(() => rm(target, { recursive: true, force: true }));
  const tokens = [{ audience: 'sts.amazonaws.com', token: fakePodToken({ namespace: POD.namespace, serviceAccount: POD.serviceAccount, audience: 'sts.amazonaws.com' }) }];
  const result = await harnessMount({ socketDir: courier.socketDir, providerName: socket }, { attributes: driverAttributes({ name: 'templated', parameters }, POD, tokens), target });
  const files: Record<string, string> = {};
  for (const file of result.files) files[file.path] = await readFile(join(target, file.path), 'utf8');
  return { result, files };
}

const JDBC = [
  '- path: db/jdbc',
  '  mode: "0400"',
  '  template: |-',
  '    jdbc:oracle:thin:{{ creds.username }}/{{ creds.password }}@//{{ net.host }}:{{ net.port }}/app',
  '  inputs:',
  '    creds: {source: "aws-sm:db/creds"}',
  '    net: {source: "file:net/db.yaml"}',
].join('\n');

test('a native template renders one file from AWS Secrets Manager and the local store', async (t) => {
  const courier = await startCourier(t);
  const { result, files } = await mount(t, courier, { objects: JDBC });
  t.true(result.ok, result.error);
  t.deepEqual(files, { 'db/jdbc': 'jdbc:oracle:thin:scott/tiger@//192.168.34.212:4464/app' });
  t.deepEqual(result.files.map((file) => [file.path, file.mode]), [['db/jdbc', '0400']]);
  t.regex(result.objectVersions['db/jdbc'] ?? '', /^hmac-[0-9a-f]{16}$/);
});

test('an AWS-provider class on aws.sock takes a template through courier.templates', async (t) => {
  const courier = await startCourier(t);
  const { result, files } = await mount(t, courier, {
    objects: '- {objectName: db/creds, objectType: secretsmanager, objectAlias: creds.json}',
    'courier.templates': '- path: url\n  template: "postgres://{{ db.username }}@{{ net.host }}/app"\n  inputs:\n    db: {source: "aws-sm:db/creds"}\n    net: {source: "file:net/db.yaml"}',
  }, 'aws');
  t.true(result.ok, result.error);
  t.is(files['url'], 'postgres://scott@192.168.34.212/app');
  t.is((JSON.parse(files['creds.json'] ?? '{}') as { password?: string }).password, 'tiger');
});

test('a template reading a key its input lacks fails with the object, line and key, and no value', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, { objects: JDBC.replace('creds.password', 'creds.passwd') });
  t.false(result.ok);
  t.regex(result.error, /objects\[0\]\.template: line 1, column \d+: input "creds" has no key "passwd"/);
  t.false(result.error.includes('tiger'));
});
