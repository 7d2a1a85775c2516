/** Builds one file of a Mount: an object's extracted and decoded secret, or a template rendered from its inputs. */
import { createHash } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { CourierError, NotFoundError, withField } from '../errors/courier-error.ts';
import { BudgetError, type MountBudgets } from '../spc/budgets.ts';
import type { ObjectSpec, TemplateSpec } from '../spc/types.ts';
import type { FetchResult } from '../stores/backend.ts';
import { decodeValue } from '../transform/decode.ts';
import { applyExtract, type ParsedDocuments } from '../transform/extract.ts';
import { DEFAULT_TEMPLATE_BUDGETS, renderTemplateSteps } from '../transform/template/index.ts';
import type { MountFile } from './mount-files.ts';
import type { ContentVersion } from './content-version.ts';

/** What besides the objects and their results a Mount's files are built from. */
export interface AssembleOptions {
  readonly budgets?: MountBudgets;
  /** Files rendered from templates; their inputs' results are in the same map as the objects'. */
  readonly templates?: readonly TemplateSpec[];
  /** Keyed versions for rendered files (the server's; a plain hash without it). */
  readonly contentVersion?: ContentVersion;
}

/** A version for tests and `courier mount` that have no key: SHA-256, so still stable. */
export const plainVersion: ContentVersion = (contents) => `sha256-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}`;

/**
 * Renders one template from its inputs, each extracted and decoded as an object would be. An optional
 * input that is missing is left out (the template's `default` or `if` decides); any other failure of
 * an input fails the file. The version is a keyed hash of the template and its inputs' versions, so it
 * changes exactly when one of them does. A generator that pauses in the middle of a long render
 * (assemble.ts).
 */
export function* renderFile(template: TemplateSpec, results: ReadonlyMap<ObjectSpec, FetchResult>, budgets: MountBudgets, version: ContentVersion, documents?: ParsedDocuments): Generator<void, { file: MountFile; version: string; skipped: string[] } | CourierError, void> {
  const inputs = new Map<string, Uint8Array>();
  const inputVersions: Array<[string, string]> = [];
  const skipped: string[] = [];
  for (const { name, object } of template.inputs) {
    const outcome = buildFile(object, results.get(object), budgets, documents);
    if (outcome instanceof CourierError) {
      if (object.optional && outcome.grpcCode === status.NOT_FOUND) {
        skipped.push(object.id);
        continue;
      }
      return outcome;
    }
    inputs.set(name, outcome.file.contents);
    inputVersions.push([name, outcome.version]);
  }
  try {
    const contents = yield* renderTemplateSteps(template.compiled, inputs, { ...DEFAULT_TEMPLATE_BUDGETS, outputBytes: Math.min(DEFAULT_TEMPLATE_BUDGETS.outputBytes, budgets.maxObjectBytes) }, `${template.id}.template`);
    inputVersions.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { file: { path: template.path, mode: template.mode, contents }, version: version(JSON.stringify([template.text, inputVersions])), skipped };
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
}

/** One object's file: its secret within budget, extracted and decoded; or the error, with the object named. */
export function buildFile(object: ObjectSpec, result: FetchResult | undefined, budgets: MountBudgets, documents?: ParsedDocuments): { file: MountFile; version: string } | CourierError {
  if (!result) return new NotFoundError('was not fetched', { field: object.id });
  if (!result.ok) return withField(result.error, object.id);
  if (result.contents.byteLength > budgets.maxSecretBytes) {
    return new BudgetError(`the secret is ${result.contents.byteLength} bytes, over the budget of ${budgets.maxSecretBytes} bytes per secret`, '--max-secret-bytes', { field: object.id });
  }
  try {
    const extracted = object.extract ? applyExtract(result.contents, object.extract, object.id, budgets, documents) : result.contents;
    const contents = decodeValue(extracted, object.encoding, object.id);
    if (contents.byteLength > budgets.maxObjectBytes) {
      return new BudgetError(`the file would be ${contents.byteLength} bytes, over the budget of ${budgets.maxObjectBytes} bytes per file`, '--max-object-bytes', { field: object.id });
    }
    return { file: { path: object.path, mode: object.mode, contents }, version: result.version };
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
}

/** The first failure, counting the others in its message; keeps the first's name for logs and metrics. */
export function moreFailures(first: CourierError, others: number): CourierError {
  const copy = new CourierError(first.grpcCode, `${first.detail} (and ${others} more object${others === 1 ? '' : 's'} failed)`, {
    ...(first.field === undefined ? {} : { field: first.field }),
    cause: first,
  });
  // Logs and metrics tell failures apart by name; the count must not turn a NotFoundError into a CourierError.
  Object.defineProperty(copy, 'name', { value: first.name });
  return copy;
}

