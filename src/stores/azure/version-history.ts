/** Picks the version `versionIndex` points at in an object's history, as the Azure provider's objectVersionHistory counts; pure. */
import { NotFoundError } from '../../errors/courier-error.ts';
import type { VersionEntry } from './reads.ts';

/**
 * The version `index` places back among the enabled versions, newest first by creation time,
 * starting at `pinned` when given (0 is `pinned` itself, or the newest). Disabled versions are left
 * out, as the Azure provider leaves them out. Throws NotFoundError when there are not that many.
 */
export function pickVersion(entries: readonly VersionEntry[], pinned: string | undefined, index: number, what: string): string {
  const enabled = entries.filter((entry) => entry.enabled);
  const start = pinned === undefined ? 0 : enabled.findIndex((entry) => entry.version === pinned);
  if (start < 0) throw new NotFoundError(`${what} is not among its enabled versions`);
  const chosen = enabled[start + index];
  if (chosen === undefined) {
    const count = enabled.length - start;
    throw new NotFoundError(`${what} has ${count} enabled version${count === 1 ? '' : 's'}${pinned === undefined ? '' : ' from the pinned one back'}, so version index ${index} does not exist`);
  }
  return chosen.version;
}
