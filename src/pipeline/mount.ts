/** One Mount from decoded request to output: plan, fetch, transform, assemble, and optionally write. */
import type { ObjectFetcher } from '../fetch/fetch-objects.ts';
import { ConfigError } from '../errors/courier-error.ts';
import { assembleOutput, MAX_RESPONSE_BYTES, totalBytes, type MountOutput } from '../output/assemble.ts';
import { writeAtomically } from '../output/atomic-writer.ts';
import { mirrorMount } from '../kube/mirror-step.ts';
import type { SecretMirror } from '../kube/secret-mirror.ts';
import { planOrThrow } from '../spc/plan.ts';
import type { PlanCache } from '../spc/plan-cache.ts';
import type { DecodedRequest, DialectName } from '../spc/types.ts';

/** Long-lived parts a Mount runs with; built once when the server starts. */
export interface MountDependencies {
  readonly fetcher: ObjectFetcher;
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

/** Runs a Mount for a decoded request. Throws a CourierError for anything the pod's events should show. */
export async function runMount(request: DecodedRequest, deps: MountDependencies, signal: AbortSignal, socketDialect?: DialectName): Promise<MountResult> {
  const context = { permission: request.permission };
  const plan = deps.plans ? deps.plans.plan(request.parameters, context, socketDialect) : planOrThrow(request.parameters, context, socketDialect);
  const results = await deps.fetcher.fetchObjects(plan.objects, { signal, pod: request.pod, tokens: request.tokens });
  const output = assembleOutput(plan.objects, results);
  await mirrorMount(deps.mirror, request, plan, output.files, signal);
  if (deps.writeFiles) {
    if (request.targetPath === '') throw new ConfigError('is empty, but courier was started with --write-files', { field: 'targetPath' });
    await writeAtomically(request.targetPath, output.files);
    return { ...output, files: [], objectCount: plan.objects.length, written: true };
  }
  const bytes = totalBytes(output.files);
  if (bytes > MAX_RESPONSE_BYTES) {
    throw new ConfigError(`the mount's files total ${bytes} bytes, over the driver's 4 MiB response limit; split the SecretProviderClass or run courier with --write-files`, { field: 'objects' });
  }
  return { ...output, objectCount: plan.objects.length, written: false };
}
