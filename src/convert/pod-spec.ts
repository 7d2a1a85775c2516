/** Edits a workload's pod template in place: injector annotations out, Courier's CSI volume and mounts in. */
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { INJECTOR_PREFIX } from './injector-annotations.ts';

/** The CSI driver's name, as every SecretProviderClass volume names it. */
export const CSI_DRIVER = 'secrets-store.csi.k8s.io';

/** Where each workload kind keeps its pod template; a Pod is its own. */
const POD_TEMPLATE: Readonly<Record<string, readonly string[]>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** The path of the pod template in a manifest of `kind`, if it is a workload. */
export function podTemplatePath(kind: unknown): readonly string[] | undefined {
  return typeof kind === 'string' && Object.hasOwn(POD_TEMPLATE, kind) ? POD_TEMPLATE[kind] : undefined;
}

/** The change to make. */
export interface PodSpecChange {
  readonly secretProviderClass: string;
  readonly mountPath: string;
  readonly containers?: readonly string[];
  readonly initContainers: boolean;
}

/**
 * Applies `change` to the pod template at `path` of `doc`, keeping every other line (and comment)
 * as it was. Returns problems worth reporting (a container that already mounts something there).
 */
export function applyPodSpecChange(doc: Document, path: readonly string[], change: PodSpecChange): string[] {
  const problems: string[] = [];
  removeInjectorAnnotations(doc, path);
  const volumeName = freeVolumeName(doc, path);
  const volume = { name: volumeName, csi: { driver: CSI_DRIVER, readOnly: true, volumeAttributes: { secretProviderClass: change.secretProviderClass } } };
  const volumes = doc.getIn([...path, 'spec', 'volumes']);
  if (isSeq(volumes)) volumes.add(doc.createNode(volume));
  else doc.setIn([...path, 'spec', 'volumes'], doc.createNode([volume]));
  const groups = change.initContainers ? ['initContainers', 'containers'] : ['containers'];
  let mounted = 0;
  for (const group of groups) {
    const list = doc.getIn([...path, 'spec', group]);
    if (!isSeq(list)) continue;
    for (const container of list.items) {
      if (!isMap(container)) continue;
      const name = text(container.get('name'));
      if (group === 'containers' && change.containers && !change.containers.includes(name)) continue;
      if (mountsAt(container, change.mountPath)) {
        problems.push(`container "${name}" already mounts something at ${change.mountPath}; its mount was not added`);
        continue;
      }
      const mount = { name: volumeName, mountPath: change.mountPath, readOnly: true };
      const mounts = container.get('volumeMounts');
      if (isSeq(mounts)) mounts.add(doc.createNode(mount));
      else container.set('volumeMounts', doc.createNode([mount]));
      mounted += 1;
    }
  }
  if (mounted === 0) problems.push('no container got the secrets volume (check agent-inject-containers)');
  return problems;
}

function removeInjectorAnnotations(doc: Document, path: readonly string[]): void {
  const annotations = doc.getIn([...path, 'metadata', 'annotations']);
  if (!isMap(annotations)) return;
  annotations.items = annotations.items.filter((pair) => !(isScalar(pair.key) && String(pair.key.value).startsWith(INJECTOR_PREFIX)));
  if (annotations.items.length > 0) return;
  doc.deleteIn([...path, 'metadata', 'annotations']);
  // A pod template whose metadata held only the injector's annotations is left without metadata, not `metadata: {}`.
  const metadata = doc.getIn([...path, 'metadata']);
  if (path.length > 0 && isMap(metadata) && metadata.items.length === 0) doc.deleteIn([...path, 'metadata']);
}

/** `courier-secrets`, or with a number when the pod already has a volume of that name. */
function freeVolumeName(doc: Document, path: readonly string[]): string {
  const volumes = doc.getIn([...path, 'spec', 'volumes']);
  const taken = new Set(isSeq(volumes) ? volumes.items.map((volume) => (isMap(volume) ? text(volume.get('name')) : '')) : []);
  let name = 'courier-secrets';
  for (let n = 2; taken.has(name); n += 1) name = `courier-secrets-${n}`;
  return name;
}

function mountsAt(container: YAMLMap, mountPath: string): boolean {
  const mounts = container.get('volumeMounts');
  if (!isSeq(mounts)) return false;
  const clean = mountPath.replace(/\/+$/, '');
  return mounts.items.some((mount) => isMap(mount) && text(mount.get('mountPath')).replace(/\/+$/, '') === clean);
}

/** A scalar's text; anything else is no name at all. */
function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
