import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startCourierProcess } from '../e2e/helpers/courier-process.ts';
import { useFakeKubeApi, type FakeKubeApi } from '../fakes/kube-api.ts';
import { startTestCourier, tempDir } from '../server/courier-fixture.ts';
import { buildDist, runCli } from './run-cli.ts';

test.before(async () => {
  await buildDist();
});

const PROVIDERS = '/var/run/secrets-store-csi-providers';
const COURIER_GRANTS = ['/serviceaccounts:get', 'events.k8s.io/events:create', 'events.k8s.io/events:patch'];
// What the kubeconfig's user may read besides: doctor's own reads.
const READER_GRANTS = ['storage.k8s.io/csidrivers:get', 'apps/daemonsets:list'];

/** A TCP listener on loopback standing in for a store endpoint; closed in teardown. */
async function listener(t: ExecutionContext): Promise<number> {
  const server: Server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as { port: number }).port;
}

/** A port nothing listens on. */
async function closedPort(t: ExecutionContext): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  t.pass();
  return port;
}

function daemonSet(namespace: string, name: string, container: { image: string; args?: string[] }, hostPath: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, ...container }], volumes: [{ name: 'providers-dir', hostPath: { path: hostPath, type: 'DirectoryOrCreate' } }] } } },
  };
}

/** The cluster as the driver's chart and Courier's manifests leave it. */
function install(api: FakeKubeApi, options: { audiences: string[]; republish: boolean; driver: string; driverDir: string }): void {
  api.putObject('csidrivers', { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: 'secrets-store.csi.k8s.io' }, spec: { tokenRequests: options.audiences.map((audience) => ({ audience })), requiresRepublish: options.republish } });
  api.putObject('daemonsets', daemonSet('kube-system', 'csi-secrets-store', { image: `registry.k8s.io/csi-secrets-store/driver:${options.driver}`, args: ['--endpoint=unix:///csi/csi.sock'] }, options.driverDir));
  api.putObject('daemonsets', daemonSet('courier-system', 'courier', { image: 'ghcr.io/courier-csi/courier:0.1.0', args: ['--provider-name=courier', `--socket-dir=${PROVIDERS}`] }, PROVIDERS));
}

/** Stable text: the kubeconfig and socket paths, loopback ports and timings vary per run. */
function normalized(text: string, replacements: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) out = out.replaceAll(from, to);
  return out.replace(/\(\d+ ms\)/g, '(N ms)').replace(/within \d+ s of/g, 'within N s of');
}

test('doctor passes every check of a good installation', async (t) => {
  const api = await useFakeKubeApi(t);
  install(api, { audiences: ['sts.amazonaws.com'], republish: true, driver: 'v1.6.1', driverDir: PROVIDERS });
  api.restrictTo([...COURIER_GRANTS, ...READER_GRANTS]);
  const courier = await startTestCourier(t);
  const port = await listener(t);
  const result = await runCli(['doctor', '--kubeconfig', api.kubeconfig, '--socket-dir', join(courier.dir, 'sockets'), '--aws-region', 'eu-west-1'], { AWS_ENDPOINT_URL: `https://127.0.0.1:${port}` });
  t.is(result.code, 0, result.stdout);
  t.is(normalized(result.stdout, { [api.kubeconfig]: 'KUBECONFIG', [courier.dir]: 'DIR', [String(port)]: 'PORT' }), `courier doctor 0.1.0 (Kubernetes API: kubeconfig KUBECONFIG)
PASS  CSIDriver secrets-store.csi.k8s.io: tokenRequests include "sts.amazonaws.com"
PASS  CSIDriver secrets-store.csi.k8s.io: requiresRepublish is true, so kubelet republishes and pods get new versions
PASS  driver kube-system/csi-secrets-store: v1.6.1 (v1.6.0 or newer)
PASS  providers directory: the driver and courier-system/courier share ${PROVIDERS} on the node
PASS  socket: DIR/sockets/courier.sock answers Version (courier 0.1.0)
PASS  RBAC: system:serviceaccount:courier-system:courier may get serviceaccounts, create events.k8s.io/events, patch events.k8s.io/events and nothing of list secrets, get pods, get secrets
PASS  aws endpoint AWS STS: 127.0.0.1:PORT accepts connections (N ms)
PASS  aws endpoint AWS Secrets Manager: 127.0.0.1:PORT accepts connections (N ms)
PASS  aws endpoint AWS SSM: 127.0.0.1:PORT accepts connections (N ms)
NOTE  aws: classes with usePodIdentity: "true" also need the audience pods.eks.amazonaws.com
NOTE  azure: no --azure-tenant-id, --azure-authority-host or --azure-token-audience: not checked whether Entra ID is reachable; classes using workload identity need the audience api://AzureADTokenExchange
PASS  clock: within N s of the API server (Kubernetes v1.33.0)
all 10 checks that could run pass
`);
  t.is(result.stderr, '');
});

