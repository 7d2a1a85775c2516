/** The aws-sm store: AWS Secrets Manager, batched with BatchGetSecretValue, pinned versions with GetSecretValue. */
import { BatchGetSecretValueCommand, GetSecretValueCommand, type SecretsManagerClient, type SecretValueEntry } from '@aws-sdk/client-secrets-manager';
import { NotFoundError, PermissionError } from '../../errors/courier-error.ts';
import type { FetchRequest, FetchResult } from '../backend.ts';
import { fromFailure, toCourierError, type AwsSubject } from './errors.ts';
import type { AwsTarget } from './target.ts';
import { AwsStore } from './store-base.ts';

const encoder = new TextEncoder();

/** Secrets Manager: a locator is a secret name or ARN; `version` pins a VersionId, `stage` a staging label. */
export class AwsSecretsManagerStore extends AwsStore {
  readonly store = 'aws-sm';
  /** BatchGetSecretValue takes at most 20 secret ids. */
  readonly maxBatchSize = 20;

  /** Unpinned secrets go in one BatchGetSecretValue; pinned ones, and any the batch did not answer, one by one. */
  protected async fetchIn(target: AwsTarget, region: string, requests: readonly FetchRequest[], signal: AbortSignal): Promise<FetchResult[]> {
    const client = this.options.clients.secretsManager(target.identity, region);
    const subject = (request: FetchRequest) => subjectOf(request, region, target);
    const results: Array<FetchResult | undefined> = new Array<FetchResult | undefined>(requests.length);
    const unpinned = requests.flatMap((request, index) => (request.version === undefined && request.stage === undefined ? [index] : []));
    if (unpinned.length > 1) {
      const answers = await batchGet(client, unpinned.map((index) => requests[index] as FetchRequest), subject, signal);
      unpinned.forEach((index, position) => (results[index] = answers[position]));
    }
    await Promise.all(
      requests.map(async (request, index) => {
        results[index] ??= await getOne(client, request, subject(request), signal);
      }),
    );
    return results as FetchResult[];
  }
}

/**
 * One BatchGetSecretValue. Answers are matched to requests by name or ARN; a request the batch does
 * not answer (a partial ARN) is left undefined for GetSecretValue. When the role may not call
 * BatchGetSecretValue at all, every secret is left to GetSecretValue, which needs only
 * secretsmanager:GetSecretValue and names the secret that is denied.
 */
async function batchGet(client: SecretsManagerClient, requests: readonly FetchRequest[], subject: (request: FetchRequest) => AwsSubject, signal: AbortSignal): Promise<Array<FetchResult | undefined>> {
  let output;
  try {
    output = await client.send(new BatchGetSecretValueCommand({ SecretIdList: requests.map((request) => request.locator) }), { abortSignal: signal });
  } catch (error) {
    // Told once per secret, so each object's message names its own.
    const mapped = requests.map((request) => toCourierError(error, subject(request)));
    if (mapped[0] instanceof PermissionError) return requests.map(() => undefined);
    return mapped.map((failure) => ({ ok: false, error: failure }));
  }
  const values = output.SecretValues ?? [];
  const errors = output.Errors ?? [];
  return requests.map((request) => {
    const value = values.find((entry) => entry.Name === request.locator || entry.ARN === request.locator);
    if (value) return toResult(value, subject(request));
    const error = errors.find((entry) => entry.SecretId === request.locator);
    if (error) return { ok: false, error: fromFailure({ code: error.ErrorCode ?? 'Unknown', ...(error.Message === undefined ? {} : { message: error.Message }) }, subject(request)) };
    return undefined;
  });
}

async function getOne(client: SecretsManagerClient, request: FetchRequest, subject: AwsSubject, signal: AbortSignal): Promise<FetchResult> {
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: request.locator, VersionId: request.version, VersionStage: request.stage }), { abortSignal: signal });
    return toResult(output, subject);
  } catch (error) {
    return { ok: false, error: toCourierError(error, subject) };
  }
}

/** SecretString is written as is, SecretBinary as raw bytes; the version is the VersionId. */
function toResult(value: Pick<SecretValueEntry, 'SecretString' | 'SecretBinary' | 'VersionId'>, subject: AwsSubject): FetchResult {
  const contents = value.SecretBinary ?? (value.SecretString === undefined ? undefined : encoder.encode(value.SecretString));
  if (contents === undefined) return { ok: false, error: new NotFoundError(`${subject.what} has no value in ${subject.region}`) };
  return { ok: true, contents, version: value.VersionId ?? '' };
}

function subjectOf(request: FetchRequest, region: string, target: AwsTarget): AwsSubject {
  const pin = request.version !== undefined ? ` version ${request.version}` : request.stage !== undefined ? ` (stage ${request.stage})` : '';
  return { service: 'Secrets Manager', what: `secret "${request.locator}"${pin}`, region, who: target.identity.who };
}
