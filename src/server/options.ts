/** The settings a Courier server runs with, read once at start-up and frozen. */
import type { TokenVerificationMode } from '../identity/token-verifier.ts';
import type { LogLevel } from '../observability/logger.ts';
import { DEFAULT_BUDGETS, type MountBudgets } from '../spc/budgets.ts';
import type { PreloadChoice } from '../stores/preload.ts';
import type { StoresFlags } from '../stores/start-stores.ts';

export interface ServeOptions {
  readonly socketDir: string;
  readonly providerName: string;
  /** Extra sockets named after a store's dialect (`aws.sock`), each serving that dialect by default. */
  readonly compat: readonly string[];
  /** Each store's own flags, by store module name (`aws`: `{ region }`); see src/stores/<name>/index.ts. */
  readonly stores: StoresFlags;
  /** `--allow-provider-identity`: SecretProviderClasses may ask for Courier's own cloud identity (`auth: provider-adc`). */
  readonly allowProviderIdentity?: boolean;
  /** `--verify-tokens`: how pod-token signatures are checked before anything is served for them (docs/security.md). */
  readonly verifyTokens: TokenVerificationMode;
  /** `--token-issuer`: the `iss` pod tokens must carry (jwks mode). */
  readonly tokenIssuer?: string;
  /** `--token-jwks-url`: where the issuer's keys are (jwks mode); the Kubernetes API's /openid/v1/jwks by default. */
  readonly tokenJwksUrl?: string;
  /** `--version-key-file`: the key of object versions (content-version.ts); a random one per process without it. */
  readonly versionKeyFile?: string;
  /** kubeconfig file for the Kubernetes API (development); the in-cluster config is used without it. */
  readonly kubeconfig?: string;
  /** `--mirror-secrets`: SecretProviderClasses may ask for mirror Secrets (docs/mirror-secrets.md). */
  readonly mirrorSecrets?: boolean;
  /** `--pod-events`: failed Mounts and rotations become Events on the pod (docs/operations.md); on unless false. */
  readonly podEvents?: boolean;
  readonly writeFiles: boolean;
  /** `HOST:PORT`, or '' / 'off' to disable. */
  readonly metricsAddr: string;
  readonly healthAddr: string;
  readonly logLevel: LogLevel;
  /** How long in-flight Mounts may run after SIGTERM before they are cut off. */
  readonly gracePeriodMs: number;
  /** Deadline of a Mount whose call carries none; kubelet gives a mount about two minutes. */
  readonly mountTimeoutMs: number;
  /** How long a fetched value may be served again (`--cache-ttl`); 0 disables the value cache. */
  readonly cacheTtlMs: number;
  /** Memory bound of the value cache (`--cache-max-bytes`). */
  readonly cacheMaxBytes: number;
  /** Store calls in flight at once, per store (`--max-concurrent-fetches`); more wait in a queue. */
  readonly maxConcurrentFetches: number;
  /** Store calls in flight at once for one identity, per store (`--max-concurrent-fetches-per-identity`). */
  readonly maxConcurrentFetchesPerIdentity: number;
  /** How long a NOT_FOUND or PERMISSION_DENIED is answered again without asking the store (`--negative-cache-ttl`; 0 off). */
  readonly negativeCacheTtlMs: number;
  /** What one Mount may cost (`--max-parameter-bytes`, `--max-objects`, ...; spc/budgets.ts). */
  readonly budgets: MountBudgets;
  /** `--preload-stores`: the stores whose libraries load right after the socket is up (stores/preload.ts). */
  readonly preloadStores?: PreloadChoice;
}

/** The driver's rule for provider names. */
export const PROVIDER_NAME = /^[a-zA-Z0-9_-]{0,30}$/;

export const DEFAULT_SERVE_OPTIONS: ServeOptions = Object.freeze({
  socketDir: '/var/run/secrets-store-csi-providers',
  providerName: 'courier',
  compat: [],
  stores: {},
  verifyTokens: 'off',
  writeFiles: false,
  metricsAddr: '127.0.0.1:9810',
  healthAddr: '127.0.0.1:9811',
  logLevel: 'info',
  gracePeriodMs: 25_000,
  mountTimeoutMs: 100_000,
  cacheTtlMs: 30_000,
  cacheMaxBytes: 64 * 1024 * 1024,
  maxConcurrentFetches: 16,
  maxConcurrentFetchesPerIdentity: 4,
  negativeCacheTtlMs: 5_000,
  budgets: DEFAULT_BUDGETS,
  preloadStores: 'auto',
});
