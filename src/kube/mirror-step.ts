/** The mirror step of a Mount: the `mirror` parameter, turned into Secrets from the Mount's files, written. */
import { ConfigError } from '../errors/courier-error.ts';
import type { MountFile } from '../output/assemble.ts';
import { planMirror } from '../spc/mirror-parameter.ts';
import type { DecodedRequest, MountPlan } from '../spc/types.ts';
import { buildMirrorSecrets } from './mirror-content.ts';
import type { SecretMirror } from './secret-mirror.ts';

/**
 * Runs after the Mount's files are assembled and before they are returned or written. Does nothing
 * without a `mirror` parameter. With one, but on a Courier started without --mirror-secrets (`mirror`
 * undefined), the Mount fails: a pod that expects a Secret would otherwise start and fail later
 * with no hint why. Every validation happens before the first write.
 */
export async function mirrorMount(mirror: SecretMirror | undefined, request: DecodedRequest, plan: MountPlan, files: readonly MountFile[], signal: AbortSignal): Promise<void> {
  if (request.parameters['mirror'] === undefined) return;
  if (!mirror) {
    throw new ConfigError('asks for mirror Secrets, but this courier was not started with --mirror-secrets; ask the cluster administrator to enable mirroring, or remove "mirror"', { field: 'mirror' });
  }
  const { mirrors, issues } = planMirror(request.parameters, plan.objects);
  const [first] = issues;
  if (first) throw new ConfigError(first.message, { field: first.field });
  await mirror.apply(buildMirrorSecrets(mirrors, files), request.pod, signal);
}
