/** What the two AWS stores share: the pod's identity per request, regional failover and one connection pool. */
import type { Backend, FetchContext, FetchRequest, FetchResult } from '../backend.ts';
import { RejectedCredentialsError } from './errors.ts';
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
    const run = (batch: readonly FetchRequest[]) => fetchWithFailover(batch, target.settings, (region, part) => this.fetchIn(target, region, part, context.signal));
    const results = await run(requests);
    const refused = results.flatMap((result, index) => (!result.ok && result.error instanceof RejectedCredentialsError ? [index] : []));
    if (refused.length === 0) return results;
    // Cached credentials AWS no longer accepts (expired early, revoked session): exchange again, once.
    target.identity.forget(target.settings.region);
    if (target.settings.failoverRegion !== undefined) target.identity.forget(target.settings.failoverRegion);
    const again = await run(refused.map((index) => requests[index] as FetchRequest));
    refused.forEach((index, position) => (results[index] = again[position] as FetchResult));
    return results;
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
