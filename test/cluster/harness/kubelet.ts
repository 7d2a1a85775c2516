/** Kubelet's side of an inline CSI volume: tokens from the TokenRequest API, the volume context, NodePublishVolume through kubelet-csi. */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { StorageV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { DRIVER_NAME, requestToken } from './kube-objects.ts';
import type { NodeInfo } from './stack.ts';
import { binary } from './process.ts';

const run = promisify(execFile);

/** A pod's inline volume on the node. */
export interface PodVolume {
  readonly pod: V1Pod;
  readonly volume: string;
  /** `<kubeletDir>/pods/<uid>/volumes/kubernetes.io~csi/<volume>/mount`, the shape the driver's Secret sync parses. */
  readonly target: string;
  /** Kubelet's handle for an inline volume: `csi-` + sha256(pod UID + volume name). */
  readonly volumeId: string;
}

/** The pod's volume named `volume` (default `secrets`) as kubelet lays it out on `node`. */
export function podVolume(node: NodeInfo, pod: V1Pod, volume = 'secrets'): PodVolume {
  const uid = pod.metadata?.uid ?? '';
  return {
    pod,
    volume,
    target: join(node.kubeletDir, 'pods', uid, 'volumes', 'kubernetes.io~csi', volume, 'mount'),
    volumeId: `csi-${createHash('sha256').update(`${uid}${volume}`).digest('hex')}`,
  };
}

/**
 * The volume context kubelet sends: the volume's attributes, the pod info (podInfoOnMount), `ephemeral`
 * for an inline volume and, for each `tokenRequests` audience of the CSIDriver, a token from the real
 * TokenRequest API bound to the pod. `tokenFor` may replace the token of an audience (tests of refusals).
 */
export async function kubeletVolumeContext(admin: KubeConfig, volume: PodVolume, tokenFor?: (audience: string, token: string) => string): Promise<Record<string, string>> {
  const { pod } = volume;
  const spec = pod.spec?.volumes?.find((item) => item.name === volume.volume)?.csi;
  if (!spec) throw new Error(`pod ${pod.metadata?.name ?? ''} has no CSI volume ${volume.volume}`);
  const driver = await admin.makeApiClient(StorageV1Api).readCSIDriver({ name: DRIVER_NAME });
  const namespace = pod.metadata?.namespace ?? '';
  const serviceAccount = pod.spec?.serviceAccountName ?? 'default';
  const context: Record<string, string> = {
    ...spec.volumeAttributes,
    'csi.storage.k8s.io/pod.name': pod.metadata?.name ?? '',
    'csi.storage.k8s.io/pod.namespace': namespace,
    'csi.storage.k8s.io/pod.uid': pod.metadata?.uid ?? '',
    'csi.storage.k8s.io/serviceAccount.name': serviceAccount,
    'csi.storage.k8s.io/ephemeral': 'true',
  };
  const tokens: Record<string, { token: string; expirationTimestamp: string }> = {};
  for (const request of driver.spec.tokenRequests ?? []) {
    const issued = await requestToken(admin, namespace, serviceAccount, { audiences: [request.audience], boundTo: { kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' }, expirationSeconds: request.expirationSeconds ?? 3600 });
    tokens[request.audience] = { token: tokenFor ? tokenFor(request.audience, issued.token) : issued.token, expirationTimestamp: issued.expirationTimestamp.toISOString() };
  }
  if (Object.keys(tokens).length > 0) context['csi.storage.k8s.io/serviceAccount.tokens'] = JSON.stringify(tokens);
  return context;
}

/** How a CSI call ended; `error` is the status message kubelet puts in the pod's events. */
export interface CsiResult {
  readonly ok: boolean;
  readonly grpcCode: string;
  readonly error: string;
  readonly elapsedMs: number;
}

/** What `kubelet-csi loop` reports. */
export interface CsiLoopResult {
  readonly publishes: number;
  readonly failures: number;
  readonly failureMessages: readonly string[];
  readonly longestPublishMs: number;
}

/** NodePublishVolume for `volume` with `context`, as kubelet calls it (readonly, mount capability). */
export async function nodePublish(node: NodeInfo, volume: PodVolume, context: Record<string, string>): Promise<CsiResult> {
  return JSON.parse(await kubeletCsi('publish', node, volume, context)) as CsiResult;
}

/** NodeUnpublishVolume for `volume`. */
export async function nodeUnpublish(node: NodeInfo, volume: PodVolume): Promise<CsiResult> {
  return JSON.parse(await kubeletCsi('unpublish', node, volume)) as CsiResult;
}

/** Publishes and unpublishes `volume` again and again for `durationMs`, so every publish is a first mount. */
export async function nodePublishLoop(node: NodeInfo, volume: PodVolume, context: Record<string, string>, durationMs: number, intervalMs: number): Promise<CsiLoopResult> {
  return JSON.parse(await kubeletCsi('loop', node, volume, context, ['--duration', `${durationMs}ms`, '--interval', `${intervalMs}ms`])) as CsiLoopResult;
}

async function kubeletCsi(mode: 'publish' | 'unpublish' | 'loop', node: NodeInfo, volume: PodVolume, context?: Record<string, string>, extra: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-kubelet-'));
  try {
    const args = [mode, '--endpoint', node.endpoint, '--volume-id', volume.volumeId, '--target', volume.target];
    if (context) {
      await writeFile(join(dir, 'context.json'), JSON.stringify(context), { mode: 0o600 });
      args.push('--context', join(dir, 'context.json'));
    }
    const { stdout } = await run(await binary('kubelet-csi'), [...args, ...extra], { maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A file a pod sees in its volume. */
export interface MountedFile {
  readonly content: string;
  /** Octal, e.g. "0644". */
  readonly mode: string;
}

/** The files under `target` as a pod sees them (the writer's `..data` links followed, its hidden entries skipped). */
export async function readMountedFiles(target: string, rel = ''): Promise<Record<string, MountedFile>> {
  const files: Record<string, MountedFile> = {};
  for (const entry of await readdir(join(target, rel))) {
    if (rel === '' && entry.startsWith('..')) continue;
    const path = rel === '' ? entry : `${rel}/${entry}`;
    const info = await stat(join(target, path));
    if (info.isDirectory()) Object.assign(files, await readMountedFiles(target, path));
    else files[path] = { content: await readFile(join(target, path), 'utf8'), mode: (info.mode & 0o777).toString(8).padStart(4, '0') };
  }
  return files;
}

/** The filesystem type mounted at `path` ('' when nothing is mounted there), from /proc/self/mountinfo. */
export async function mountTypeAt(path: string): Promise<string> {
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [before, after] = line.split(' - ');
    if (before?.split(' ')[4] === path) return after?.split(' ')[0] ?? '';
  }
  return '';
}
