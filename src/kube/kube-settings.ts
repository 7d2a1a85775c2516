/** Loads the target of Courier's Kubernetes client: --kubeconfig (read, parsed, its TLS files read) or the in-cluster environment. */
import { readFileSync } from 'node:fs';
import { parseKubeconfig } from './kubeconfig.ts';
import { inClusterTarget, notConfigured, type KubeTarget, type Material } from './kube-target.ts';

/** Where the configuration comes from; read from flags and the environment at start-up. */
export interface KubeSettings {
  /** A kubeconfig file (development); without it Courier uses the in-cluster config. */
  readonly kubeconfig?: string;
  /** `KUBERNETES_SERVICE_HOST` and `_PORT` as the process saw them at start-up. */
  readonly serviceHost?: string;
  readonly servicePort?: string;
  /** Overrides the in-cluster token and CA paths (tests). */
  readonly inClusterPaths?: { readonly token: string; readonly ca: string };
}

/**
 * The target, or a FAILED_PRECONDITION CourierError saying what to do. A kubeconfig's TLS files are
 * read now, so a missing one is named at start-up; its token file, and the in-cluster CA and token,
 * which kubelet provides and rotates, are read by the connection.
 */
export function loadTarget(settings: KubeSettings): KubeTarget {
  if (settings.kubeconfig !== undefined) return readKubeconfig(settings.kubeconfig);
  if (!settings.serviceHost || !settings.servicePort) {
    throw notConfigured('courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given');
  }
  return inClusterTarget(settings.serviceHost, settings.servicePort, settings.inClusterPaths);
}

function readKubeconfig(file: string): KubeTarget {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw notConfigured(`cannot load --kubeconfig ${file}: ${(error as Error).message}`, error);
  }
  const target = parseKubeconfig(text, file);
  const { ca, clientCertificate, clientKey } = target;
  return {
    ...target,
    ...(ca ? { ca: { data: read(ca, file) } } : {}),
    ...(clientCertificate && clientKey ? { clientCertificate: { data: read(clientCertificate, file) }, clientKey: { data: read(clientKey, file) } } : {}),
  };
}

function read(material: Material, kubeconfig: string): Buffer {
  if ('data' in material) return material.data;
  try {
    return readFileSync(material.file);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw notConfigured(`--kubeconfig ${kubeconfig}: ${material.field ?? 'a file'}: cannot read ${material.file}${typeof code === 'string' ? ` (${code})` : ''}`, error);
  }
}
