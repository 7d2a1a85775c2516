/** An in-process Backend for the fetch layer's tests: per-identity values, call records, and calls the test answers by hand. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../../src/stores/backend.ts';

/** One fetch() call as the backend saw it; with `gated`, it waits for release() or fail(). */
export interface RecordedCall {
  readonly locators: string[];
  readonly context: FetchContext;
  /** Answers the call; default answers come from `answer`. */
  release(results?: FetchResult[]): void;
  /** Makes the call throw. */
  fail(error: unknown): void;
}

/** How the backend behaves. */
export interface GatedBackendOptions {
  readonly store?: string;
  readonly maxBatchSize?: number;
  /** Calls wait until the test releases them. */
  readonly gated?: boolean;
  /** Answer to one request; default: `<namespace>/<serviceAccount>:<locator>` at version v1. */
  readonly answer?: (request: FetchRequest, context: FetchContext) => FetchResult;
  /** Delay of an ungated call (real timers), ended early by the call's signal. */
  readonly latencyMs?: number;
}

/** A backend whose identity key is the pod's namespace and service account, like the cloud stores'. */
export interface GatedBackend extends Backend {
  readonly calls: RecordedCall[];
  /** Calls started and not yet answered. */
  active(): number;
  /** Fires the onInvalidate listeners, as the local store does when a file changes. */
  invalidate(): void;
}

/** The default answer: the value says whose authorization it was fetched with. */
export function valueFor(request: FetchRequest, context: FetchContext): FetchResult {
  return { ok: true, contents: Buffer.from(`${context.pod.namespace}/${context.pod.serviceAccount}:${request.locator}`), version: 'v1' };
}

/** Creates the backend. */
export function gatedBackend(options: GatedBackendOptions = {}): GatedBackend {
  const calls: RecordedCall[] = [];
  const listeners: Array<() => void> = [];
  let running = 0;
  const answer = options.answer ?? valueFor;
  return {
    store: options.store ?? 'scripted',
    maxBatchSize: options.maxBatchSize ?? 10,
    calls,
    active: () => running,
    invalidate: () => listeners.forEach((listener) => listener()),
    onInvalidate: (listener) => listeners.push(listener),
    identityKey: (_request, context) => Promise.resolve(`${context.pod.namespace}/${context.pod.serviceAccount}`),
    async fetch(requests, context) {
      running += 1;
      try {
        return await new Promise<FetchResult[]>((resolve, reject) => {
          const defaults = () => requests.map((request) => answer(request, context));
          calls.push({ locators: requests.map((request) => request.locator), context, release: (results) => resolve(results ?? defaults()), fail: reject });
          if (options.gated) return;
          if (options.latencyMs) setTimeout(() => resolve(defaults()), options.latencyMs);
          else resolve(defaults());
        });
      } finally {
        running -= 1;
      }
    },
  };
}

/** A FetchContext for a pod of `namespace`/`serviceAccount`. */
export function contextFor(namespace: string, serviceAccount: string, signal: AbortSignal = new AbortController().signal): FetchContext {
  return { signal, pod: { name: `${serviceAccount}-pod`, namespace, uid: `uid-${namespace}-${serviceAccount}`, serviceAccount }, tokens: new Map() };
}
