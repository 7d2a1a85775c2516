/** Reading Kubernetes ServiceAccounts (annotations name the cloud identity a pod may use). */
import { status } from '../errors/status-codes.ts';
import { CourierError } from '../errors/courier-error.ts';

/** What identity code needs from the Kubernetes API. */
export interface ServiceAccountReader {
  /**
   * The annotations of a ServiceAccount. Throws AuthError when it does not exist, UnavailableError
   * when the API cannot be reached.
   */
  annotations(namespace: string, name: string, signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
}

/**
 * Stands in when Courier has no Kubernetes API access: every read fails FAILED_PRECONDITION (a
 * precondition of the installation, not of the pod), naming what the store wanted to read.
 */
export function noKubernetesApi(store: string, purpose: string): ServiceAccountReader {
  return {
    annotations(namespace, name) {
      return Promise.reject(
        new CourierError(status.FAILED_PRECONDITION, `${store} must read ServiceAccount ${namespace}/${name} for ${purpose}, but this Courier has no Kubernetes API access; run it in the cluster or pass --kubeconfig`),
      );
    },
  };
}
