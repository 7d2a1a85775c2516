/** One Mount from decoded request to output: plan, fetch, transform, assemble, check, write files, then mirror. */
import type { ObjectFetcher } from '../fetch/fetch-objects.ts';
import { ConfigError } from '../errors/courier-error.ts';
import { assembleSteps, totalBytes, type MountOutput } from '../output/assemble.ts';
import type { Isolate } from '../transform/isolate/isolate.ts';
import { IMMEDIATE, runFor, type FairScheduler } from './fair-scheduler.ts';
import type { AtomicWriter } from '../output/atomic-writer.ts';
import { prepareMirrors, writeMirrors } from '../kube/mirror-step.ts';
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { planOrThrow } from '../spc/plan.ts';
import { loadTemplateEngine, mayHoldTemplate, templateEngineLoaded } from '../transform/template/engine-loader.ts';
import type { PlanCache } from '../spc/plan-cache.ts';
import { BudgetError, DRIVER_RESPONSE_LIMIT_BYTES, type MountBudgets } from '../spc/budgets.ts';
import type { DialectContext, StoreCatalog } from '../spc/store-catalog.ts';
import type { DecodedRequest, MountPlan, ObjectSpec } from '../spc/types.ts';
import { textsToParseAhead, withParsedAhead } from '../spc/yaml-parse.ts';
import type { ContentVersion } from '../output/content-version.ts';
import type { BackendRegistry } from '../stores/backend.ts';

/** Long-lived parts a Mount runs with; built once when the server starts. */
export interface MountDependencies {
  readonly fetcher: ObjectFetcher;
  /** The stores of this build (planning) and those enabled on this Courier. */
  readonly catalog: StoreCatalog;
  readonly backends: BackendRegistry;
  /** What one Mount may cost (`--max-*` flags). */
  readonly budgets: MountBudgets;
  /** Keyed versions for rendered template files (SharedParts.contentVersion). */
  readonly contentVersion?: ContentVersion;
  /** Courier writes the files into target_path itself instead of returning them. */
  readonly writeFiles: boolean;
  /** Writes the files with --write-files, one write per target at a time. */
  readonly writer: AtomicWriter;
  /** Writes mirror Secrets; set only when courier was started with --mirror-secrets. */
  readonly mirror?: SecretMirror;
  /** Remembers plans of recent SecretProviderClasses; without it every Mount plans afresh. */
  readonly plans?: PlanCache;
  /** Gives each tenant its turn at the CPU (one per server); without it every step runs at once. */
  readonly scheduler?: FairScheduler;
  /** Runs work that cannot be split off the main thread (one per server); without it, it runs inline. */
  readonly isolate?: Isolate;
}

/** The longest one slice of a Mount's assembly runs before other tenants get their turn. */
const SLICE_MS = 0.25;

/** What a Mount produced: files to return (none when Courier wrote them) and versions. */
export interface MountResult extends MountOutput {
  readonly objectCount: number;
  readonly written: boolean;
}

/**
 * Runs a Mount for a decoded request. Throws a CourierError for anything the pod's events should
 * show. Side effects come last and only once every check has passed: the files are written (with
 * --write-files) after the size check, and mirror Secrets after that.
 */
export async function runMount(request: DecodedRequest, deps: MountDependencies, signal: AbortSignal, socketDialect?: string): Promise<MountResult> {
  const context = { permission: request.permission, catalog: deps.catalog, budgets: deps.budgets };
  // The costly steps run as slices that take turns with other tenants' (fair-scheduler.ts).
  const scheduler = deps.scheduler ?? IMMEDIATE;
  const tenant = request.pod.namespace;
  const plan = await planMount(request.parameters, { ...context, tenant, signal }, deps, socketDialect);
  const fetched = fetchedObjects(plan);
  checkEnabled(fetched, deps);
  const results = await deps.fetcher.fetchObjects(fetched, { signal, pod: request.pod, tokens: request.tokens, ...(request.secrets === undefined ? {} : { secrets: request.secrets }) });
  const offload = deps.isolate ? { isolate: deps.isolate, tenant, signal } : undefined;
  const steps = assembleSteps(plan.objects, results, { budgets: deps.budgets, ...(plan.templates ? { templates: plan.templates } : {}), ...(deps.contentVersion ? { contentVersion: deps.contentVersion } : {}), ...(offload ? { offload } : {}) });
  let output: MountOutput | undefined;
  while (output === undefined) {
    const slice = await scheduler.run(tenant, () => runFor(steps, SLICE_MS));
    if (slice.done) output = slice.value;
    else if (slice.wait) await slice.wait;
  }
  checkMountSize(output, deps);
  if (deps.writeFiles && request.targetPath === '') throw new ConfigError('is empty, but courier was started with --write-files', { field: 'targetPath' });
  const mirrors = prepareMirrors(deps.mirror, plan, output.files);
  if (deps.writeFiles) await deps.writer.write(request.targetPath, output.files, { maxBytes: deps.budgets.maxMountBytes });
  await writeMirrors(mirrors, request.pod, signal);
  if (deps.writeFiles) return { ...output, files: [], objectCount: plan.objects.length, written: true };
  return { ...output, objectCount: plan.objects.length, written: false };
}

