/** Runs the built `courier` command (dist/cli/main.js) as a user would, for CLI and process-level tests. */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The built entry point. */
export const COURIER_BIN = `${ROOT}dist/cli/main.js`;

/**
 * Builds dist/ with the repository's build config unless it is newer than every source; call from
 * test.before. Test files run in parallel: a lock makes one build while the others wait, so no test
 * ever runs a dist/ file that tsc is rewriting.
 */
export async function buildDist(): Promise<void> {
  const lock = `${ROOT}.dist-build.lock`;
  for (let waited = 0; ; waited += 100) {
    const taken = await mkdir(lock).then(() => true, () => false);
    if (taken) break;
    // A lock older than the longest build was left by a run that died.
    const age = Date.now() - ((await stat(lock).catch(() => undefined))?.mtimeMs ?? Date.now());
    if (age > 180_000) await rm(lock, { recursive: true, force: true });
    if (waited > 180_000) throw new Error(`${lock} is held; remove it if no test run is building dist/`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    const built = await stat(COURIER_BIN).then((info) => info.mtimeMs, () => 0);
    if (built > (await newestSource(`${ROOT}src`))) return;
    await run(process.execPath, [`${ROOT}node_modules/typescript/bin/tsc`, '-p', `${ROOT}tsconfig.build.json`], { cwd: ROOT, timeout: 120_000 });
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? await newestSource(path) : (await stat(path)).mtimeMs);
  }
  return newest;
}

/** What a finished command printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Environment without any COURIER_* variable of the test runner, plus `env`. */
function cleanEnv(env: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('COURIER_')));
  return { ...base, ...env };
}

/** Runs `courier <args>` to completion (bounded at 30 s). */
export async function runCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [COURIER_BIN, ...args], { cwd: ROOT, env: cleanEnv(env), timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A `courier serve` child process. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Everything the process wrote to stdout so far. */
  output(): string;
}

/** Starts `courier serve <args>` and resolves once `socketPath` exists; the child is killed at teardown. */
export async function startServe(t: ExecutionContext, args: readonly string[], socketPath: string, env: Readonly<Record<string, string>> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [COURIER_BIN, 'serve', ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const deadline = Date.now() + 15_000;
  while (!(await lstat(socketPath).then((stats) => stats.isSocket(), () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`courier serve did not create ${socketPath}:\n${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, exited, output: () => stdout };
}
