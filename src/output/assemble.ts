/** Turns fetched objects into the files and object versions of a MountResponse. */
import { CourierError, NotFoundError, withField } from '../errors/courier-error.ts';
import type { FetchResult } from '../stores/backend.ts';
import type { ObjectSpec, TemplateSpec } from '../spc/types.ts';
import { BudgetError, DEFAULT_BUDGETS, type MountBudgets } from '../spc/budgets.ts';
import { createHash } from 'node:crypto';
import { applyExtract } from '../transform/extract.ts';
import { DEFAULT_TEMPLATE_BUDGETS, renderTemplate } from '../transform/template/index.ts';
import type { ContentVersion } from './content-version.ts';
import { decodeValue } from '../transform/decode.ts';
import { status } from '@grpc/grpc-js';

/** One file of the mount. */
export interface MountFile {
  readonly path: string;
  readonly mode: number;
  readonly contents: Uint8Array;
}

/** One entry of the driver's object versions. */
export interface ObjectVersion {
  readonly id: string;
  readonly version: string;
}

/** The files of a Mount and their versions. */
export interface MountOutput {
  readonly files: readonly MountFile[];
  readonly versions: readonly ObjectVersion[];
  /** Optional objects that were missing and skipped, by id. */
  readonly skipped: readonly string[];
}

/** The driver fails a Mount whose response carries no object version; an all-optional, all-missing mount gets this one. */
export const EMPTY_MOUNT_VERSION: ObjectVersion = { id: 'courier/no-objects-found', version: '0' };

/**
 * Builds the mount's files: extraction and decoding per object, all or nothing. An optional object
 * that is missing (the secret, or the key inside it) is skipped; any other failure fails the Mount
 * with the first failing object's error, counting the others.
 */
export function assembleOutput(objects: readonly ObjectSpec[], results: ReadonlyMap<ObjectSpec, FetchResult>, options: AssembleOptions = {}): MountOutput {
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  const files: MountFile[] = [];
  const versions: ObjectVersion[] = [];
  const skipped: string[] = [];
  const failures: CourierError[] = [];
  for (const object of objects) {
    const outcome = buildFile(object, results.get(object), budgets);
    if (outcome instanceof CourierError) {
      if (object.optional && outcome.grpcCode === status.NOT_FOUND) skipped.push(object.id);
      else failures.push(outcome);
      continue;
    }
    files.push(outcome.file);
    versions.push({ id: object.path, version: outcome.version });
  }
  for (const template of options.templates ?? []) {
    const outcome = renderFile(template, results, budgets, options.contentVersion ?? plainVersion);
    if (outcome instanceof CourierError) {
      failures.push(outcome);
      continue;
    }
    files.push(outcome.file);
    versions.push({ id: template.path, version: outcome.version });
    skipped.push(...outcome.skipped);
  }
  const [first, ...rest] = failures;
  if (first) throw rest.length === 0 ? first : moreFailures(first, rest.length);
  return { files, versions: versions.length > 0 ? versions : [EMPTY_MOUNT_VERSION], skipped };
}

/** What besides the objects and their results a Mount's files are built from. */
export interface AssembleOptions {
  readonly budgets?: MountBudgets;
  /** Files rendered from templates; their inputs' results are in the same map as the objects'. */
  readonly templates?: readonly TemplateSpec[];
  /** Keyed versions for rendered files (the server's; a plain hash without it). */
  readonly contentVersion?: ContentVersion;
}

/** A version for tests and `courier mount` that have no key: SHA-256, so still stable. */
const plainVersion: ContentVersion = (contents) => `sha256-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}`;

/**
 * Renders one template from its inputs, each extracted and decoded as an object would be. An optional
 * input that is missing is left out (the template's `default` or `if` decides); any other failure of
 * an input fails the file. The version is a keyed hash of the template and its inputs' versions, so it
 * changes exactly when one of them does.
 */
function renderFile(template: TemplateSpec, results: ReadonlyMap<ObjectSpec, FetchResult>, budgets: MountBudgets, version: ContentVersion): { file: MountFile; version: string; skipped: string[] } | CourierError {
  const inputs = new Map<string, Uint8Array>();
  const inputVersions: Array<[string, string]> = [];
  const skipped: string[] = [];
  for (const { name, object } of template.inputs) {
    const outcome = buildFile(object, results.get(object), budgets);
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
    const contents = renderTemplate(template.compiled, inputs, { ...DEFAULT_TEMPLATE_BUDGETS, outputBytes: Math.min(DEFAULT_TEMPLATE_BUDGETS.outputBytes, budgets.maxObjectBytes) }, `${template.id}.template`);
    inputVersions.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { file: { path: template.path, mode: template.mode, contents }, version: version(JSON.stringify([template.text, inputVersions])), skipped };
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
}

function buildFile(object: ObjectSpec, result: FetchResult | undefined, budgets: MountBudgets): { file: MountFile; version: string } | CourierError {
  if (!result) return new NotFoundError('was not fetched', { field: object.id });
  if (!result.ok) return withField(result.error, object.id);
  if (result.contents.byteLength > budgets.maxSecretBytes) {
    return new BudgetError(`the secret is ${result.contents.byteLength} bytes, over the budget of ${budgets.maxSecretBytes} bytes per secret`, '--max-secret-bytes', { field: object.id });
  }
  try {
    const extracted = object.extract ? applyExtract(result.contents, object.extract, object.id, budgets) : result.contents;
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

function moreFailures(first: CourierError, others: number): CourierError {
  const copy = new CourierError(first.grpcCode, `${first.detail} (and ${others} more object${others === 1 ? '' : 's'} failed)`, {
    ...(first.field === undefined ? {} : { field: first.field }),
    cause: first,
  });
  // Logs and metrics tell failures apart by name; the count must not turn a NotFoundError into a CourierError.
  Object.defineProperty(copy, 'name', { value: first.name });
  return copy;
}

/** Total bytes of the files, to hold against the driver's response limit. */
export function totalBytes(files: readonly MountFile[]): number {
  return files.reduce((sum, file) => sum + file.contents.byteLength + Buffer.byteLength(file.path) + 16, 0);
}
