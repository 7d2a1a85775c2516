/** Lazy access to the Kubernetes API over Node's own http(s): a kubeconfig from --kubeconfig, or the in-cluster config, loaded on first use. */
import { RUNTIME_NAME, VERSION } from '../version.ts';
import { KubeApiError } from './kube-api-error.ts';
import { connect, type KubeConnection } from './kube-connection.ts';
import { sendKubeRequest, type KubeReply, type KubeRequest } from './kube-http.ts';
import { loadTarget, type KubeSettings } from './kube-settings.ts';
import type { KubeTarget } from './kube-target.ts';

/** How Courier reaches the Kubernetes API; read from flags and the environment at start-up. */
export interface KubeClientOptions extends KubeSettings {
  /** Longest one API call may take; the caller's signal may cut it shorter. */
  readonly callTimeoutMs?: number;
  /** Clock in epoch milliseconds, for the token file's refresh interval (tests). */
  readonly now?: () => number;
}

/**
 * The Kubernetes API as Courier uses it: a handful of REST calls, JSON in and JSON out. Nothing is
 * loaded or connected until `check()` or the first call.
 */
export interface KubeClient {
  /** Where the configuration comes from, for logs: `kubeconfig FILE` or `in-cluster`. */
  readonly source: string;
  /**
   * Loads the configuration, without connecting. Throws a FAILED_PRECONDITION CourierError when none
   * can be used (not in a cluster and no --kubeconfig, an unreadable file, a field Courier cannot use).
   */
  check(): void;
  /**
   * Sends one call and resolves with the answer's JSON body. Rejects with the error check() throws,
   * a KubeApiError when the API answers an error status (kube-errors.ts classifies it), the signal's
   * reason when the caller's signal or the call timeout ends it, or the socket's error.
   */
  request<T>(request: KubeRequest, signal?: AbortSignal): Promise<T>;
  /** As request, with the answer's status and headers (the `Date` of /version). */
  reply<T>(request: KubeRequest, signal?: AbortSignal): Promise<KubeReply<T>>;
}

/** Default per-call timeout: API server calls are quick, a hung one must not eat a Mount's two minutes. */
export const DEFAULT_KUBE_CALL_TIMEOUT_MS = 10_000;

const USER_AGENT = `${RUNTIME_NAME}/${VERSION}`;

/** Reads KUBERNETES_SERVICE_HOST/PORT from an environment; call once at start-up. */
export function kubeEnvironment(env: Readonly<Record<string, string | undefined>>): Pick<KubeSettings, 'serviceHost' | 'servicePort'> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  return { ...(host ? { serviceHost: host } : {}), ...(port ? { servicePort: port } : {}) };
}

/**
 * Creates a lazy client. A Courier that serves only the local store never calls the API and so
 * starts on a laptop with no cluster; a missing configuration surfaces only when something needs
 * the API, as an error that says what to do. One client holds one keep-alive agent: Mounts of
 * every pod on the node share its connections.
 */
export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  let target: KubeTarget | undefined;
  let connection: Promise<KubeConnection> | undefined;
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_KUBE_CALL_TIMEOUT_MS;
  const loaded = () => (target ??= loadTarget(options));
  // A failed connect (an in-cluster CA not mounted yet) is not kept: the next call tries again.
  const connected = () =>
    (connection ??= connect(loaded(), options.now).catch((error: unknown) => {
      connection = undefined;
      throw error;
    }));
  const reply = async <T>(request: KubeRequest, signal?: AbortSignal): Promise<KubeReply<T>> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const { server, agent, authorization, refreshAfterUnauthorized } = await connected();
    const send = (header: string | undefined) =>
      sendKubeRequest(request, { server, agent, signal: combined, headers: { 'user-agent': USER_AGENT, ...(header === undefined ? {} : { authorization: header }) } }) as Promise<KubeReply<T>>;
    const sent = await authorization();
    try {
      return await send(sent);
    } catch (error) {
      // kubelet rotates the projected token: a 401 may mean the file holds a newer one than was sent.
      // A 401 is answered before anything is done, so even a create is safe to send once more.
      if (error instanceof KubeApiError && error.code === 401 && (await refreshAfterUnauthorized(sent))) return send(await authorization());
      throw error;
    }
  };
  return {
    source: options.kubeconfig === undefined ? 'in-cluster' : `kubeconfig ${options.kubeconfig}`,
    check() {
      loaded();
    },
    reply,
    async request<T>(request: KubeRequest, signal?: AbortSignal) {
      return (await reply<T>(request, signal)).body;
    },
  };
}

/**
 * The client a server starts with: `--kubeconfig` when given, otherwise the in-cluster config from
 * KUBERNETES_SERVICE_HOST/PORT, read now, at start-up. Nothing connects until first use.
 */
export function createKubeClientAtStartup(kubeconfig: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): KubeClient {
  return createKubeClient({ ...(kubeconfig === undefined ? {} : { kubeconfig }), ...kubeEnvironment(env) });
}
