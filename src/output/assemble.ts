/** Turns fetched objects into the files and object versions of a MountResponse. */
import { status } from '../errors/status-codes.ts';
import { CourierError } from '../errors/courier-error.ts';
import { DEFAULT_BUDGETS } from '../spc/budgets.ts';
import type { ObjectSpec } from '../spc/types.ts';
import type { FetchResult } from '../stores/backend.ts';
import type { ParsedDocuments } from '../transform/extract.ts';
import { buildFile, extractInIsolate, moreFailures, plainVersion, renderFile, type AssembleOptions } from './build-file.ts';

import type { MountFile, MountOutput, ObjectVersion } from './mount-files.ts';
import { runSteps, type Step } from './steps.ts';

export type { AssembleOptions } from './build-file.ts';
export type { MountFile, MountOutput, ObjectVersion } from './mount-files.ts';

/** The driver fails a Mount whose response carries no object version; an all-optional, all-missing mount gets this one. */
export const EMPTY_MOUNT_VERSION: ObjectVersion = { id: 'courier/no-objects-found', version: '0' };

/**
 * Builds the mount's files: extraction and decoding per object, all or nothing. An optional object
 * that is missing (the secret, or the key inside it) is skipped; any other failure fails the Mount
 * with the first failing object's error, counting the others.
 */
export function assembleOutput(objects: readonly ObjectSpec[], results: ReadonlyMap<ObjectSpec, FetchResult>, options: Omit<AssembleOptions, 'offload'> = {}): MountOutput {
  return runSteps(assembleSteps(objects, results, options));
}

/**
 * assembleOutput one file at a time: the generator pauses after each file, so a server can give the
 * CPU to other tenants' Mounts between files (pipeline/fair-scheduler.ts), and waits while work that
 * cannot be split runs in the isolate (options.offload). Secrets parsed for one file are reused by the
 * next files of the same Mount.
 */
export function* assembleSteps(objects: readonly ObjectSpec[], results: ReadonlyMap<ObjectSpec, FetchResult>, options: AssembleOptions = {}): Generator<Step, MountOutput, void> {
  const budgets = options.budgets ?? DEFAULT_BUDGETS;
  const documents: ParsedDocuments = new Map();
  const files: MountFile[] = [];
  const versions: ObjectVersion[] = [];
  const skipped: string[] = [];
  const failures: CourierError[] = [];
  const inputs = (options.templates ?? []).flatMap((template) => template.inputs.map(({ object }) => object));
  const extracted = options.offload ? yield* extractInIsolate(inputs.length === 0 ? objects : [...objects, ...inputs], results, budgets, options.offload) : undefined;
  for (const object of objects) {
    yield;
    const outcome = buildFile(object, results.get(object), budgets, documents, extracted);
    if (outcome instanceof CourierError) {
      if (object.optional && outcome.grpcCode === status.NOT_FOUND) skipped.push(object.id);
      else failures.push(outcome);
      continue;
    }
    files.push(outcome.file);
    versions.push({ id: object.versionId ?? object.path, version: outcome.version });
  }
  for (const template of options.templates ?? []) {
    yield;
    const outcome = yield* renderFile(template, results, budgets, options.contentVersion ?? plainVersion, documents, options.offload, extracted);
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

/** Total bytes of the files, to hold against the driver's response limit. */
export function totalBytes(files: readonly MountFile[]): number {
  return files.reduce((sum, file) => sum + file.contents.byteLength + Buffer.byteLength(file.path) + 16, 0);
}
