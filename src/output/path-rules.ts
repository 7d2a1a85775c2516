/** The driver's rules for file paths inside a mount, checked before anything is fetched. */
import { posix } from 'node:path';

const MAX_ELEMENT_BYTES = 255;
const MAX_PATH_BYTES = 4096;

/** Go's filepath.Clean for slash-separated paths: what the driver compares a path against. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/**
 * Returns why the driver would refuse `path` as a file path inside the mount, or undefined when it
 * is fine. The rules are the driver's: relative, in clean form, no `..` element, a first element
 * not starting with `..` (the atomic writer's own names), elements of at most 255 bytes, at most
 * 4096 bytes in all. `within` names what the path is relative to in the messages.
 */
export function checkMountPath(path: string, within = 'the mount'): string | undefined {
  if (path === '') return 'must not be empty';
  if (path.includes('\0')) return 'must not contain a NUL character';
  if (path.startsWith('/')) return `"${path}" is absolute; paths are relative to ${within}`;
  const elements = path.split('/');
  if (elements.includes('..')) return `"${path}" leaves ${within} ("..")`;
  if (elements[0]?.startsWith('..')) return `"${path}" starts with "..", which is reserved for the atomic writer`;
  const clean = cleanPath(path);
  if (clean === '.') return `"${path}" names ${within} itself, not a file in it`;
  if (clean !== path) return `"${path}" is not in clean form; write "${clean}"`;
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `is longer than ${MAX_PATH_BYTES} bytes`;
  const long = elements.find((element) => Buffer.byteLength(element) > MAX_ELEMENT_BYTES);
  if (long !== undefined) return `has an element longer than ${MAX_ELEMENT_BYTES} bytes`;
  return undefined;
}

/**
 * Paths that would need one name to be both a file and a directory (`a` next to `a/b`): for each
 * index that has such a conflict with an earlier path, the index of the earliest such path. Linear
 * in the total length of the paths, so a class with many objects plans as fast as a small one.
 */
export function directoryConflicts(paths: readonly string[]): Map<number, number> {
  const firstAt = new Map<string, number>();
  // For each proper prefix of some path ("a" of "a/b"), the first index whose path lies under it.
  const firstUnder = new Map<string, number>();
  paths.forEach((path, index) => {
    if (!firstAt.has(path)) firstAt.set(path, index);
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      const prefix = path.slice(0, slash);
      if (!firstUnder.has(prefix)) firstUnder.set(prefix, index);
    }
  });
  const conflicts = new Map<number, number>();
  paths.forEach((path, index) => {
    let earliest = Number.POSITIVE_INFINITY;
    // An earlier path that is a directory of this one: "a" before "a/b".
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      const owner = firstAt.get(path.slice(0, slash));
      if (owner !== undefined && owner < index) earliest = Math.min(earliest, owner);
    }
    // An earlier path under this one: "a/b" before "a".
    const under = firstUnder.get(path);
    if (under !== undefined && under < index) earliest = Math.min(earliest, under);
    if (Number.isFinite(earliest)) conflicts.set(index, earliest);
  });
  return conflicts;
}
