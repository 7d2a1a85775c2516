/** Tells whether a target's current set of files already holds exactly the files a Mount would write. */
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MountFile } from './assemble.ts';

/**
 * True when `directory` (the current timestamped set) holds exactly `files`: the same paths, no
 * others, each a regular file with the same mode and bytes. Links are not followed; anything odd
 * (a link, a missing or extra file) counts as a difference, so the set is written afresh.
 */
export async function sameAsCurrent(directory: string, files: readonly MountFile[]): Promise<boolean> {
  const present = await listFiles(directory, '').catch(() => undefined);
  if (present === undefined || present.length !== files.length) return false;
  const wanted = new Set(files.map((file) => file.path));
  if (!present.every((path) => wanted.has(path))) return false;
  for (const file of files) if (!(await sameFile(join(directory, file.path), file))) return false;
  return true;
}

async function listFiles(root: string, prefix: string): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(join(root, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) paths.push(...(await listFiles(root, path)));
    else paths.push(path);
  }
  return paths;
}

async function sameFile(path: string, file: MountFile): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats?.isFile() || (stats.mode & 0o777) !== file.mode || stats.size !== file.contents.byteLength) return false;
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return false;
  try {
    const bytes = await handle.readFile();
    return Buffer.compare(bytes, file.contents) === 0;
  } finally {
    await handle.close();
  }
}
