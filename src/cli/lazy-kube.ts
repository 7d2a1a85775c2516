/** Loads the Kubernetes client modules on first use: a Courier that never calls the API never loads them. */
import type { KubeClient } from '../kube/kube-client.ts';
import type { ServiceAccountReader } from '../kube/service-accounts.ts';

/** The Kubernetes API for `courier serve`, loaded when a Mount or the mirror first needs it. */
export interface LazyKube {
  /** Where the configuration comes from, for logs: `kubeconfig FILE` or `in-cluster`. */
  readonly source: string;
  /** Loads the client (once) and returns it. */
  client(): Promise<KubeClient>;
  /** A ServiceAccountReader that loads the client on its first call; all calls share one reader and cache. */
  readonly serviceAccounts: ServiceAccountReader;
}

/**
 * Creates the lazy client. The environment is captured now, at start-up, so a late load sees what
 * the process was started with.
 */
export function lazyKube(kubeconfig: string | undefined, env: Readonly<Record<string, string | undefined>> = { ...process.env }): LazyKube {
  let loaded: Promise<{ kube: KubeClient; reader: ServiceAccountReader }> | undefined;
  const load = () =>
    (loaded ??= (async () => {
      const [{ createKubeClientAtStartup }, { createServiceAccountReader }] = await Promise.all([import('../kube/kube-client.ts'), import('../kube/service-account-reader.ts')]);
      const kube = createKubeClientAtStartup(kubeconfig, env);
      return { kube, reader: createServiceAccountReader(kube) };
    })());
  return {
    source: kubeconfig === undefined ? 'in-cluster' : `kubeconfig ${kubeconfig}`,
    client: async () => (await load()).kube,
    serviceAccounts: {
      annotations: async (namespace, name, signal) => (await load()).reader.annotations(namespace, name, signal),
    },
  };
}
