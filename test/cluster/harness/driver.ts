/** The Secrets Store CSI driver's node binary, installed as its own manifests describe and run as one node. */
import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { freeLoopbackPort } from '../../e2e/helpers/courier-process.ts';
import type { ControlPlane } from './cluster.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { applyAll, readManifests, requestToken } from './kube-objects.ts';
import { binary, startComponent, waitUntil, type Component } from './process.ts';

const run = promisify(execFile);
const DRIVER_MODULE_DIR = fileURLToPath(new URL('../driver/', import.meta.url));
/** The driver's files this tier installs, from its module: CRDs, its ServiceAccount and RBAC, the CSIDriver. */
const DRIVER_MANIFESTS = [
  'deploy/secrets-store.csi.x-k8s.io_secretproviderclasses.yaml',
  'deploy/secrets-store.csi.x-k8s.io_secretproviderclasspodstatuses.yaml',
  'deploy/rbac-secretproviderclass.yaml',
  // The driver's own Secret sync (spec.secretObjects), which its chart enables with syncSecret.enabled.
  'deploy/rbac-secretprovidersyncing.yaml',
  'deploy/csidriver.yaml',
];

/** The driver on this machine's one node. */
export interface DriverNode {
  readonly nodeName: string;
  /** The driver's CSI socket (kubelet's plugin registration would find it here). */
  readonly endpoint: string;
  /** The driver's --provider-volume: Courier's socket goes here. */
  readonly providersDir: string;
  /** Kubelet's root directory; targets are `<kubeletDir>/pods/<uid>/volumes/kubernetes.io~csi/<volume>/mount`. */
  readonly kubeletDir: string;
  readonly component: Component;
}

/** The directory of the driver's Go module (downloaded by scripts/build-cluster.sh). */
export async function driverModuleDir(): Promise<string> {
  const { stdout } = await run('go', ['list', '-mod=readonly', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/secrets-store-csi-driver'], { cwd: DRIVER_MODULE_DIR });
  return stdout.trim();
}

/**
 * Applies the driver's CRDs, RBAC and CSIDriver from its module, with `tokenRequests` for `audiences`
 * and `requiresRepublish`, as the driver's chart does with `--set tokenRequests[i].audience=...`.
 */
export async function installDriver(config: KubeConfig, audiences: readonly string[]): Promise<void> {
  const dir = await driverModuleDir();
  const objects: KubernetesObject[] = [];
  for (const file of DRIVER_MANIFESTS) objects.push(...(await readManifests(join(dir, file))));
  for (const object of objects) {
    if (object.kind === 'CSIDriver') (object as { spec: Record<string, unknown> }).spec['tokenRequests'] = audiences.map((audience) => ({ audience }));
  }
  await applyAll(config, objects);
}

/**
 * Starts the driver binary as node `nodeName`, with a kubeconfig holding its own ServiceAccount's token
 * (so the driver's RBAC is the one its manifests grant), rotation on (a republish after `rotationPollMs`
 * fetches again) and its metrics on loopback. Resolves when its CSI socket exists.
 */
export async function startDriver(cluster: ControlPlane, admin: KubeConfig, dir: string, rotationPollMs = 1_000): Promise<DriverNode> {
  const nodeName = 'courier-node-1';
  const providersDir = join(dir, 'providers');
  const kubeletDir = join(dir, 'kubelet');
  const endpoint = join(dir, 'csi', 'csi.sock');
  await mkdir(providersDir, { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'csi'), { recursive: true, mode: 0o700 });
  await mkdir(join(kubeletDir, 'pods'), { recursive: true, mode: 0o750 });
  const token = await requestToken(admin, 'kube-system', 'secrets-store-csi-driver', { expirationSeconds: 24 * 3600 });
  const kubeconfig = join(dir, 'driver.kubeconfig');
  await writeKubeconfig(kubeconfig, { server: cluster.server, caPem: cluster.pki.caPem, user: { token: token.token } });
  const component = await startComponent('secrets-store-csi-driver', await binary('secrets-store-csi-driver'), [
    `--endpoint=unix://${endpoint}`,
    `--nodeid=${nodeName}`,
    `--provider-volume=${providersDir}`,
    // Its default also searches /etc/kubernetes/secrets-store-csi-providers, which is this machine's.
    `--additional-provider-volume-paths=${providersDir}`,
    `--metrics-addr=127.0.0.1:${await freeLoopbackPort()}`,
    '--enable-secret-rotation=true',
    `--rotation-poll-interval=${rotationPollMs}ms`,
    `--kubeconfig=${kubeconfig}`,
    '--v=2',
  ], join(cluster.dir, 'logs'));
  await waitUntil(component, 'CSI socket', async () => (await stat(endpoint)).isSocket(), 30_000);
  return { nodeName, endpoint, providersDir, kubeletDir, component };
}
