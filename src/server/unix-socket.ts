/** The provider socket's lifecycle: bind under a temporary name, rename into place, remove only our own. */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { status } from '../errors/status-codes.ts';
import { RUNTIME_NAME } from '../version.ts';
import { callUnary } from './grpc-unary-client.ts';
import { decodeVersionResponse, encodeVersionRequest } from './proto.ts';

/** A socket this process owns, identified by its inode. */
export interface OwnedSocket {
  readonly path: string;
  readonly inode: number;
}

/**
 * Binds a server on `path` (`listen` listens on the socket path it is given). The socket is created
 * under a temporary name, restricted to its owner, and renamed over `path`: a stale socket (or the one
 * of a process being replaced) is swapped out in one step, so the driver always finds a socket that
 * accepts.
 */
export async function bindSocket(listen: (socketPath: string) => Promise<void>, path: string): Promise<OwnedSocket> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  await checkReplaceable(path);
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await listen(temporary);
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

/** How long a provider already on the socket has to answer Version before Courier refuses to replace it. */
const VERSION_TIMEOUT_MS = 3_000;

/**
 * Throws unless `path` is free, a dead socket, or the socket of another Courier (a rollout: the new
 * one takes over). A socket whose server answers Version with another runtime is another provider
 * (e.g. `--compat aws` beside the AWS provider): replacing it would cut that provider off, so Courier
 * refuses. Anything that is not a socket is never touched.
 */
export async function checkReplaceable(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (!existing) return;
  if (!existing.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  const answer = await askVersion(path);
  if (answer.kind === 'dead') return;
  if (answer.kind === 'silent') throw new Error(`${path} accepts connections but did not answer Version within ${VERSION_TIMEOUT_MS / 1000} s; refusing to replace a provider that may be running (remove the socket if it is stale)`);
  if (answer.runtime === RUNTIME_NAME) return;
  throw new Error(`${path} is served by ${answer.runtime || 'another provider'}${answer.version ? ` ${answer.version}` : ''}, not Courier; refusing to replace another provider's socket (choose another --provider-name or --compat, or stop that provider first)`);
}

type VersionAnswer = { readonly kind: 'dead' } | { readonly kind: 'silent' } | { readonly kind: 'answered'; readonly runtime: string; readonly version: string };

/** Calls Version on the socket: no listener is `dead`; a listener that does not answer in time is `silent`. */
async function askVersion(path: string): Promise<VersionAnswer> {
  // Nothing accepts the connection (a stale socket), or what does is not gRPC: dead.
  const answer = await callUnary(path, '/v1alpha1.CSIDriverProvider/Version', encodeVersionRequest({ version: 'v1alpha1' }), VERSION_TIMEOUT_MS).catch(() => undefined);
  if (answer === undefined) return { kind: 'dead' };
  if (answer.code === status.OK) {
    const value = decodeVersionResponse(answer.message ?? Buffer.alloc(0));
    return { kind: 'answered', runtime: value.runtimeName, version: value.runtimeVersion };
  }
  // Something listens and stays quiet.
  if (answer.code === status.DEADLINE_EXCEEDED) return { kind: 'silent' };
  // A server on its way out.
  if (answer.code === status.UNAVAILABLE) return { kind: 'dead' };
  // A gRPC server without the contract, or one failing Version: a provider, not Courier.
  return { kind: 'answered', runtime: '', version: '' };
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
