/** What the two AWS stores share: the pod's identity per request, regional failover and one connection pool. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import { fetchWithFailover, resolveTarget, targetKey, type AwsStoreOptions, type AwsTarget } from './target.ts';

/** Base of aws-sm and aws-ssm: a subclass says how one batch is read in one region. */
export abstract class AwsStore implements Backend {
  abstract readonly store: 'aws-sm' | 'aws-ssm';
  abstract readonly maxBatchSize: number;
  protected readonly options: AwsStoreOptions;

  constructor(options: AwsStoreOptions) {
    this.options = options;
  }

  async identityKey(request: FetchRequest, context: FetchContext): Promise<string> {
    this.checkRequest(request);
    return targetKey(await resolveTarget(this.store, request, context, this.options));
  }

  async fetch(requests: readonly FetchRequest[], context: FetchContext): Promise<FetchResult[]> {
    const first = requests[0];
    if (first === undefined) return [];
    const target = await resolveTarget(this.store, first, context, this.options);
    return fetchWithFailover(requests, target.settings, (region, batch) => this.fetchIn(target, region, batch, context.signal));
  }

  /** Closes the shared connection pool (both stores share it; closing twice is harmless). */
  close(): Promise<void> {
    this.options.clients.close();
    return Promise.resolve();
  }

  /** Throws ConfigError for a request the store cannot express; checked before any identity work. */
  protected checkRequest(request: FetchRequest): void {
    void request;
  }

  /** Reads one batch in one region; one result per request, in order. */
  protected abstract fetchIn(target: AwsTarget, region: string, requests: readonly FetchRequest[], signal: AbortSignal): Promise<FetchResult[]>;
}
