/** The whole cluster tier's stack (control plane, driver install, driver node), started per test file or shared through a state file. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, writeJson, type ControlPlane } from './cluster.ts';
import { installDriver, startDriver, type DriverNode } from './driver.ts';
import { loadKubeConfig } from './kubeconfig.ts';

const run = promisify(execFile);

/** The audiences the CSIDriver asks kubelet to request tokens for: AWS STS and a Google workload identity pool. */
export const AUDIENCES = Object.freeze({ aws: 'sts.amazonaws.com', gcp: 'shop-prod.svc.id.goog' });

/** Set to a state file written by `scripts/cluster-up.sh` to run tests against a stack that is already up. */
export const STATE_VARIABLE = 'COURIER_CLUSTER_STATE';

/** Where the driver node is and how kubelet reaches it. */
export type NodeInfo = Omit<DriverNode, 'component'>;

/** What tests use of a stack. */
export interface Stack {
  readonly dir: string;
  readonly server: string;
  readonly issuer: string;
  readonly caPem: string;
  readonly adminKubeconfig: string;
  /** The API server's ServiceAccount signing key (PKCS#8 PEM): tests sign expired tokens with it. */
  readonly serviceAccountKeyPem: string;
  readonly admin: KubeConfig;
  readonly node: NodeInfo;
  /** The last lines of each component's log (empty for a shared stack), for failure messages. */
  logs(): Promise<string>;
  /** Stops what this process started; a shared stack is left running. */
  stop(): Promise<void>;
}

/** The state file's content: everything needed to attach to a running stack. */
interface StackState {
  readonly dir: string;
  readonly server: string;
  readonly issuer: string;
  readonly caFile: string;
  readonly adminKubeconfig: string;
  readonly serviceAccountKeyFile: string;
  readonly node: NodeInfo;
}

/** Starts a stack in a new temp dir, or attaches to the one `COURIER_CLUSTER_STATE` names. */
export async function useStack(): Promise<Stack> {
  const state = process.env[STATE_VARIABLE];
  return state ? attachStack(state) : startStack();
}

/** Starts etcd, the API server, the controller-manager, installs the driver and starts it. */
export async function startStack(dir?: string): Promise<Stack> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'courier-cluster-')));
  let plane: ControlPlane | undefined;
  let driver: DriverNode | undefined;
  const stop = async () => {
    await driver?.component.stop();
    await plane?.stop();
    await unmountBelow(root);
    if (process.env['COURIER_CLUSTER_KEEP'] !== '1') await rm(root, { recursive: true, force: true });
  };
  try {
    plane = await startControlPlane(root);
    const admin = loadKubeConfig(plane.adminKubeconfig);
    await installDriver(admin, Object.values(AUDIENCES));
    driver = await startDriver(plane, admin, root);
    const components = [...plane.components, driver.component];
    const node: NodeInfo = { nodeName: driver.nodeName, endpoint: driver.endpoint, providersDir: driver.providersDir, kubeletDir: driver.kubeletDir };
    return {
      dir: root,
      server: plane.server,
      issuer: plane.issuer,
      caPem: plane.pki.caPem,
      adminKubeconfig: plane.adminKubeconfig,
      serviceAccountKeyPem: plane.pki.serviceAccountKeyPem,
      admin,
      node,
      logs: async () => (await Promise.all(components.map(async (component) => `--- ${component.name}\n${await component.tail(15)}`))).join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Writes the state file that `COURIER_CLUSTER_STATE` points tests at. */
export async function writeStackState(stack: Stack, file: string): Promise<void> {
  const state: StackState = {
    dir: stack.dir,
    server: stack.server,
    issuer: stack.issuer,
    caFile: join(stack.dir, 'ca.crt'),
    adminKubeconfig: stack.adminKubeconfig,
    serviceAccountKeyFile: join(stack.dir, 'sa.key'),
    node: stack.node,
  };
  await writeJson(file, state);
}

async function attachStack(file: string): Promise<Stack> {
  const state = JSON.parse(await readFile(file, 'utf8')) as StackState;
  return {
    dir: state.dir,
    server: state.server,
    issuer: state.issuer,
    caPem: await readFile(state.caFile, 'utf8'),
    adminKubeconfig: state.adminKubeconfig,
    serviceAccountKeyPem: await readFile(state.serviceAccountKeyFile, 'utf8'),
    admin: loadKubeConfig(state.adminKubeconfig),
    node: state.node,
    logs: () => Promise.resolve(`(shared stack: logs in ${join(state.dir, 'logs')})`),
    stop: () => Promise.resolve(),
  };
}

/** Unmounts every mount below `dir` (the driver's tmpfs volumes a failed test left), deepest first. */
async function unmountBelow(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo.split('\n').map((line) => line.split(' ')[4] ?? '').filter((point) => point.startsWith(`${dir}/`));
  for (const point of points.sort((a, b) => b.length - a.length)) await run('umount', [point]).catch(() => undefined);
}