test('doctor fails each broken part of an installation with its fix and exits 1', async (t) => {
  const api = await useFakeKubeApi(t);
  install(api, { audiences: [], republish: false, driver: 'v1.4.1', driverDir: '/etc/kubernetes/secrets-store-csi-providers' });
  api.restrictTo(['/serviceaccounts:get', 'events.k8s.io/events:create', '/secrets:list', ...READER_GRANTS]);
  api.skewClock(-120_000);
  const socketDir = await tempDir(t);
  const port = await closedPort(t);
  const result = await runCli(['doctor', '--kubeconfig', api.kubeconfig, '--socket-dir', socketDir, '--aws-region', 'eu-west-1'], { AWS_ENDPOINT_URL_STS: `https://127.0.0.1:${port}`, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` });
  t.is(result.code, 1);
  t.is(normalized(result.stdout, { [api.kubeconfig]: 'KUBECONFIG', [socketDir]: 'DIR', [String(port)]: 'PORT' }), `courier doctor 0.1.0 (Kubernetes API: kubeconfig KUBECONFIG)
FAIL  CSIDriver secrets-store.csi.k8s.io: tokenRequests lack "sts.amazonaws.com" (aws); pods get no token for it and their Mounts fail UNAUTHENTICATED
      fix: install the driver with --set tokenRequests[0].audience=sts.amazonaws.com (the list replaces the old one)
FAIL  CSIDriver secrets-store.csi.k8s.io: requiresRepublish is false, so pods keep the files of their first Mount
      fix: install the driver with --set enableSecretRotation=true (it sets requiresRepublish), or run doctor with --rotation=false if that is intended
FAIL  driver kube-system/csi-secrets-store: v1.4.1 is older than v1.6.0, which Courier is tested with
      fix: upgrade the Secrets Store CSI driver to v1.6.0 or newer
FAIL  providers directory: the driver reads /etc/kubernetes/secrets-store-csi-providers, courier serves in ${PROVIDERS} on the node
      fix: set the chart's providersDir to /etc/kubernetes/secrets-store-csi-providers
FAIL  socket: no socket at DIR/courier.sock
      fix: start courier serve with --socket-dir DIR --provider-name courier, or pass the ones it runs with
FAIL  RBAC: system:serviceaccount:courier-system:courier may not patch events.k8s.io/events (--pod-events)
      fix: apply Courier's ClusterRole for these flags (manifests/base, the chart, or the mirror-secrets component), or turn the flag off
FAIL  aws endpoint AWS STS: cannot connect to 127.0.0.1:PORT (ECONNREFUSED)
      fix: check DNS, egress network policies and proxies from the node, or point the store's endpoint flag at a private endpoint
FAIL  aws endpoint AWS Secrets Manager: cannot connect to 127.0.0.1:PORT (ECONNREFUSED)
      fix: check DNS, egress network policies and proxies from the node, or point the store's endpoint flag at a private endpoint
FAIL  aws endpoint AWS SSM: cannot connect to 127.0.0.1:PORT (ECONNREFUSED)
      fix: check DNS, egress network policies and proxies from the node, or point the store's endpoint flag at a private endpoint
NOTE  aws: classes with usePodIdentity: "true" also need the audience pods.eks.amazonaws.com
NOTE  azure: no --azure-tenant-id, --azure-authority-host or --azure-token-audience: not checked whether Entra ID is reachable; classes using workload identity need the audience api://AzureADTokenExchange
FAIL  clock: about 120 s ahead of the API server; pod tokens look expired early and cloud token exchanges fail
      fix: sync the node's clock (chrony or systemd-timesyncd against your NTP servers)
10 of 10 checks fail
`);
});

test('doctor says when its identity may grant more than the flags need', async (t) => {
  const api = await useFakeKubeApi(t);
  install(api, { audiences: [], republish: true, driver: 'v1.6.1', driverDir: PROVIDERS });
  api.restrictTo(['/serviceaccounts:get', 'events.k8s.io/events:create', 'events.k8s.io/events:patch', '/secrets:get', ...READER_GRANTS]);
  const result = await runCli(['doctor', '--kubeconfig', api.kubeconfig, '--socket-dir', '/nonexistent/providers']);
  t.is(result.code, 1);
  t.regex(result.stdout, /\nFAIL {2}RBAC: system:serviceaccount:courier-system:courier may get secrets without --mirror-secrets, more than its flags need\n {6}fix: remove the extra rules/);
  t.regex(result.stdout, /\nPASS {2}CSIDriver secrets-store\.csi\.k8s\.io: the enabled stores need no pod tokens\n/);
  t.regex(result.stdout, /\nSKIP {2}socket: \/nonexistent\/providers does not exist here\n {6}fix: run courier doctor in the Courier pod/);
});

test('doctor with Courier\'s own RBAC skips what it may not read and says how to run it', async (t) => {
  const api = await useFakeKubeApi(t);
  install(api, { audiences: [], republish: true, driver: 'v1.6.1', driverDir: PROVIDERS });
  api.restrictTo(COURIER_GRANTS);
  const result = await runCli(['doctor', '--kubeconfig', api.kubeconfig, '--socket-dir', '/nonexistent/providers', '--pod-events', 'true']);
  t.regex(result.stdout, /\nSKIP {2}CSIDriver secrets-store\.csi\.k8s\.io: this identity may not read it\n {6}fix: run courier doctor with a --kubeconfig that may get csidrivers\.storage\.k8s\.io \(Courier's own RBAC does not grant it\)\n/);
  t.regex(result.stdout, /\nSKIP {2}the driver's DaemonSet: this identity may not read it\n/);
  t.regex(result.stdout, /\nall 2 checks that could run pass \(3 skipped\)\n$/);
  t.is(result.code, 0);
});

test('doctor without any Kubernetes API says so first and still checks the socket', async (t) => {
  const result = await runCli(['doctor', '--socket-dir', '/nonexistent/providers']);
  t.is(result.code, 1);
  t.is(result.stdout, `courier doctor 0.1.0 (Kubernetes API: in-cluster config)
FAIL  Kubernetes API: the Kubernetes API is not configured: courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given
      fix: run courier doctor in the Courier pod, or pass --kubeconfig
SKIP  socket: /nonexistent/providers does not exist here
      fix: run courier doctor in the Courier pod (kubectl -n courier-system exec ds/courier -- /nodejs/bin/node /app/dist/cli/main.js doctor --serve-args-of 1)
NOTE  aws: no --aws-region: not checked whether AWS is reachable; classes using IRSA need the audience sts.amazonaws.com, those with usePodIdentity: "true" pods.eks.amazonaws.com
NOTE  azure: no --azure-tenant-id, --azure-authority-host or --azure-token-audience: not checked whether Entra ID is reachable; classes using workload identity need the audience api://AzureADTokenExchange
1 of 2 checks fail (1 skipped)
`);
});

test('doctor takes courier serve\'s flags from its process with --serve-args-of, flags given to doctor winning', async (t) => {
  const api = await useFakeKubeApi(t);
  install(api, { audiences: [], republish: true, driver: 'v1.6.1', driverDir: PROVIDERS });
  const store = await tempDir(t);
  const courier = await startCourierProcess(t, { providerName: 'courier-pid', args: ['--local-store', store, '--pod-events=false', '--grace-period', '5'] });
  const result = await runCli(['doctor', '--serve-args-of', String(courier.pid), '--kubeconfig', api.kubeconfig]);
  t.regex(result.stdout, new RegExp(`\nPASS {2}socket: ${courier.socketPath.replaceAll('/', '\\/').replaceAll('.', '\\.')} answers Version \\(courier 0\\.1\\.0\\)\n`));
  // --pod-events=false came from the process: events are then excess, and the fake grants everything.
  t.regex(result.stdout, /\nFAIL {2}RBAC: system:serviceaccount:courier-system:courier may list secrets, get pods, create events\.k8s\.io\/events without --pod-events, patch events\.k8s\.io\/events without --pod-events, get secrets without --mirror-secrets, more than its flags need\n/);
  const overridden = await runCli(['doctor', '--serve-args-of', String(courier.pid), '--kubeconfig', api.kubeconfig, '--provider-name', 'other']);
  t.regex(overridden.stdout, /\nFAIL {2}socket: no socket at .*\/other\.sock\n/);
});

test('doctor --serve-args-of refuses a process that is not courier serve', async (t) => {
  const result = await runCli(['doctor', '--serve-args-of', String(process.pid)]);
  t.is(result.code, 1);
  t.regex(result.stderr, /^courier: --serve-args-of: process \d+ is not courier serve \(/);
});
