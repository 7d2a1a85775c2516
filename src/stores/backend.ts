/** The one interface every store implements: batch-shaped fetches with per-request results. */
import type { CourierError } from '../errors/courier-error.ts';
import type { PodInfo, TokenMap } from '../spc/types.ts';

/** One thing to fetch from a store. */
export interface FetchRequest {
  readonly locator: string;
  readonly version?: string;
  readonly stage?: string;
  readonly storeParams: Readonly<Record<string, string>>;
}

/** A store's answer to one request: bytes and the store's version, or a typed error. */
export type FetchResult =
  | { readonly ok: true; readonly contents: Uint8Array; readonly version: string }
  | { readonly ok: false; readonly error: CourierError };

/** What a store call may use besides the requests: the pod's identity and the Mount's deadline. */
export interface FetchContext {
  readonly signal: AbortSignal;
  readonly pod: PodInfo;
  readonly tokens: TokenMap;
  /**
   * The nodePublishSecretRef data of the request (DecodedRequest.secrets): chosen by the pod's author,
   * so a store that authenticates with it must key its caches by it. Never log.
   */
  readonly secrets?: Readonly<Record<string, string>>;
}

/** A secret store. */
export interface Backend {
  /** The source name it serves (`aws-sm`). */
  readonly store: string;
  /** Most requests one fetch() call may carry (AWS BatchGetSecretValue takes 20, SSM GetParameters 10). */
  readonly maxBatchSize: number;
  /**
   * The identity a request is authorized as, as far as the store is concerned: for AWS the role ARN,
   * region and namespace/service account; none for the local store. Fetched values (and
   * credentials) are shared only between requests with the same store, identity key and selector.
   * Throws AuthError when the pod's identity cannot be resolved. A store that knows it without waiting
   * (the local store has none) answers with the string itself: a warm Mount then waits on no promise for it.
   */
  identityKey(request: FetchRequest, context: FetchContext): string | Promise<string>;
  /**
   * Fetches a batch; the results are in request order. Every request of one call has the same
   * identity key and the batch is at most maxBatchSize long. A failure of one request is reported
   * in its result; a thrown CourierError fails every request of the batch.
   */
  fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]>;
  /**
   * Subscribes to changes that make earlier results stale (the local store's watcher). Caches
   * above the backend drop what they hold for this store when it fires.
   */
  onInvalidate?(listener: () => void): void;
  /** Releases watchers, clients and sockets. */
  close?(): Promise<void>;
  /** Loads the client libraries now instead of at first use (`--preload-stores`; lazy-backend.ts). */
  preload?(): Promise<void>;
}

/** The stores enabled on this Courier, by name. */
export type BackendRegistry = ReadonlyMap<string, Backend>;
