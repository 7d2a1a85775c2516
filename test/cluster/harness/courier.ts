/** Courier installed as a user installs it (kustomize base or Helm chart) and run as a process with the identity those manifests grant. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import type { KubernetesObject } from '@kubernetes/client-node';
import { startCourierProcess, type CourierProcess } from '../../e2e/helpers/courier-process.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { applyAll, deleteAll, parseManifests, requestToken } from './kube-objects.ts';
import type { Stack } from './stack.ts';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TOOLS = join(REPO_ROOT, '.tools', 'bin');

/** Which of Courier's shipped manifests to install. */
export type CourierManifests =
  | { readonly kustomize: 'manifests/base' | 'manifests/overlays/mirror-secrets' | 'manifests/overlays/token-review' }
  | { readonly chart: 'manifests/charts/courier'; readonly namespace: string; readonly values?: Readonly<Record<string, string>> };

/** Courier's objects as applied, and the ServiceAccount they run Courier as. */
export interface CourierInstall {
  readonly objects: readonly KubernetesObject[];
  readonly namespace: string;
  readonly serviceAccount: string;
}

/** Renders the manifests with the real tools (kustomize, helm from .tools/bin, which test:cluster installs). */
export async function renderCourier(manifests: CourierManifests): Promise<KubernetesObject[]> {
  if ('kustomize' in manifests) {
    const { stdout } = await run(join(TOOLS, 'kustomize'), ['build', join(REPO_ROOT, manifests.kustomize)], { maxBuffer: 8 * 1024 * 1024 });
    return parseManifests(stdout);
  }
  const sets = Object.entries({ 'namespace.create': 'true', ...manifests.values }).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  const { stdout } = await run(join(TOOLS, 'helm'), ['template', 'courier', join(REPO_ROOT, manifests.chart), '--namespace', manifests.namespace, ...sets], { maxBuffer: 8 * 1024 * 1024 });
  return parseManifests(stdout);
}

/** Renders and applies Courier's manifests; the objects are deleted again in teardown (the namespace stays). */
export async function installCourier(t: ExecutionContext, stack: Stack, manifests: CourierManifests): Promise<CourierInstall> {
  const objects = await applyAll(stack.admin, await renderCourier(manifests));
  t.teardown(() => deleteAll(stack.admin, objects.filter((object) => object.kind !== 'Namespace')));
  const account = objects.find((object) => object.kind === 'ServiceAccount');
  if (!account?.metadata?.namespace || !account.metadata.name) throw new Error('the manifests hold no ServiceAccount');
  return { objects, namespace: account.metadata.namespace, serviceAccount: account.metadata.name };
}

/**
 * A kubeconfig holding a token of Courier's ServiceAccount from the TokenRequest API (the token a
 * DaemonSet pod gets), so the real RBAC decides every call Courier makes.
 */
export async function courierKubeconfig(t: ExecutionContext, stack: Stack, install: CourierInstall, dir: string): Promise<string> {
  const { token } = await requestToken(stack.admin, install.namespace, install.serviceAccount);
  const file = join(dir, `${install.namespace}-${install.serviceAccount}.kubeconfig`);
  await writeKubeconfig(file, { server: stack.server, caPem: stack.caPem, user: { token } });
  t.log(`courier runs as ${install.namespace}/${install.serviceAccount}`);
  return file;
}

/** How to run Courier beside the driver. */
export interface ClusterCourierOptions {
  /** The provider name; a SecretProviderClass selects it with spec.provider. */
  readonly providerName: string;
  readonly kubeconfig: string;
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `courier serve` on the driver's provider directory, talking to the real API server. */
export function startClusterCourier(t: ExecutionContext, stack: Stack, options: ClusterCourierOptions): Promise<CourierProcess> {
  return startCourierProcess(t, {
    socketDir: stack.node.providersDir,
    providerName: options.providerName,
    args: ['--kubeconfig', options.kubeconfig, '--cache-ttl', '0', ...(options.args ?? [])],
    ...(options.env ? { env: options.env } : {}),
  });
}

/**
 * Installs `manifests` (default the kustomize base), then starts Courier with its ServiceAccount's token:
 * what every cluster test runs, so that each Mount is authorised by the RBAC Courier ships.
 */
export async function startInstalledCourier(t: ExecutionContext, stack: Stack, options: Omit<ClusterCourierOptions, 'kubeconfig'> & { readonly manifests?: CourierManifests; readonly kubeconfigDir: string }): Promise<CourierProcess> {
  const install = await installCourier(t, stack, options.manifests ?? { kustomize: 'manifests/base' });
  const kubeconfig = await courierKubeconfig(t, stack, install, options.kubeconfigDir);
  return startClusterCourier(t, stack, { providerName: options.providerName, kubeconfig, ...(options.args ? { args: options.args } : {}), ...(options.env ? { env: options.env } : {}) });
}