const fetchedOf = new WeakMap<MountPlan, readonly ObjectSpec[]>();

/**
 * What a plan fetches: a template's inputs are fetched with the other objects, one request per distinct
 * secret in all. The same list for the same (cached) plan, which the fetcher's grouping is remembered by.
 */
function fetchedObjects(plan: MountPlan): readonly ObjectSpec[] {
  let fetched = fetchedOf.get(plan);
  if (fetched === undefined) {
    fetched = plan.templates === undefined ? plan.objects : [...plan.objects, ...plan.templates.flatMap((template) => template.inputs.map(({ object }) => object))];
    fetchedOf.set(plan, fetched);
  }
  return fetched;
}

/**
 * Plans the Mount: from the plan cache at once, or as one slice. A class not planned before whose
 * parameters are large has them parsed in the isolate first: their YAML parse is the step of planning
 * that takes long and cannot be split.
 */
async function planMount(parameters: Readonly<Record<string, string>>, context: DialectContext & { readonly tenant: string; readonly signal: AbortSignal }, deps: MountDependencies, socketDialect: string | undefined): Promise<MountPlan> {
  // A class planned before is answered from memory at once: the lookup costs less than waiting a turn of the event loop for a slice.
  const known = deps.plans?.remembered(parameters, context, socketDialect);
  if (known !== undefined) return known;
  // The template engine loads with the first class that may hold a template (a remembered one was planned with it).
  if (!templateEngineLoaded() && mayHoldTemplate(parameters)) await loadTemplateEngine();
  const scheduler = deps.scheduler ?? IMMEDIATE;
  const plan = () => (deps.plans ? deps.plans.plan(parameters, context, socketDialect, context.tenant) : planOrThrow(parameters, context, socketDialect));
  const texts = deps.isolate ? textsToParseAhead(parameters, socketDialect) : [];
  if (!deps.isolate || texts.length === 0) return scheduler.run(context.tenant, plan);
  const outcomes = await deps.isolate.parseYaml(context.tenant, texts, context.signal);
  return scheduler.run(context.tenant, () => withParsedAhead(texts, outcomes, plan));
}

/**
 * All files together stay within `--max-mount-bytes`, and, when the driver writes them, within its 4 MiB
 * response limit; checked before anything is written.
 */
function checkMountSize(output: MountOutput, deps: MountDependencies): void {
  const bytes = totalBytes(output.files);
  if (!deps.writeFiles && bytes > DRIVER_RESPONSE_LIMIT_BYTES) {
    throw new ConfigError(`the mount's files total ${bytes} bytes, over the driver's 4 MiB response limit; split the SecretProviderClass or run courier with --write-files`, { field: 'objects' });
  }
  if (bytes > deps.budgets.maxMountBytes) throw new BudgetError(`the mount's files total ${bytes} bytes, over the budget of ${deps.budgets.maxMountBytes} bytes per Mount`, '--max-mount-bytes', { field: 'objects' });
}

/** Refuses, before any store work, objects whose store this Courier has not enabled, saying how to enable it. */
function checkEnabled(objects: readonly ObjectSpec[], deps: MountDependencies): void {
  for (const object of objects) {
    if (deps.backends.has(object.store)) continue;
    const hint = deps.catalog.sources.get(object.store)?.enableHint;
    throw new ConfigError(`store "${object.store}" is not enabled on this Courier${hint ? ` (${hint})` : ''}`, { field: `${object.id}.source` });
  }
}
