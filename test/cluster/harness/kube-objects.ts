/** Talking to the real API server as the administrator: applying manifests, pods, ServiceAccount tokens. */
import { readFile } from 'node:fs/promises';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** The field manager of everything the tests apply. */
const FIELD_MANAGER = 'courier-cluster-tests';

/** Every non-empty YAML document of `text` (a kustomize build, a helm template, a manifest file). */
export function parseManifests(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null && typeof object === 'object' && typeof object.kind === 'string');
}

/** Reads and parses a manifest file. */
export async function readManifests(file: string): Promise<KubernetesObject[]> {
  return parseManifests(await readFile(file, 'utf8'));
}

/**
 * Server-side applies `objects` in the order `kubectl apply` would need: namespaces and CRDs first (and
 * waits for the CRDs to be established), then the rest. Returns the applied objects as the server has them.
 */
export async function applyAll(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(config);
  const rank = (object: KubernetesObject) => (object.kind === 'Namespace' ? 0 : object.kind === 'CustomResourceDefinition' ? 1 : 2);
  const ordered = [...objects].sort((a, b) => rank(a) - rank(b));
  const applied: KubernetesObject[] = [];
  for (const object of ordered) {
    if (rank(object) === 2 && applied.some((done) => done.kind === 'CustomResourceDefinition')) await waitForCrds(config, applied);
    applied.push(await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
  }
  await waitForCrds(config, applied);
  return applied;
}

/** Deletes `objects` (missing ones are fine), in reverse order. */
export async function deleteAll(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(config);
  for (const object of [...objects].reverse()) {
    await api.delete(object, undefined, undefined, 0).catch((error: unknown) => {
      if ((error as { code?: number }).code !== 404) throw error;
    });
  }
}

async function waitForCrds(config: KubeConfig, objects: readonly KubernetesObject[]): Promise<void> {
  const api = config.makeApiClient(ApiextensionsV1Api);
  for (const crd of objects.filter((object) => object.kind === 'CustomResourceDefinition')) {
    await poll(`CRD ${crd.metadata?.name ?? ''} established`, 30_000, async () => {
      const current = await api.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
      return current.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True') ?? false;
    });
  }
}

/** Polls `check` every 200 ms until it returns true; throws naming `what` after `timeoutMs`. */
export async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no ${what} within ${timeoutMs} ms${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
}

/** Creates a namespace (and waits for its `default` ServiceAccount, which the serviceaccount controller adds). */
export async function createNamespace(config: KubeConfig, name: string, labels: Record<string, string> = {}): Promise<void> {
  await applyAll(config, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }]);
}

/** Creates a ServiceAccount with `annotations`. */
export async function createServiceAccount(config: KubeConfig, namespace: string, name: string, annotations: Record<string, string> = {}): Promise<void> {
  await applyAll(config, [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace, annotations } }]);
}

/** A pod with one inline Secrets Store CSI volume, as an application author writes it. */
export interface PodSpec {
  readonly namespace: string;
  readonly name: string;
  readonly serviceAccount: string;
  /** The SecretProviderClass the volume names. */
  readonly secretProviderClass: string;
  /** The volume's name; default `secrets`. */
  readonly volume?: string;
  /** Extra volumeAttributes (a pod author may override class parameters). */
  readonly volumeAttributes?: Record<string, string>;
}

/** The CSI driver's name. */
export const DRIVER_NAME = 'secrets-store.csi.k8s.io';

/**
 * Creates the pod already bound to `nodeName` (there is no scheduler) and returns it with its UID. No
 * kubelet runs it: it stays Pending, which is all the driver, tokens and owner references need.
 */
export async function createPod(config: KubeConfig, nodeName: string, spec: PodSpec): Promise<V1Pod> {
  const volume = spec.volume ?? 'secrets';
  return config.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: spec.namespace,
    body: {
      metadata: { name: spec.name, namespace: spec.namespace },
      spec: {
        nodeName,
        serviceAccountName: spec.serviceAccount,
        containers: [{ name: 'app', image: 'registry.invalid/app:1', volumeMounts: [{ name: volume, mountPath: '/mnt/secrets', readOnly: true }] }],
        volumes: [{ name: volume, csi: { driver: DRIVER_NAME, readOnly: true, volumeAttributes: { secretProviderClass: spec.secretProviderClass, ...spec.volumeAttributes } } }],
      },
    },
  });
}

/** Deletes a pod at once (there is no kubelet to confirm a graceful deletion; it would stay Terminating). */
export async function deletePod(config: KubeConfig, namespace: string, name: string): Promise<void> {
  await config.makeApiClient(CoreV1Api).deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
}

/** What a TokenRequest asks for. */
export interface TokenOptions {
  readonly audiences?: readonly string[];
  /** Bind the token to this object (kubelet binds to the pod, the sync controller to its node); it becomes invalid when that is deleted. */
  readonly boundTo?: { readonly kind: 'Pod' | 'Node'; readonly name: string; readonly uid: string };
  /** Default one hour; the API server's minimum is 10 minutes. */
  readonly expirationSeconds?: number;
}

/** A token from the real TokenRequest API, signed by the API server. */
export async function requestToken(config: KubeConfig, namespace: string, serviceAccount: string, options: TokenOptions = {}): Promise<{ token: string; expirationTimestamp: Date }> {
  const bound = options.boundTo;
  const response = await config.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace,
    name: serviceAccount,
    body: {
      spec: {
        audiences: [...(options.audiences ?? [])],
        expirationSeconds: options.expirationSeconds ?? 3600,
        ...(bound ? { boundObjectRef: { apiVersion: 'v1', ...bound } } : {}),
      },
    },
  });
  if (!response.status?.token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return { token: response.status.token, expirationTimestamp: new Date(response.status.expirationTimestamp ?? Date.now() + (options.expirationSeconds ?? 3600) * 1000) };
}
