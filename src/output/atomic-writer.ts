/** Writes a mount's files into a directory atomically, the way kubelet writes projected volumes, never following a link it did not make. */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { MountFile } from './assemble.ts';
import { sameAsCurrent } from './current-payload.ts';

const DATA_LINK = '..data';
const DATA_LINK_TMP = '..data_tmp';
/** The writer's own timestamped directories: `..2026_12_01_09_16_06.<random>`, as kubelet names them. */
export const TIMESTAMPED_DIR = /^\.\.\d{4}(?:_\d{2}){5}\.[A-Za-z0-9]+$/;

/** What a write may hold; checked before anything is written. */
export interface WriteOptions {
  /** Total bytes of the set (`--max-mount-bytes`). */
  readonly maxBytes?: number;
}

/**
 * Writes `files` into `target` so that a reader sees either the old set or the new one, never a
 * mix: the files go into a fresh timestamped directory, `..data` is re-pointed at it with one
 * rename, and each top-level name is a symlink through `..data`. Names that left the set are
 * removed, and so is the previous timestamped directory. A set equal to the one already there
 * (paths, modes and bytes) is not written again: applications watching the volume see a change
 * only when there is one. Returns whether anything was written.
 */
export async function writeAtomically(target: string, files: readonly MountFile[], options: WriteOptions = {}): Promise<boolean> {
  const bytes = files.reduce((sum, file) => sum + file.contents.byteLength, 0);
  if (options.maxBytes !== undefined && bytes > options.maxBytes) throw new Error(`the files total ${bytes} bytes, over the ${options.maxBytes} bytes a write may hold`);
  await mkdir(target, { recursive: true });
  const link = await readlink(join(target, DATA_LINK)).catch(() => undefined);
  // Only a directory this writer (or kubelet) made is ever followed or removed: never `..`, never a path.
  const previous = link !== undefined && TIMESTAMPED_DIR.test(link) ? link : undefined;
  if (previous !== undefined && (await sameAsCurrent(join(target, previous), files))) return false;
  const stamp = new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace(/\..*$/, '');
  const fresh = await mkdtemp(join(target, `..${stamp}.`));
  // mkdtemp makes the directory owner-only; the pod's user must be able to traverse it.
  await chmod(fresh, 0o755);
  // One temporary link name per write (kubelet uses a fixed one, but it never writes a volume twice at
  // once; two Mounts of one target can): a shared name lets one write rename the other's link.
  const tmpLink = join(target, `${DATA_LINK_TMP}${basename(fresh).slice(1)}`);
  try {
    for (const file of files) await writeNew(fresh, file);
    // mkdir's mode is filtered by the umask, and the pod's user must be able to traverse.
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
  if (previous !== undefined) await rm(join(target, previous), { recursive: true, force: true });
  return true;
}

/**
 * Creates one file in the fresh set: exclusive and without following a link, so nothing placed in
 * the way can redirect the write; the mode is set on the open file, so no link is followed by chmod.
 */
async function writeNew(root: string, file: MountFile): Promise<void> {
  const destination = join(root, file.path);
  await mkdir(dirname(destination), { recursive: true, mode: 0o755 });
  const handle = await open(destination, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, file.mode);
  try {
    await handle.writeFile(file.contents);
    // The open's mode is filtered by the umask; the file must have exactly the mode asked for.
    await handle.chmod(file.mode);
  } finally {
    await handle.close();
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

/** Each visible name is a link to `..data/<name>`; anything else under that name (another link, a file) is replaced. */
async function linkVisibleNames(target: string, visible: ReadonlySet<string>): Promise<void> {
  for (const name of visible) {
    const path = join(target, name);
    const expected = join(DATA_LINK, name);
    const existing = await lstat(path).catch(() => undefined);
    if (existing?.isSymbolicLink() && (await readlink(path)) === expected) continue;
    if (existing) await rm(path, { recursive: true, force: true });
    await symlink(expected, path).catch(async (error: unknown) => {
      // A concurrent write of the same target made the same link first.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || (await readlink(path).catch(() => '')) !== expected) throw error;
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

/** Writes that never overlap on one target: a Mount's write waits for the one before it (two Mounts of one volume). */
export interface AtomicWriter {
  write(target: string, files: readonly MountFile[], options?: WriteOptions): Promise<boolean>;
}

/** Creates a writer that serialises writes per target; one per server. */
export function createAtomicWriter(): AtomicWriter {
  const tails = new Map<string, Promise<unknown>>();
  return {
    write(target, files, options) {
      const previous = tails.get(target) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => writeAtomically(target, files, options));
      tails.set(target, next);
      const forget = () => {
        if (tails.get(target) === next) tails.delete(target);
      };
      next.then(forget, forget);
      return next;
    },
  };
}
