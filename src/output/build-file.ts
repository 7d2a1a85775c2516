/** Builds one file of a Mount: an object's extracted and decoded secret, or a template rendered from its inputs. */
import { createHash } from 'node:crypto';
import { status } from '../errors/status-codes.ts';
import { CourierError, NotFoundError, withField } from '../errors/courier-error.ts';
import { BudgetError, type MountBudgets } from '../spc/budgets.ts';
import type { Extract, ObjectSpec, TemplateSpec } from '../spc/types.ts';
import type { FetchResult } from '../stores/backend.ts';
import { decodeValue } from '../transform/decode.ts';
import { applyExtract, type ParsedDocuments } from '../transform/extract.ts';
import type { Isolate } from '../transform/isolate/isolate.ts';
import { hasLargeInput, isCostlyExtract, type FileJob } from '../transform/isolate/jobs.ts';
import { DEFAULT_TEMPLATE_BUDGETS } from '../transform/template/budget-limits.ts';
import { templateEngine } from '../transform/template/engine-loader.ts';
import type { MountFile } from './mount-files.ts';
import type { ContentVersion } from './content-version.ts';
import { waitFor, type Step } from './steps.ts';

/** What besides the objects and their results a Mount's files are built from. */
export interface AssembleOptions {
  readonly budgets?: MountBudgets;
  /** Files rendered from templates; their inputs' results are in the same map as the objects'. */
  readonly templates?: readonly TemplateSpec[];
  /** Keyed versions for rendered files (the server's; a plain hash without it). */
  readonly contentVersion?: ContentVersion;
  /** Where work that cannot be split runs (the server's isolate); without it, everything runs inline. */
  readonly offload?: Offload;
}

/** The isolate, and for whom and until when a Mount's jobs run there. */
export interface Offload {
  readonly isolate: Isolate;
  readonly tenant: string;
  readonly signal?: AbortSignal;
}

/** Pauses (of 64 LiquidJS steps each) a render runs inline before it moves to the isolate: about a millisecond. */
const INLINE_RENDER_PAUSES = 4;

/** A version for tests and `courier mount` that have no key: SHA-256, so still stable. */
export const plainVersion: ContentVersion = (contents) => `sha256-${createHash('sha256').update(contents).digest('hex').slice(0, 16)}`;

/**
 * Renders one template from its inputs, each extracted and decoded as an object would be. An optional
 * input that is missing is left out (the template's `default` or `if` decides); any other failure of
 * an input fails the file. The version is a keyed hash of the template and its inputs' versions, so it
 * changes exactly when one of them does. A generator that pauses in the middle of a long render
 * (assemble.ts).
 */
export function* renderFile(template: TemplateSpec, results: ReadonlyMap<ObjectSpec, FetchResult>, budgets: MountBudgets, version: ContentVersion, documents?: ParsedDocuments, offload?: Offload, extracted?: Extracted): Generator<Step, { file: MountFile; version: string; skipped: string[] } | CourierError, void> {
  const inputs = new Map<string, Uint8Array>();
  const inputVersions: Array<[string, string]> = [];
  const skipped: string[] = [];
  for (const { name, object } of template.inputs) {
    const outcome = buildFile(object, results.get(object), budgets, documents, extracted);
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
    const contents = yield* renderSteps(template, inputs, budgets, offload);
    inputVersions.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { file: { path: template.path, mode: template.mode, contents }, version: version(JSON.stringify([template.text, inputVersions])), skipped };
  } catch (error) {
    if (error instanceof CourierError) return error;
    throw error;
  }
}

/**
 * Renders a template: inline while it is short, in the isolate once it has run for about a millisecond
 * (the isolate starts it again from the beginning, with the same budgets), or there from the start when
 * an input is large (reading it is the render's first, unsplittable step).
 */
