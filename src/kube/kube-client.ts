/** Lazy access to the Kubernetes API: a KubeConfig from --kubeconfig, or the in-cluster config, loaded on first use. */
import { isIPv6 } from 'node:net';
import { status } from '@grpc/grpc-js';
import { AuthenticationV1Api, CoreV1Api, KubeConfig, Observable, OpenidApi, type ApiConstructor, type ApiType, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';
import { CourierError } from '../errors/courier-error.ts';

/** Where the in-cluster service-account credentials live (the paths kubelet mounts). */
export const IN_CLUSTER_PATHS = Object.freeze({
  token: '/var/run/secrets/kubernetes.io/serviceaccount/token',
  ca: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
});

/** How Courier reaches the Kubernetes API; read from flags and the environment at start-up. */
export interface KubeClientOptions {
  /** A kubeconfig file (development); without it Courier uses the in-cluster config. */
  readonly kubeconfig?: string;
  /** `KUBERNETES_SERVICE_HOST` and `_PORT` as the process saw them at start-up. */
  readonly serviceHost?: string;
  readonly servicePort?: string;
  /** Overrides the in-cluster token and CA paths (tests). */
  readonly inClusterPaths?: { readonly token: string; readonly ca: string };
  /** Longest one API call may take; the caller's signal may cut it shorter. */
  readonly callTimeoutMs?: number;
}

/** The Kubernetes API as Courier uses it. Nothing is loaded or connected until `core()` is called. */
export interface KubeClient {
  /** Where the configuration comes from, for logs: `kubeconfig FILE` or `in-cluster`. */
  readonly source: string;
  /**
   * The core/v1 API, created on first use. Throws a FAILED_PRECONDITION CourierError when no
   * configuration can be loaded (not in a cluster and no --kubeconfig, or an unreadable file).
   */
  core(): CoreV1Api;
  /** TokenReview (`--verify-tokens tokenreview`); same configuration as core(). */
  authentication(): AuthenticationV1Api;
  /** The service-account issuer's keys (`--verify-tokens jwks`); same configuration as core(). */
  openid(): OpenidApi;
  /** Any other API group (events, storage, authorization, apps, version), created once per kind; same configuration as core(). */
  api<T extends ApiType>(kind: ApiConstructor<T>): T;
  /** Per-call options: the call is aborted by `signal` or after the call timeout, whichever is first. */
  callOptions(signal?: AbortSignal): ConfigurationOptions;
}

/** Default per-call timeout: API server calls are quick, a hung one must not eat a Mount's two minutes. */
export const DEFAULT_KUBE_CALL_TIMEOUT_MS = 10_000;

/** Reads KUBERNETES_SERVICE_HOST/PORT from an environment; call once at start-up. */
export function kubeEnvironment(env: Readonly<Record<string, string | undefined>>): Pick<KubeClientOptions, 'serviceHost' | 'servicePort'> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  return { ...(host ? { serviceHost: host } : {}), ...(port ? { servicePort: port } : {}) };
}

/**
 * Creates a lazy client. A Courier that serves only the local store never calls `core()` and so
 * starts on a laptop with no cluster; a missing configuration surfaces only when something needs
 * the API, as an error that says what to do.
 */
export function createKubeClient(options: KubeClientOptions = {}): KubeClient {
  let config: KubeConfig | undefined;
  let api: CoreV1Api | undefined;
  let authentication: AuthenticationV1Api | undefined;
  let openid: OpenidApi | undefined;
  const others = new Map<ApiConstructor<ApiType>, ApiType>();
  const loaded = () => (config ??= loadConfig(options));
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_KUBE_CALL_TIMEOUT_MS;
  return {
    source: options.kubeconfig === undefined ? 'in-cluster' : `kubeconfig ${options.kubeconfig}`,
    core() {
      api ??= loaded().makeApiClient(CoreV1Api);
      return api;
    },
    authentication() {
      authentication ??= loaded().makeApiClient(AuthenticationV1Api);
      return authentication;
    },
    openid() {
      openid ??= loaded().makeApiClient(OpenidApi);
      return openid;
    },
    api<T extends ApiType>(kind: ApiConstructor<T>): T {
      let client = others.get(kind) as T | undefined;
      if (client === undefined) {
        client = loaded().makeApiClient(kind);
        others.set(kind, client);
      }
      return client;
    },
    callOptions(signal) {
      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      // The object-parameter API hands these straight to its observable layer, so this is the
      // observable kind of middleware; 'append' keeps the client's own (user agent) middleware.
      const attachSignal: ObservableMiddleware = {
        pre: (context) => {
          context.setSignal(combined);
          return new Observable(Promise.resolve(context));
        },
        post: (context) => new Observable(Promise.resolve(context)),
      };
      return { middleware: [attachSignal], middlewareMergeStrategy: 'append' };
    },
  };
}

function loadConfig(options: KubeClientOptions): KubeConfig {
  const config = new KubeConfig();
  if (options.kubeconfig !== undefined) {
    try {
      config.loadFromFile(options.kubeconfig);
    } catch (error) {
      throw notConfigured(`cannot load --kubeconfig ${options.kubeconfig}: ${(error as Error).message}`, error);
    }
    if (!config.getCurrentCluster()) throw notConfigured(`--kubeconfig ${options.kubeconfig} has no current context with a cluster`);
    return config;
  }
  if (!options.serviceHost || !options.servicePort) {
    throw notConfigured('courier is not running in a cluster (KUBERNETES_SERVICE_HOST/PORT are unset) and no --kubeconfig was given');
  }
  const paths = options.inClusterPaths ?? IN_CLUSTER_PATHS;
  const host = isIPv6(options.serviceHost) ? `[${options.serviceHost}]` : options.serviceHost;
  // Same shape as the client's own in-cluster loader, but from values read once at start-up. The
  // tokenFile provider re-reads the projected token, which kubelet rotates.
  config.loadFromClusterAndUser(
    { name: 'in-cluster', server: `https://${host}:${options.servicePort}`, caFile: paths.ca, skipTLSVerify: false },
    { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: paths.token } } },
  );
  return config;
}

function notConfigured(detail: string, cause?: unknown): CourierError {
  return new CourierError(status.FAILED_PRECONDITION, `the Kubernetes API is not configured: ${detail}`, { cause });
}

/**
 * The client a server starts with: `--kubeconfig` when given, otherwise the in-cluster config from
 * KUBERNETES_SERVICE_HOST/PORT, read now, at start-up. Nothing connects until first use.
 */
export function createKubeClientAtStartup(kubeconfig: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): KubeClient {
  return createKubeClient({ ...(kubeconfig === undefined ? {} : { kubeconfig }), ...kubeEnvironment(env) });
}
