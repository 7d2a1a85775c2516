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
 * Finds a path that would need to be both a file and a directory: `a` next to `a/b`. Returns the
 * index of the earlier path that conflicts with `paths[index]`, or -1.
 */
export function findDirectoryConflict(paths: readonly string[], index: number): number {
  const path = paths[index];
  if (path === undefined) return -1;
  for (let other = 0; other < index; other += 1) {
    const earlier = paths[other];
    if (earlier === undefined) continue;
    if (path.startsWith(`${earlier}/`) || earlier.startsWith(`${path}/`)) return other;
  }
  return -1;
}
