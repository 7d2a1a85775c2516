/** The provider socket's lifecycle: bind under a temporary name, rename into place, remove only our own. */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ServerCredentials, type Server } from '@grpc/grpc-js';

/** A socket this process owns, identified by its inode. */
export interface OwnedSocket {
  readonly path: string;
  readonly inode: number;
}

/**
 * Binds `server` on `path`. The socket is created under a temporary name, restricted to its owner,
 * and renamed over `path`: a stale socket (or the one of a process being replaced) is swapped out
 * in one step, so the driver always finds a socket that accepts.
 */
export async function bindSocket(server: Server, path: string): Promise<OwnedSocket> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  await checkReplaceable(path);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix:${temporary}`, ServerCredentials.createInsecure(), (error) => (error ? reject(error) : resolve()));
  });
  try {
    // Only the owner (root in a DaemonSet, as the driver runs) may connect.
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { path, inode: (await stat(path)).ino };
}

/** Throws unless `path` is free or a socket (which binding may replace); anything else is never touched. */
export async function checkReplaceable(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing && !existing.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
}

/** True while `path` is still the socket this process bound (a newer process may have replaced it). */
export async function isOwnSocket(socket: OwnedSocket): Promise<boolean> {
  const current = await lstat(socket.path).catch(() => undefined);
  return current?.ino === socket.inode;
}

/** Removes the socket file, but only if it is still ours; never a successor's. */
export async function removeOwnSocket(socket: OwnedSocket): Promise<boolean> {
  if (!(await isOwnSocket(socket))) return false;
  await rm(socket.path, { force: true });
  return true;
}
