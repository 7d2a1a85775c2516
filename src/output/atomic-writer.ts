/** Writes a mount's files into a directory atomically, the way kubelet writes projected volumes. */
import { lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MountFile } from './assemble.ts';

const DATA_LINK = '..data';
const DATA_LINK_TMP = '..data_tmp';

/**
 * Writes `files` into `target` so that a reader sees either the old set or the new one, never a
 * mix: the files go into a fresh timestamped directory, `..data` is re-pointed at it with one
 * rename, and each top-level name is a symlink through `..data`. Names that left the set are
 * removed, and so is the previous timestamped directory.
 */
export async function writeAtomically(target: string, files: readonly MountFile[]): Promise<void> {
  await mkdir(target, { recursive: true });
  const previous = await readlink(join(target, DATA_LINK)).catch(() => undefined);
  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace(/\..*$/, '');
  const fresh = await mkdtemp(join(target, `..${stamp}.`));
  // mkdtemp makes the directory owner-only; the pod's user must be able to traverse it.
  await chmod(fresh, 0o755);
  // One temporary link name per write (kubelet uses a fixed one, but it never writes a volume twice at
  // once; two Mounts of one target can): a shared name lets one write rename the other's link.
  const tmpLink = join(target, `${DATA_LINK_TMP}${basename(fresh).slice(1)}`);
  try {
    for (const file of files) {
      const destination = join(fresh, file.path);
      await mkdir(dirname(destination), { recursive: true, mode: 0o755 });
      await writeFile(destination, file.contents, { mode: file.mode });
      // writeFile's mode is filtered by the umask; the file must have exactly the mode asked for.
      await chmod(destination, file.mode);
    }
    // mkdir's mode is filtered by the umask too, and the pod's user must be able to traverse.
    for (const directory of parentDirectories(files)) await chmod(join(fresh, directory), 0o755);
    await symlink(basename(fresh), tmpLink);
    await rename(tmpLink, join(target, DATA_LINK));
  } catch (error) {
    await rm(tmpLink, { force: true });
    await rm(fresh, { recursive: true, force: true });
    throw error;
  }
  const visible = new Set(files.map((file) => file.path.split('/')[0] as string));
  await linkVisibleNames(target, visible);
  await removeStaleNames(target, visible);
  if (previous !== undefined && previous.startsWith('..') && !previous.includes('/')) {
    await rm(join(target, previous), { recursive: true, force: true });
  }
}

/** Every directory the files' paths pass through, relative to the set's root. */
function parentDirectories(files: readonly MountFile[]): Set<string> {
  const directories = new Set<string>();
  for (const file of files) {
    for (let parent = dirname(file.path); parent !== '.'; parent = dirname(parent)) directories.add(parent);
  }
  return directories;
}

async function linkVisibleNames(target: string, visible: ReadonlySet<string>): Promise<void> {
  for (const name of visible) {
    const path = join(target, name);
    const existing = await lstat(path).catch(() => undefined);
    if (existing?.isSymbolicLink()) continue;
    if (existing) await rm(path, { recursive: true, force: true });
    await symlink(join(DATA_LINK, name), path).catch(async (error: unknown) => {
      // A concurrent write of the same target made the same link first.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await lstat(path)).isSymbolicLink()) throw error;
    });
  }
}

/** Removes top-level symlinks into `..data` whose names are no longer in the set. */
async function removeStaleNames(target: string, visible: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(target)) {
    if (name.startsWith('..') || visible.has(name)) continue;
    const link = await readlink(join(target, name)).catch(() => undefined);
    if (link?.startsWith(`${DATA_LINK}/`)) await rm(join(target, name), { force: true });
  }
}