function* renderSteps(template: TemplateSpec, inputs: ReadonlyMap<string, Uint8Array>, budgets: MountBudgets, offload: Offload | undefined): Generator<Step, Uint8Array, void> {
  const templateBudgets = { ...DEFAULT_TEMPLATE_BUDGETS, outputBytes: Math.min(DEFAULT_TEMPLATE_BUDGETS.outputBytes, budgets.maxObjectBytes) };
  const field = `${template.id}.template`;
  if (!offload) return yield* templateEngine().renderTemplateSteps(template.compiled, inputs, templateBudgets, field);
  if (!hasLargeInput(inputs)) {
    const inline = templateEngine().renderTemplateSteps(template.compiled, inputs, templateBudgets, field);
    for (let pauses = 0; ; pauses += 1) {
      const step = inline.next();
      if (step.done) return step.value;
      if (pauses >= INLINE_RENDER_PAUSES) break;
      yield;
    }
    inline.return(new Uint8Array());
  }
  const own = new Map([...inputs].map(([name, bytes]) => [name, ownBuffer(bytes)]));
  const [outcome] = yield* inIsolate(offload, { kind: 'template', text: template.compiled.text, inputs: own, budgets: templateBudgets, field }, [field]);
  if (outcome instanceof CourierError) throw outcome;
  return outcome as Uint8Array;
}

/** Runs a job in the isolate; a failure of the whole job becomes each of its objects' (`fields`) own error. */
function* inIsolate(offload: Offload, job: FileJob, fields: readonly string[]): Generator<Step, Array<Uint8Array | CourierError>, void> {
  try {
    return yield* waitFor(offload.isolate.run(offload.tenant, job, offload.signal));
  } catch (error) {
    if (!(error instanceof CourierError)) throw error;
    return fields.map((field) => withField(error, field));
  }
}

/**
 * Bytes with a buffer of their own. Sending a view to the worker copies its whole buffer, and a small
 * value may sit in Node's shared pool beside other Mounts' bytes.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** Extractions made in the isolate, by object; objects not in it are extracted inline. */
export type Extracted = ReadonlyMap<ObjectSpec, Uint8Array | CourierError>;

/** What extractInIsolate answers for objects none of which extracts anything. */
const NOTHING_EXTRACTED: Extracted = new Map();

/**
 * Moves the extractions that would hold the main thread (a large secret's parse, a costly search) to
 * the isolate: one job per secret, so the objects of one large secret share one parse there too.
 */
export function* extractInIsolate(objects: readonly ObjectSpec[], results: ReadonlyMap<ObjectSpec, FetchResult>, budgets: MountBudgets, offload: Offload): Generator<Step, Extracted, void> {
  if (!objects.some((object) => object.extract)) return NOTHING_EXTRACTED;
  const groups = new Map<Uint8Array, ObjectSpec[]>();
  for (const object of objects) {
    const result = results.get(object);
    if (!object.extract || !result?.ok || result.contents.byteLength > budgets.maxSecretBytes || !isCostlyExtract(result.contents, object.extract)) continue;
    const group = groups.get(result.contents);
    if (group) group.push(object);
    else groups.set(result.contents, [object]);
  }
  const extracted = new Map<ObjectSpec, Uint8Array | CourierError>();
  const limits = { maxJmesPathLength: budgets.maxJmesPathLength, maxJmesPathCost: budgets.maxJmesPathCost, maxObjectBytes: budgets.maxObjectBytes };
  for (const [contents, group] of groups) {
    const items = group.map((object) => ({ extract: object.extract as Extract, field: object.id }));
    const outcomes = yield* inIsolate(offload, { kind: 'extract', contents: ownBuffer(contents), items, limits }, group.map((object) => object.id));
    group.forEach((object, index) => extracted.set(object, outcomes[index] as Uint8Array | CourierError));
  }
  return extracted;
}

/** One object's file: its secret within budget, extracted and decoded; or the error, with the object named. */
export function buildFile(object: ObjectSpec, result: FetchResult | undefined, budgets: MountBudgets, documents?: ParsedDocuments, extracted?: Extracted): { file: MountFile; version: string } | CourierError {
  if (!result) return new NotFoundError('was not fetched', { field: object.id });
  if (!result.ok) return withField(result.error, object.id);
  if (result.contents.byteLength > budgets.maxSecretBytes) {
    return new BudgetError(`the secret is ${result.contents.byteLength} bytes, over the budget of ${budgets.maxSecretBytes} bytes per secret`, '--max-secret-bytes', { field: object.id });
  }
  try {
    const done = extracted?.get(object);
    if (done instanceof CourierError) return done;
    const bytes = done ?? (object.extract ? applyExtract(result.contents, object.extract, object.id, budgets, documents) : result.contents);
    const contents = decodeValue(bytes, object.encoding, object.id);
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

