/** Starts a real control plane on loopback: etcd, kube-apiserver (RBAC, ServiceAccount issuer) and kube-controller-manager. */
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../e2e/helpers/courier-process.ts';
import { createClusterPki, type ClusterPki } from './pki.ts';
import { binary, startComponent, waitUntil, type Component } from './process.ts';
import { writeKubeconfig } from './kubeconfig.ts';

/** The controllers a cluster without kubelets needs. The default set includes the pod garbage collector,
 * which force-deletes pods bound to a node that does not exist (all of them, here) after about 40 s. */
export const CONTROLLERS = ['garbage-collector-controller', 'serviceaccount-controller', 'namespace-controller', 'root-ca-certificate-publisher-controller', 'clusterrole-aggregation-controller'];

/** A running control plane. */
export interface ControlPlane {
  /** Working directory: PKI, etcd data, logs, kubeconfigs. */
  readonly dir: string;
  /** `https://127.0.0.1:PORT`. */
  readonly server: string;
  /** The ServiceAccount token issuer (`iss` of every token the API server signs). */
  readonly issuer: string;
  readonly pki: ClusterPki;
  /** A kubeconfig for the administrator (system:masters client certificate). */
  readonly adminKubeconfig: string;
  readonly components: readonly Component[];
  /** Stops the controller-manager, then the API server, then etcd (the API server before etcd, or it hangs on shutdown). */
  stop(): Promise<void>;
}

/** Starts etcd, the API server and the controller-manager in `dir`; resolves when the API server is ready. */
export async function startControlPlane(dir: string): Promise<ControlPlane> {
  const logs = join(dir, 'logs');
  await mkdir(logs, { recursive: true, mode: 0o700 });
  const pki = await createClusterPki(dir);
  const components: Component[] = [];
  const stop = async () => {
    for (const component of [...components].reverse()) await component.stop(15_000);
  };
  try {
    const etcdUrl = await startEtcd(dir, logs, components);
    const server = await startApiServer(dir, logs, pki, etcdUrl, components);
    const adminKubeconfig = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(adminKubeconfig, { server, caPem: pki.caPem, user: { clientCert: pki.admin.cert, clientKey: pki.admin.key } });
    components.push(await startComponent('kube-controller-manager', await binary('kube-controller-manager'), [
      `--kubeconfig=${adminKubeconfig}`,
      `--controllers=${CONTROLLERS.join(',')}`,
      '--use-service-account-credentials=false',
      `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
      `--root-ca-file=${pki.caFile}`,
      '--leader-elect=false',
      // No serving port: nothing here scrapes it, and it would listen on all interfaces.
      '--secure-port=0',
      '--v=1',
    ], logs));
    return { dir, server, issuer: server, pki, adminKubeconfig, components, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function startEtcd(dir: string, logs: string, components: Component[]): Promise<string> {
  const [clientPort, peerPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = await startComponent('etcd', await binary('etcd'), [
    '--name=courier-cluster',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=courier-cluster=${peerUrl}`,
    '--listen-metrics-urls=',
    // A test cluster's data dies with it: skip fsync so a busy two-core machine stays quick.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ], logs);
  components.push(etcd);
  await waitUntil(etcd, 'healthy /health', async () => {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1_000) });
    return response.ok && ((await response.json()) as { health?: string }).health === 'true';
  }, 30_000);
  return clientUrl;
}

async function startApiServer(dir: string, logs: string, pki: ClusterPki, etcdUrl: string, components: Component[]): Promise<string> {
  const port = await freeLoopbackPort();
  const server = `https://127.0.0.1:${port}`;
  const apiServer = await startComponent('kube-apiserver', await binary('kube-apiserver'), [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.servingCertFile}`,
    `--tls-private-key-file=${pki.servingKeyFile}`,
    `--client-ca-file=${pki.caFile}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${server}`,
    `--service-account-key-file=${pki.serviceAccountPublicFile}`,
    `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
    // Only allocated, never routed: no Service here has endpoints anywhere but 127.0.0.1.
    '--service-cluster-ip-range=10.96.0.0/24',
    // The `kubernetes` Service would get 127.0.0.1 as its endpoint, which the reconciler refuses; nothing here uses it.
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--v=1',
  ], logs);
  components.push(apiServer);
  await waitUntil(apiServer, 'ready /readyz', () => readyz(server, pki), 90_000);
  return server;
}

/** GET /readyz as the administrator; true on 200. */
function readyz(server: string, pki: ClusterPki): Promise<boolean> {
  return new Promise((resolve) => {
    const call = request(`${server}/readyz`, { ca: pki.caPem, cert: pki.admin.cert, key: pki.admin.key, timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    call.on('error', () => resolve(false));
    call.on('timeout', () => call.destroy());
    call.end();
  });
}

/** Writes `value` as JSON to `file` (mode 0600). */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}
