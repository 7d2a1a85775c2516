/** Reading Kubernetes ServiceAccounts (annotations name the cloud identity a pod may use). */

/** What identity code needs from the Kubernetes API. */
export interface ServiceAccountReader {
  /**
   * The annotations of a ServiceAccount. Throws AuthError when it does not exist, UnavailableError
   * when the API cannot be reached.
   */
  annotations(namespace: string, name: string, signal?: AbortSignal): Promise<Readonly<Record<string, string>>>;
}
