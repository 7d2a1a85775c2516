/** The aws-ssm store: SSM Parameter Store through GetParameters (10 per call, decrypted), with version and label selectors. */
import { GetParametersCommand, type Parameter } from '@aws-sdk/client-ssm';
import { ConfigError, CourierError, NotFoundError } from '../../errors/courier-error.ts';
import type { FetchRequest, FetchResult } from '../backend.ts';
import { toCourierError, type AwsSubject } from './errors.ts';
import type { AwsTarget } from './target.ts';
import { AwsStore } from './store-base.ts';
import { status } from '../../errors/status-codes.ts';

const encoder = new TextEncoder();

/**
 * SSM Parameter Store: a locator is a parameter name or ARN; `version` pins a version number,
 * `stage` a label. Both selectors of one parameter may be asked for in the same call.
 */
export class AwsSsmStore extends AwsStore {
  readonly store = 'aws-ssm';
  /** GetParameters takes at most 10 names. */
  readonly maxBatchSize = 10;

  protected override checkRequest(request: FetchRequest): void {
    selectorOf(request);
  }

  protected async fetchIn(target: AwsTarget, region: string, requests: readonly FetchRequest[], signal: AbortSignal): Promise<FetchResult[]> {
    const subjects = requests.map((request) => subjectOf(request, region, target));
    const selectors = requests.map((request) => selectorOf(request));
    const client = this.options.clients.ssm(target.identity, region);
    let output;
    try {
      output = await client.send(new GetParametersCommand({ Names: [...new Set(selectors)], WithDecryption: true }), { abortSignal: signal });
    } catch (error) {
      // One error for the call, told once per parameter so each object's message names its own.
      return subjects.map((subject) => ({ ok: false, error: toCourierError(error, subject) }));
    }
    const invalid = new Set(output.InvalidParameters ?? []);
    const found = matchParameters(requests, selectors, invalid, output.Parameters ?? []);
    return selectors.map((selector, index): FetchResult => {
      const subject = subjects[index] as AwsSubject;
      const parameter = found[index];
      if (parameter?.Value !== undefined) return { ok: true, contents: encoder.encode(parameter.Value), version: String(parameter.Version ?? '') };
      if (invalid.has(selector)) return { ok: false, error: new NotFoundError(`${subject.what} does not exist in ${region}`) };
      return { ok: false, error: new CourierError(status.INTERNAL, `AWS SSM in ${region} did not answer for ${subject.what}`) };
    });
  }
}

/** `name`, `name:version` or `name:label`, as GetParameters takes them. Throws ConfigError for a bad pin. */
export function selectorOf(request: FetchRequest): string {
  if (request.version !== undefined && request.stage !== undefined) {
    throw new ConfigError('an SSM parameter takes a version or a label, not both');
  }
  if (request.version !== undefined) {
    if (!/^[1-9]\d*$/.test(request.version)) throw new ConfigError(`SSM parameter version "${request.version}" is not a version number`);
    return `${request.locator}:${request.version}`;
  }
  return request.stage === undefined ? request.locator : `${request.locator}:${request.stage}`;
}

/**
 * Pairs each request with the parameter that answers it. AWS tags each answer with the selector it
 * was asked with (":3", ":prod"); emulators may not, and their order is not the request's. Untagged
 * answers are matched by name or ARN: pinned versions first, then the newest for an unpinned
 * request, and what is left for labels.
 */
function matchParameters(requests: readonly FetchRequest[], selectors: readonly string[], invalid: ReadonlySet<string>, parameters: readonly Parameter[]): Array<Parameter | undefined> {
  const answers = selectors.map((selector) => parameters.find((parameter) => parameter.Selector !== undefined && [parameter.Name, parameter.ARN].some((name) => `${name}${parameter.Selector}` === selector)));
  const unused = new Set(parameters.filter((parameter) => parameter.Selector === undefined));
  // The same selector asked twice (objects differing only in failover settings) was sent once.
  const bySelector = new Map<string, Parameter>();
  const passes: Array<(request: FetchRequest) => boolean> = [(request) => request.version !== undefined, (request) => request.version === undefined && request.stage === undefined, (request) => request.stage !== undefined];
  for (const inPass of passes) {
    requests.forEach((request, index) => {
      const selector = selectors[index] as string;
      if (!inPass(request) || answers[index] !== undefined || invalid.has(selector)) return;
      const candidates = [...unused].filter((parameter) => (parameter.Name === request.locator || parameter.ARN === request.locator) && (request.version === undefined || String(parameter.Version) === request.version));
      const newest = request.version === undefined && request.stage === undefined ? candidates.sort((x, y) => (y.Version ?? 0) - (x.Version ?? 0)) : candidates;
      const chosen = bySelector.get(selector) ?? newest[0];
      if (chosen === undefined) return;
      unused.delete(chosen);
      bySelector.set(selector, chosen);
      answers[index] = chosen;
    });
  }
  return answers;
}

function subjectOf(request: FetchRequest, region: string, target: AwsTarget): AwsSubject {
  const pin = request.version !== undefined ? ` version ${request.version}` : request.stage !== undefined ? ` (label ${request.stage})` : '';
  return { service: 'SSM', what: `parameter "${request.locator}"${pin}`, region, who: target.identity.who };
}
