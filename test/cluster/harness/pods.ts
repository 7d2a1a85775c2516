/** A test's application: a SecretProviderClass, a pod that mounts it, and kubelet publishing the pod's volume through the driver. */
import type { ExecutionContext } from 'ava';
import { applyAll, createPod, deletePod, type PodSpec } from './kube-objects.ts';
import { kubeletVolumeContext, mountTypeAt, nodePublish, nodeUnpublish, podVolume, readMountedFiles, type CsiResult, type MountedFile, type PodVolume } from './kubelet.ts';
import type { Stack } from './stack.ts';

/** A SecretProviderClass as an application team writes it. */
export interface SpcSpec {
  readonly namespace: string;
  readonly name: string;
  /** spec.provider: the Courier process's --provider-name. */
  readonly provider: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** The driver's own Secret sync. */
  readonly secretObjects?: readonly unknown[];
}

/** Applies a SecretProviderClass (secrets-store.csi.x-k8s.io/v1). */
export async function applySpc(stack: Stack, spc: SpcSpec): Promise<void> {
  const object = {
    apiVersion: 'secrets-store.csi.x-k8s.io/v1',
    kind: 'SecretProviderClass',
    metadata: { name: spc.name, namespace: spc.namespace },
    spec: { provider: spc.provider, parameters: spc.parameters, ...(spc.secretObjects ? { secretObjects: spc.secretObjects } : {}) },
  };
  await applyAll(stack.admin, [object]);
}

/**
 * Creates the pod on the driver's node and returns its volume. In teardown the volume is unpublished
 * (as kubelet does when a pod goes) and the pod deleted, unless the test did so already.
 */
export async function startPod(t: ExecutionContext, stack: Stack, spec: PodSpec): Promise<PodVolume> {
  const pod = await createPod(stack.admin, stack.node.nodeName, spec);
  const volume = podVolume(stack.node, pod, spec.volume);
  t.teardown(async () => {
    await nodeUnpublish(stack.node, volume);
    await deletePod(stack.admin, spec.namespace, spec.name).catch(() => undefined);
  });
  return volume;
}

/** What a publish left in the pod's volume. */
export interface Published {
  readonly result: CsiResult;
  readonly files: Readonly<Record<string, MountedFile>>;
  /** The filesystem mounted at the target ('tmpfs' after a good publish). */
  readonly mountType: string;
}

/**
 * Kubelet publishes the volume: fresh tokens from the TokenRequest API, then NodePublishVolume; the files
 * are read back. Like kubelet, it retries (for up to 10 s) while the driver's informer has not yet seen a
 * SecretProviderClass the test has just applied.
 */
export async function publish(stack: Stack, volume: PodVolume, tokenFor?: (audience: string, token: string) => string): Promise<Published> {
  const context = await kubeletVolumeContext(stack.admin, volume, tokenFor);
  let result = await nodePublish(stack.node, volume, context);
  for (let waited = 0; !result.ok && result.error.includes('failed to get secretproviderclass') && waited < 10_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await nodePublish(stack.node, volume, context);
  }
  const mountType = await mountTypeAt(volume.target);
  const files = result.ok ? await readMountedFiles(volume.target) : {};
  return { result, files, mountType };
}

/** `{path: content}` of mounted files. */
export function contents(files: Readonly<Record<string, MountedFile>>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, file]) => [path, file.content]));
}
