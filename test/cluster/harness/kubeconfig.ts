/** Kubeconfig files for the cluster's users: the administrator's client certificate, or a ServiceAccount's token. */
import { writeFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** Who the kubeconfig authenticates as. */
export type KubeUser = { readonly clientCert: string; readonly clientKey: string } | { readonly token: string };

/** What a kubeconfig file holds. */
export interface KubeconfigSpec {
  readonly server: string;
  readonly caPem: string;
  readonly user: KubeUser;
}

/** Writes a one-context kubeconfig (mode 0600), with the CA and credentials inline. */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<void> {
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  const user = 'token' in spec.user ? { token: spec.user.token } : { 'client-certificate-data': base64(spec.user.clientCert), 'client-key-data': base64(spec.user.clientKey) };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'courier-cluster', cluster: { server: spec.server, 'certificate-authority-data': base64(spec.caPem) } }],
    users: [{ name: 'user', user }],
    contexts: [{ name: 'courier-cluster', context: { cluster: 'courier-cluster', user: 'user' } }],
    'current-context': 'courier-cluster',
  };
  await writeFile(file, stringify(config), { mode: 0o600 });
}

/** A client-node KubeConfig loaded from `file`. */
export function loadKubeConfig(file: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(file);
  return config;
}
