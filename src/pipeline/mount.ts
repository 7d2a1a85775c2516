/** One Mount from decoded request to output: plan, fetch, transform, assemble, check, write files, then mirror. */
import type { ObjectFetcher } from '../fetch/fetch-objects.ts';
import { ConfigError } from '../errors/courier-error.ts';
import { assembleOutput, MAX_RESPONSE_BYTES, totalBytes, type MountOutput } from '../output/assemble.ts';
import { writeAtomically } from '../output/atomic-writer.ts';
import { prepareMirrors, writeMirrors } from '../kube/mirror-step.ts';
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { planOrThrow } from '../spc/plan.ts';
import type { PlanCache } from '../spc/plan-cache.ts';
import type { StoreCatalog } from '../spc/store-catalog.ts';
import type { DecodedRequest, MountPlan } from '../spc/types.ts';
import type { BackendRegistry } from '../stores/backend.ts';

/** Long-lived parts a Mount runs with; built once when the server starts. */
export interface MountDependencies {
  readonly fetcher: ObjectFetcher;
  /** The stores of this build (planning) and those enabled on this Courier. */
  readonly catalog: StoreCatalog;
  readonly backends: BackendRegistry;
  /** Courier writes the files into target_path itself instead of returning them. */
  readonly writeFiles: boolean;
  /** Writes mirror Secrets; set only when courier was started with --mirror-secrets. */
  readonly mirror?: SecretMirror;
  /** Remembers plans of recent SecretProviderClasses; without it every Mount plans afresh. */
  readonly plans?: PlanCache;
}

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
  const context = { permission: request.permission, catalog: deps.catalog };
  const plan = deps.plans ? deps.plans.plan(request.parameters, context, socketDialect) : planOrThrow(request.parameters, context, socketDialect);
  checkEnabled(plan, deps);
  const results = await deps.fetcher.fetchObjects(plan.objects, { signal, pod: request.pod, tokens: request.tokens, ...(request.secrets === undefined ? {} : { secrets: request.secrets }) });
  const output = assembleOutput(plan.objects, results);
  const bytes = totalBytes(output.files);
  if (!deps.writeFiles && bytes > MAX_RESPONSE_BYTES) {
    throw new ConfigError(`the mount's files total ${bytes} bytes, over the driver's 4 MiB response limit; split the SecretProviderClass or run courier with --write-files`, { field: 'objects' });
  }
  if (deps.writeFiles && request.targetPath === '') throw new ConfigError('is empty, but courier was started with --write-files', { field: 'targetPath' });
  const mirrors = prepareMirrors(deps.mirror, plan, output.files);
  if (deps.writeFiles) await writeAtomically(request.targetPath, output.files);
  await writeMirrors(mirrors, request.pod, signal);
  if (deps.writeFiles) return { ...output, files: [], objectCount: plan.objects.length, written: true };
  return { ...output, objectCount: plan.objects.length, written: false };
}

/** Refuses, before any store work, objects whose store this Courier has not enabled, saying how to enable it. */
function checkEnabled(plan: MountPlan, deps: MountDependencies): void {
  for (const object of plan.objects) {
    if (deps.backends.has(object.store)) continue;
    const hint = deps.catalog.sources.get(object.store)?.enableHint;
    throw new ConfigError(`store "${object.store}" is not enabled on this Courier${hint ? ` (${hint})` : ''}`, { field: `${object.id}.source` });
  }
}
