/** The jobs of the isolate: what crosses to its worker and which extractions are costly enough to go there (run-job.ts runs them). */

// Work a pod's author controls and that cannot be split into slices: an extraction from a large
// secret, a costly JMESPath search, a long template render, the YAML parse of a large class. The same
// functions run inline and in the isolate's worker thread (isolate.ts).
import type { status } from '../../errors/status-codes.ts';
import { AuthError, ConfigError, CourierError, NotFoundError, PermissionError } from '../../errors/courier-error.ts';
import type { Extract } from '../../spc/types.ts';
import type { YamlText } from '../../spc/yaml-parse.ts';
import { compileJmesPath, type JmesPathLimits } from '../jmespath-check.ts';
import { jmesPathCost } from '../jmespath-cost.ts';
import type { TemplateBudgets } from '../template/budget-limits.ts';

/**
 * One job, as it crosses to the worker (structured-cloned; the bytes are copied): every extraction a
 * Mount makes from one secret (parsed once), or one template render.
 */
export type FileJob =
  | { readonly kind: 'extract'; readonly contents: Uint8Array; readonly items: ReadonlyArray<{ readonly extract: Extract; readonly field: string }>; readonly limits: JmesPathLimits }
  | { readonly kind: 'template'; readonly text: string; readonly inputs: ReadonlyMap<string, Uint8Array>; readonly budgets: TemplateBudgets; readonly field: string };

/** The YAML parses of planning a large class (spc/yaml-parse.ts). */
export interface YamlJob {
  readonly kind: 'yaml';
  readonly texts: readonly YamlText[];
}

export type Job = FileJob | YamlJob;

/** A CourierError as it crosses back from the worker. */
export interface SerializedError {
  readonly name: string;
  readonly grpcCode: status;
  readonly detail: string;
  readonly field?: string;
}

/** What one extraction or render produced: the bytes, or the CourierError it failed with. */
export type JobOutcome = { readonly ok: Uint8Array } | { readonly error: SerializedError };

/**
 * JSON secrets from this size on are parsed in the isolate: the parse alone takes a millisecond or more,
 * and the document it builds lives while the Mount's files are made, long enough to burden the main
 * thread's garbage collector.
 */
const LARGE_JSON_BYTES = 64 * 1024;
/** YAML parses at about 1 ms per KiB, so a YAML secret this size is already a stall. */
const LARGE_YAML_BYTES = 16 * 1024;
/** JMESPath cost (jmespath-cost.ts) above which a search takes about half a millisecond or more. */
const COSTLY_JMESPATH = 500_000;

/**
 * Whether an extraction would hold the thread long enough to delay other tenants' Mounts: the parse
 * of a large secret, or a search whose cost bound is high. Decided from sizes alone, before any work.
 */
export function isCostlyExtract(contents: Uint8Array, extract: Extract): boolean {
  if (extract.kind === 'yamlKey') return contents.byteLength > LARGE_YAML_BYTES;
  if (contents.byteLength > LARGE_JSON_BYTES) return true;
  if (extract.kind === 'jsonKey') return false;
  const compiled = compileJmesPath(extract.expression);
  return 'ast' in compiled && jmesPathCost(compiled.ast, contents.byteLength).work > COSTLY_JMESPATH;
}

/**
 * Whether a render would hold the thread before its first pause: it reads each input (as a JSON or
 * YAML map, when it is one) before it starts, and a large YAML input is a long parse.
 */
export function hasLargeInput(inputs: ReadonlyMap<string, Uint8Array>): boolean {
  for (const bytes of inputs.values()) if (bytes.byteLength > LARGE_YAML_BYTES) return true;
  return false;
}

const ERROR_CLASSES: Readonly<Record<string, new (detail: string, options: { field?: string }) => CourierError>> = { ConfigError, NotFoundError, AuthError, PermissionError };

export function serializeError(error: CourierError): SerializedError {
  return { name: error.name, grpcCode: error.grpcCode, detail: error.detail, ...(error.field === undefined ? {} : { field: error.field }) };
}

/** The worker's error as the main thread's own class, so callers cannot tell where the job ran. */
export function deserializeError(error: SerializedError): CourierError {
  const options = error.field === undefined ? {} : { field: error.field };
  const known = ERROR_CLASSES[error.name];
  if (known) {
    const rebuilt = new known(error.detail, options);
    if (rebuilt.grpcCode === error.grpcCode) return rebuilt;
  }
  const generic = new CourierError(error.grpcCode, error.detail, options);
  Object.defineProperty(generic, 'name', { value: error.name });
  return generic;
}
