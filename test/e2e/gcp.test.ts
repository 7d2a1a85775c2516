import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { resolveGcpWorkloadIdentity } from '../../src/stores/gcp/workload-identity.ts';
import { FakeSecretManager } from '../fakes/gcp-secret-manager.ts';
import { FakeIamCredentials } from '../fakes/google-iam-credentials.ts';
import { FakeSts } from '../fakes/google-sts.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { fakePodToken } from '../helpers/pod-token.ts';
import { startCourierProcess, type CourierProcess } from './helpers/courier-process.ts';
import { buildHarness, driverAttributes, harnessMount, type HarnessMountResult } from './helpers/driver-harness.ts';

const PROJECT = 'shop-prod';
const POOL = `${PROJECT}.svc.id.goog`;
const GSA = 'web@shop-prod.iam.gserviceaccount.com';
const APP = { name: 'web-0', namespace: 'team-a', serviceAccount: 'web' };
const identity = resolveGcpWorkloadIdentity({ project: PROJECT, clusterLocation: 'europe-west1', clusterName: 'main' });
if ('error' in identity) throw new Error(identity.error);

let kube: FakeKubeApi;
let sts: FakeSts;
let iam: FakeIamCredentials;
let secretManager: FakeSecretManager;

test.before(async () => {
  await buildHarness();
  kube = await startFakeKubeApi();
  kube.addServiceAccount('team-a', 'web', { 'iam.gke.io/gcp-service-account': GSA });
  sts = new FakeSts(identity.stsAudience, identity.tokenAudience);
  await sts.start();
  const federated = (token: string) => {
    const subject = sts.subjectOf(token)?.split(':');
    return subject?.length === 4 ? `serviceAccount:${POOL}[${subject[2]}/${subject[3]}]` : undefined;
  };
  iam = new FakeIamCredentials(federated);
  await iam.start();
  iam.allow(`serviceAccount:${POOL}[team-a/web]`, GSA);
  secretManager = new FakeSecretManager({ principalOf: (token) => (iam.serviceAccountOf(token) === undefined ? federated(token) : `serviceAccount:${iam.serviceAccountOf(token)}`) });
  await secretManager.start();
  secretManager.addVersion(`projects/${PROJECT}/secrets/db`, JSON.stringify({ user: 'shop', password: 'hunter2' }));
  secretManager.addVersion(`projects/${PROJECT}/locations/europe-west1/secrets/api-key`, 'eu-api-key');
  secretManager.grant(`serviceAccount:${GSA}`, '*');
});

test.after.always(async () => {
  await secretManager?.stop();
  await iam?.stop();
  await sts?.stop();
  await kube?.close();
});

function startCourier(t: ExecutionContext): Promise<CourierProcess> {
  return startCourierProcess(t, {
    args: [
      '--kubeconfig', kube.kubeconfig, '--compat', 'gcp', '--cache-ttl', '0',
      '--gcp-project', PROJECT, '--gcp-cluster-location', 'europe-west1', '--gcp-cluster-name', 'main',
      '--gcp-secret-manager-endpoint', secretManager.endpoint, '--gcp-secret-manager-regional-endpoint', secretManager.endpoint,
      '--gcp-sts-endpoint', sts.tokenUrl, '--gcp-iam-credentials-endpoint', iam.url, '--gcp-plaintext',
    ],
  });
}

/** Mounts `secrets` on gcp.sock through the driver's own client and reads the files back. */
async function mount(t: ExecutionContext, courier: CourierProcess, secrets: string, audiences: readonly string[] = [POOL]): Promise<{ result: HarnessMountResult; files: Record<string, string> }> {
  const tokens = audiences.map((audience) => ({ audience, token: fakePodToken({ namespace: APP.namespace, serviceAccount: APP.serviceAccount, audience }) }));
  const target = await mkdtemp(join(tmpdir(), 'courier-e2e-gcp-'));
  t.teardown(() => rm(target, { recursive: true, force: true }));
  const result = await harnessMount({ socketDir: courier.socketDir, providerName: 'gcp' }, { attributes: driverAttributes({ name: 'gcp-spc', parameters: { secrets } }, APP, tokens), target });
  const files: Record<string, string> = {};
  for (const file of result.files) files[file.path] = await readFile(join(target, file.path), 'utf8');
  return { result, files };
}

test('mounts the documented gcp examples through the driver', async (t) => {
  const courier = await startCourier(t);
  const secrets = `
- resourceName: "projects/${PROJECT}/secrets/db/versions/latest"
  path: "db.json"
- resourceName: "projects/${PROJECT}/secrets/db/versions/latest"
  fileName: "db-copy.json"
- resourceName: "projects/${PROJECT}/secrets/db/versions/1"
  path: "credentials/password"
  extractJSONKey: password
  mode: 0400
- resourceName: "projects/${PROJECT}/locations/europe-west1/secrets/api-key/versions/latest"
  path: "api-key"
`;
  const { result, files } = await mount(t, courier, secrets);
  t.true(result.ok, result.error);
  const db = JSON.stringify({ user: 'shop', password: 'hunter2' });
  t.deepEqual(files, { 'db.json': db, 'db-copy.json': db, 'credentials/password': 'hunter2', 'api-key': 'eu-api-key' });
  t.deepEqual(Object.fromEntries(result.files.map((file) => [file.path, file.mode])), { 'db.json': '0644', 'db-copy.json': '0644', 'credentials/password': '0400', 'api-key': '0644' });
  t.is(result.objectVersions['api-key'], `projects/${PROJECT}/locations/europe-west1/secrets/api-key/versions/1`);
  t.is(sts.calls.length, 1);
  t.deepEqual(iam.calls.map((call) => call.serviceAccount), [GSA]);
});

test('rejects a path that leaves the mount, naming the field', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, `- {resourceName: "projects/${PROJECT}/secrets/db/versions/1", path: "../escape"}`);
  t.is(result.grpcCode, 'InvalidArgument');
  t.true(result.error.includes('secrets[0].path: "../escape" leaves the mount ("..")'), result.error);
});

test('asks the administrator for the pool audience when the driver sends no token', async (t) => {
  const courier = await startCourier(t);
  const { result } = await mount(t, courier, `- {resourceName: "projects/${PROJECT}/secrets/db/versions/1", path: db}`, []);
  t.is(result.grpcCode, 'Unauthenticated');
  t.true(result.error.includes(`secrets[0]: gcp-sm needs the pod's service-account token for audience "${POOL}", but the request carried no service-account tokens; add {audience: "${POOL}"} to tokenRequests of the secrets-store.csi.k8s.io CSIDriver`), result.error);
});
