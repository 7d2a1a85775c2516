import { join } from 'node:path';
import test from 'ava';
import { useFakeKubeApi } from '../fakes/kube-api.ts';
import { buildDist, ROOT, runCli } from './run-cli.ts';

test.before(async () => {
  await buildDist();
});

const GOOD = join(ROOT, 'test/cli/fixtures/explain-good.yaml');
const BROKEN = join(ROOT, 'test/cli/fixtures/explain-broken.yaml');
const GKE = ['--gcp-project', 'shop-prod', '--gcp-cluster-location', 'europe-west1', '--gcp-cluster-name', 'prod', '--local-store', '/srv/secrets'];
const ROLE = 'arn:aws:iam::111122223333:role/orders';

const GOOD_PLAN = (annotations: string) => `SecretProviderClass shop/orders (${GOOD}:1)
  read by: courier.sock (native dialect)
  pod: namespace shop, service account orders-api (annotations ${annotations})
  objects[0]:
    store: aws-sm, locator orders/db
    identity: IAM role ${ROLE} via IRSA (eks.amazonaws.com/role-arn of shop/orders-api), region eu-west-1
    pod token: audience sts.amazonaws.com
    extract: JSON key "password"
    file: db/password (0400)
  objects[1]:
    store: gcp-sm, locator projects/shop-prod/secrets/tls-cert/versions/3
    identity: Google service account orders@shop-prod.iam.gserviceaccount.com (iam.gke.io/gcp-service-account of shop/orders-api), impersonated by serviceAccount:shop-prod.svc.id.goog[shop/orders-api]
    pod token: audience shop-prod.svc.id.goog
    extract: decode base64
    file: tls/cert.b64 (0644)
  objects[2]:
    store: file, locator shared/ca.pem (optional: skipped when missing)
    identity: none: a file under --local-store on the node (no pod identity is used)
    file: shared/ca.pem (0644)
  objects[3]: template
    file: config/db.url (0644), rendered from 1 input
    input db:
      store: aws-sm, locator orders/db
      identity: IAM role ${ROLE} via IRSA (eks.amazonaws.com/role-arn of shop/orders-api), region eu-west-1
      pod token: audience sts.amazonaws.com
  mirror[0]: mirror Secret shop/orders-db (Opaque) with password from db/password (needs courier serve --mirror-secrets)
  pod tokens: the CSIDriver's tokenRequests must include "sts.amazonaws.com", "shop-prod.svc.id.goog"
`;

test('explain prints the plan of a good class: stores, identities, files, steps, template, mirror and socket', async (t) => {
  const result = await runCli(['explain', GOOD, ...GKE, '--sa-annotation', `eks.amazonaws.com/role-arn=${ROLE}`, '--sa-annotation', 'iam.gke.io/gcp-service-account=orders@shop-prod.iam.gserviceaccount.com']);
  t.deepEqual(result, { code: 0, stdout: GOOD_PLAN('given with --sa-annotation'), stderr: '' });
});

test('explain reads the service account\'s annotations from the cluster with --kubeconfig, and fetches no secret', async (t) => {
  const api = await useFakeKubeApi(t);
  api.addServiceAccount('shop', 'orders-api', { 'eks.amazonaws.com/role-arn': ROLE, 'iam.gke.io/gcp-service-account': 'orders@shop-prod.iam.gserviceaccount.com' });
  const result = await runCli(['explain', GOOD, ...GKE, '--kubeconfig', api.kubeconfig]);
  t.deepEqual(result, { code: 0, stdout: GOOD_PLAN('read from the Kubernetes API'), stderr: '' });
  t.deepEqual(api.requests.map((request) => `${request.method} ${request.resource} ${request.namespace}/${request.name}`), ['GET serviceaccounts shop/orders-api']);
});

test('explain of a broken setup says why each Mount would fail and exits 1', async (t) => {
  const result = await runCli(['explain', BROKEN]);
  t.deepEqual(result, {
    code: 1,
    stdout: `SecretProviderClass shop/typo (${BROKEN}:1)
  the class does not plan; a Mount fails with:
    objects[0].jsonkey: unknown key; did you mean "jsonKey"?
    objects[0].path: "../db" leaves the mount ("..")

SecretProviderClass shop/legacy (${BROKEN}:2)
  read by: gcp.sock (gcp dialect: courier serve --compat gcp)
  pod: namespace shop, service account default (annotations not read: no Kubernetes API; pass --kubeconfig, or --sa-annotation KEY=VALUE)
  secrets[0]:
    store: gcp-sm, locator projects/shop-prod/secrets/api-key/versions/latest
    identity: the pod's workload identity, but gcp-sm is not configured
    file: api-key (0644)
    problem: no workload identity pool: set --gcp-workload-identity-pool, or --gcp-project on GKE
  a Mount would fail:
    secrets[0]: no workload identity pool: set --gcp-workload-identity-pool, or --gcp-project on GKE
`,
    stderr: '',
  });
});

test('explain without the IAM role annotation names the missing annotation once for every object it breaks', async (t) => {
  const result = await runCli(['explain', GOOD, ...GKE, '--namespace', 'staging', '--service-account', 'orders', '--sa-annotation', 'team=orders']);
  t.is(result.code, 1);
  t.regex(result.stdout, /pod: namespace staging, service account orders \(annotations given with --sa-annotation\)/);
  t.regex(result.stdout, /\n {2}a Mount would fail:\n {4}objects\[0\], objects\[3\]\.inputs\.db: service account staging\/orders has no "eks\.amazonaws\.com\/role-arn" annotation; annotate it with the IAM role, or set usePodIdentity: "true" for EKS Pod Identity\n$/);
});

test('explain of a file that cannot be read says so', async (t) => {
  t.deepEqual(await runCli(['explain', join(ROOT, 'test/cli/fixtures/absent.yaml')]), { code: 1, stdout: '', stderr: `courier explain: ${join(ROOT, 'test/cli/fixtures/absent.yaml')} cannot be read (ENOENT)\n` });
});
