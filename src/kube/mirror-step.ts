/** The mirror step of a Mount: the plan's mirror Secrets built from the Mount's files (checked first), then written. */
import { ConfigError } from '../errors/courier-error.ts';
import type { MountFile } from '../output/assemble.ts';
import type { MountPlan, PodInfo } from '../spc/types.ts';
import { buildMirrorSecrets, type MirrorSecret } from './mirror-content.ts';
import type { SecretMirror } from './secret-mirror.ts';

/** Mirror Secrets ready to write, and the writer that writes them. */
export interface PreparedMirrors {
  readonly mirror: SecretMirror;
  readonly secrets: readonly MirrorSecret[];
}

/**
 * Builds and checks the plan's mirror Secrets without writing anything, so a bad mirror fails the
 * Mount before any side effect. Undefined when the class asks for none. With one, but on a Courier
 * started without --mirror-secrets (`mirror` undefined), the Mount fails: a pod that expects a
 * Secret would otherwise start and fail later with no hint why.
 */
export function prepareMirrors(mirror: SecretMirror | undefined, plan: MountPlan, files: readonly MountFile[]): PreparedMirrors | undefined {
  if (plan.mirrors === undefined || plan.mirrors.length === 0) return undefined;
  if (!mirror) {
    throw new ConfigError('asks for mirror Secrets, but this courier was not started with --mirror-secrets; ask the cluster administrator to enable mirroring, or remove "mirror"', { field: 'mirror' });
  }
  return { mirror, secrets: buildMirrorSecrets(plan.mirrors, files) };
}

/** Writes prepared mirrors; the Mount's last step, after its files are returned-ready or written. */
export async function writeMirrors(prepared: PreparedMirrors | undefined, pod: PodInfo, signal: AbortSignal): Promise<void> {
  if (prepared) await prepared.mirror.apply(prepared.secrets, pod, signal);
}
