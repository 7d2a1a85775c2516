/** The embedded local store: secrets are files under a directory the administrator names. */
import { readFile, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { CourierError, NotFoundError, PermissionError } from '../../errors/courier-error.ts';
import { createContentVersion, randomVersionKey, type ContentVersion } from '../../output/content-version.ts';
import type { Backend, FetchRequest, FetchResult } from '../backend.ts';
import { status } from '../../errors/status-codes.ts';

/**
 * chokidar reports at most one change per file in 50 ms and drops the rest, so a file read soon
 * after a change may be a write still in progress whose later changes go unreported. Such a read
 * is served but not kept, and listeners hear a second, trailing invalidation this long after the
 * last change, so caches above drop what they took during the burst too.
 */
const SETTLE_MS = 200;

interface Entry {
  readonly contents: Uint8Array;
  readonly version: string;
}

/**
 * Serves `file:` locators from `root`. Contents are kept in memory after the first read and dropped
 * as soon as the watcher sees anything change under the root, so edits show on the next Mount.
 */
export class FileStore implements Backend {
  readonly store = 'file';
  readonly maxBatchSize = 64;
  readonly #root: string;
  readonly #entries = new Map<string, Entry>();
  readonly #listeners: Array<() => void> = [];
  #watcher: FSWatcher | undefined;
  #realRoot = '';
  /** Bumped on every change, so a read that raced a change is not cached. */
  #generation = 0;
  #changedAt = Number.NEGATIVE_INFINITY;
  #settleTimer: NodeJS.Timeout | undefined;

  readonly #version: ContentVersion;

  /** `version` turns contents into the version reported for them (keyed, so it reveals nothing). */
  constructor(root: string, version: ContentVersion = createContentVersion(randomVersionKey())) {
    this.#root = root;
    this.#version = version;
  }

  /** Resolves the root and starts watching it; resolves once the watcher is ready. */
  async start(): Promise<void> {
    this.#realRoot = await realpath(this.#root).catch((error: unknown) => {
      throw new CourierError(status.FAILED_PRECONDITION, `local store directory ${this.#root} cannot be used: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    });
    const watcher = watch(this.#realRoot, { ignoreInitial: true, persistent: true });
    this.#watcher = watcher;
    watcher.on('all', () => this.#onChange());
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', resolve);
      watcher.once('error', reject);
    });
    // A watcher error after start-up (e.g. out of inotify watches) must not crash the server; what
    // is cached may now miss changes, so it is dropped.
    watcher.on('error', () => this.#invalidate());
  }

  /** Anyone who can mount may read the local store; it has no identities. */
  identityKey(): string {
    return '';
  }

  onInvalidate(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async fetch(requests: readonly FetchRequest[]): Promise<FetchResult[]> {
    return Promise.all(requests.map((request) => this.#fetchOne(request)));
  }

  async close(): Promise<void> {
    clearTimeout(this.#settleTimer);
    await this.#watcher?.close();
    this.#entries.clear();
  }

  async #fetchOne(request: FetchRequest): Promise<FetchResult> {
    try {
      const entry = this.#entries.get(request.locator) ?? (await this.#read(request.locator));
      if (request.version !== undefined && request.version !== entry.version) {
        return { ok: false, error: new NotFoundError(`local store file "${request.locator}" is at version ${entry.version}, not ${request.version}`) };
      }
      return { ok: true, contents: entry.contents, version: entry.version };
    } catch (error) {
      return { ok: false, error: toStoreError(error, request.locator) };
    }
  }

  async #read(locator: string): Promise<Entry> {
    const generation = this.#generation;
    const settled = Date.now() - this.#changedAt >= SETTLE_MS;
    const real = await realpath(`${this.#realRoot}${sep}${locator}`);
    // A symlink may point anywhere; only what resolves inside the root is served.
    if (!real.startsWith(`${this.#realRoot}${sep}`)) {
      throw new PermissionError(`local store file "${locator}" resolves outside the local store`);
    }
    const contents = await readFile(real);
    const entry = { contents, version: this.#version(contents) };
    if (settled && generation === this.#generation) this.#entries.set(locator, entry);
    return entry;
  }

  #onChange(): void {
    this.#invalidate();
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => this.#invalidate(), SETTLE_MS);
    this.#settleTimer.unref();
  }

  #invalidate(): void {
    this.#generation += 1;
    this.#changedAt = Date.now();
    this.#entries.clear();
    for (const listener of this.#listeners) listener();
  }
}

function toStoreError(error: unknown, locator: string): CourierError {
  if (error instanceof CourierError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new NotFoundError(`local store has no file "${locator}"`);
  if (code === 'EISDIR') return new NotFoundError(`local store entry "${locator}" is a directory, not a file`);
  if (code === 'EACCES' || code === 'EPERM') return new PermissionError(`local store file "${locator}" is not readable by courier`);
  return new CourierError(status.INTERNAL, `local store file "${locator}" could not be read (${code ?? 'error'})`, { cause: error });
}
