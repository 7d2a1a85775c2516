/** The provider socket's lifecycle: bind under a temporary name, rename into place, remove only our own. */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { credentials, ServerCredentials, status, type Client, type Server, type ServiceError } from '@grpc/grpc-js';
import { RUNTIME_NAME } from '../version.ts';
import { loadProviderProto, type WireVersionResponse } from './proto.ts';

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
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${path}`, credentials.createInsecure()) as unknown as Client & Record<'Version', (request: unknown, options: { deadline: number }, callback: (error: ServiceError | null, value?: WireVersionResponse) => void) => void>;
  try {
    return await new Promise<VersionAnswer>((resolve) => {
      client.Version({ version: 'v1alpha1' }, { deadline: Date.now() + VERSION_TIMEOUT_MS }, (error, value) => {
        if (!error) return resolve({ kind: 'answered', runtime: value?.runtimeName ?? '', version: value?.runtimeVersion ?? '' });
        // UNAVAILABLE: nothing listens (a stale socket). DEADLINE_EXCEEDED: something listens and stays quiet.
        if (error.code === status.DEADLINE_EXCEEDED) return resolve({ kind: 'silent' });
        if (error.code === status.UNIMPLEMENTED) return resolve({ kind: 'answered', runtime: '', version: '' });
        resolve({ kind: 'dead' });
      });
    });
  } finally {
    client.close();
  }
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
