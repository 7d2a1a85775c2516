/** Starts `courier serve` from dist/ as a child process on a temporary socket and measures it (ready time, peak RSS). */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A running Courier child. */
export interface CourierProcess {
  readonly pid: number;
  readonly socketPath: string;
  /** Milliseconds from spawn() until the socket accepted a connection. */
  readonly readyMs: number;
  /** Peak resident set size so far (VmHWM from /proc/<pid>/status), in bytes. */
  peakRssBytes(): Promise<number>;
  /** Resident set size now (VmRSS), in bytes. */
  rssBytes(): Promise<number>;
  /** CPU time (user + system) the process has used so far, in seconds; unlike latency, load on the machine barely moves it. */
  cpuSeconds(): Promise<number>;
  /** Sends SIGTERM, waits for the exit (SIGKILL after 10 s), removes the temp dir; resolves with the exit code. */
  stop(): Promise<number | string>;
}

/** Options: extra `serve` flags and environment variables. */
export interface CourierProcessOptions {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Flags for node itself, e.g. ['--cpu-prof'] or ['--trace-gc']. */
  readonly nodeArgs?: readonly string[];
  /** Shows the child's stdout (its logs) instead of discarding it. */
  readonly inheritStdout?: boolean;
  /**
   * Runs this script with `--socket-dir <tmp>` and `args` instead of `courier serve` (the null
   * provider); it must listen on `<tmp>/courier.sock`.
   */
  readonly script?: string;
}

/**
 * Spawns `node dist/cli/main.js serve --socket-dir <tmp>` with metrics and health off (unless
 * `args` turn them on) and waits until the socket accepts; build dist/ first.
 */
export async function startCourierProcess(options: CourierProcessOptions = {}): Promise<CourierProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-bench-'));
  const socketPath = join(dir, 'courier.sock');
  const args = options.script === undefined
    ? [...(options.nodeArgs ?? []), join(ROOT, 'dist/cli/main.js'), 'serve', '--socket-dir', dir, '--metrics-addr', 'off', '--health-addr', 'off', ...(options.args ?? [])]
    : [...(options.nodeArgs ?? []), options.script, '--socket-dir', dir, ...(options.args ?? [])];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', options.inheritStdout ? 'inherit' : 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  try {
    await untilAccepting(socketPath, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const readyMs = performance.now() - started;
  const pid = child.pid as number;
  return {
    pid,
    socketPath,
    readyMs,
    peakRssBytes: () => peakRss(pid),
    rssBytes: () => statusBytes(pid, 'VmRSS'),
    cpuSeconds: () => cpuSeconds(pid),
    async stop() {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Polls until a connection to the socket succeeds; fails if the child exits or time runs out. */
async function untilAccepting(socketPath: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`courier exited with ${child.exitCode} before its socket was ready`);
    if (await accepts(socketPath)) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`courier's socket ${socketPath} was not ready within ${timeoutMs} ms`);
}

function accepts(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = connect(socketPath);
    connection.once('connect', () => {
      connection.destroy();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
  });
}

/** The NODE_OPTIONS the container image runs Courier with, so a benchmark measures what ships. */
export async function imageNodeOptions(): Promise<string[]> {
  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  const value = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile)?.[1]?.trim().replace(/^"(.*)"$/, '$1');
  return value ? value.split(/\s+/) : [];
}

/** VmHWM (peak RSS) of a process, in bytes. */
export function peakRss(pid: number): Promise<number> {
  return statusBytes(pid, 'VmHWM');
}

/** A `kB` field of /proc/<pid>/status, in bytes. */
async function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (!match?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

/** utime + stime of a process, in seconds. */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}
