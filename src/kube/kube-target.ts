/** Where the Kubernetes API is and how Courier proves who it is, as plain data: read from a kubeconfig or made from the in-cluster service account. */
import { isIPv6 } from 'node:net';
import { status } from '../errors/status-codes.ts';
import { CourierError } from '../errors/courier-error.ts';

/** TLS material: inline bytes, or a file; `field` names the kubeconfig field it came from, for errors. */
export type Material = { readonly data: Buffer } | { readonly file: string; readonly field?: string };

/** How the calls authenticate (besides a client certificate, which is TLS material). */
export type Credentials =
  | { readonly kind: 'none' }
  | { readonly kind: 'token'; readonly token: string }
  /** A token file, read again as it changes: kubelet rotates the projected service-account token. */
  | { readonly kind: 'token-file'; readonly file: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string };

/** One API server and one identity. */
export interface KubeTarget {
  /** `https://host:port`, or `http://` (a test fake, a local proxy). */
  readonly server: URL;
  readonly ca?: Material;
  readonly clientCertificate?: Material;
  readonly clientKey?: Material;
  /** `insecure-skip-tls-verify`: accept any server certificate. */
  readonly insecureSkipTlsVerify: boolean;
  /** `tls-server-name`: the name sent in SNI and checked against the server's certificate, instead of the host. */
  readonly tlsServerName?: string;
  readonly credentials: Credentials;
}

/** Where the in-cluster service-account credentials live (the paths kubelet mounts). */
export const IN_CLUSTER_PATHS = Object.freeze({
  token: '/var/run/secrets/kubernetes.io/serviceaccount/token',
  ca: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
});

/**
 * The in-cluster target from KUBERNETES_SERVICE_HOST/PORT as read at start-up (an IPv6 host is
 * bracketed). Nothing is read here: the CA and the token are read on the first call.
 */
export function inClusterTarget(host: string, port: string, paths: { readonly token: string; readonly ca: string } = IN_CLUSTER_PATHS): KubeTarget {
  const bracketed = isIPv6(host) ? `[${host}]` : host;
  let server: URL;
  try {
    server = new URL(`https://${bracketed}:${port}`);
  } catch {
    throw notConfigured(`KUBERNETES_SERVICE_HOST=${host} and KUBERNETES_SERVICE_PORT=${port} make no URL`);
  }
  return { server, ca: { file: paths.ca }, insecureSkipTlsVerify: false, credentials: { kind: 'token-file', file: paths.token } };
}

/** The error for a configuration Courier cannot use: FAILED_PRECONDITION, saying what is wrong. */
export function notConfigured(detail: string, cause?: unknown): CourierError {
  return new CourierError(status.FAILED_PRECONDITION, `the Kubernetes API is not configured: ${detail}`, { cause });
}
