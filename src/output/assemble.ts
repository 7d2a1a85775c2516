/** Turns fetched objects into the files and object versions of a MountResponse. */
import { CourierError, NotFoundError, withField } from '../errors/courier-error.ts';
import type { FetchResult } from '../stores/backend.ts';
import type { ObjectSpec } from '../spc/types.ts';
import { applyExtract } from '../transform/extract.ts';
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

/** The driver refuses a response larger than this. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * Builds the mount's files: extraction and decoding per object, all or nothing. An optional object
 * that is missing (the secret, or the key inside it) is skipped; any other failure fails the Mount
 * with the first failing object's error, counting the others.
 */
export function assembleOutput(objects: readonly ObjectSpec[], results: ReadonlyMap<ObjectSpec, FetchResult>): MountOutput {
  const files: MountFile[] = [];
  const versions: ObjectVersion[] = [];
  const skipped: string[] = [];
  const failures: CourierError[] = [];
  for (const object of objects) {
    const outcome = buildFile(object, results.get(object));
    if (outcome instanceof CourierError) {
      if (object.optional && outcome.grpcCode === status.NOT_FOUND) skipped.push(object.id);
      else failures.push(outcome);
      continue;
    }
    files.push(outcome.file);
    versions.push({ id: object.versionId ?? object.path, version: outcome.version });
  }
  const [first, ...rest] = failures;
  if (first) throw rest.length === 0 ? first : moreFailures(first, rest.length);
  return { files, versions: versions.length > 0 ? versions : [EMPTY_MOUNT_VERSION], skipped };
}

function buildFile(object: ObjectSpec, result: FetchResult | undefined): { file: MountFile; version: string } | CourierError {
  if (!result) return new NotFoundError('was not fetched', { field: object.id });
  if (!result.ok) return withField(result.error, object.id);
  try {
    const extracted = object.extract ? applyExtract(result.contents, object.extract, object.id) : result.contents;
    const contents = decodeValue(extracted, object.encoding, object.id);
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
