/** Loads the Kubernetes client library on first use: importing it costs about a second and 80 MiB at start-up. */
import type { KubeClient } from '../kube/kube-client.ts';
import type { ServiceAccountReader } from '../kube/service-accounts.ts';

/** The Kubernetes API for `courier serve`, loaded when a Mount or the mirror first needs it. */
export interface LazyKube {
  /** Where the configuration comes from, for logs: `kubeconfig FILE` or `in-cluster`. */
  readonly source: string;
  /** Loads the library (once) and returns the client. */
  client(): Promise<KubeClient>;
  /** A ServiceAccountReader that loads the library on its first call; all calls share one reader and cache. */
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
