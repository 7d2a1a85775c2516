/** Runs the built Courier (`dist/cli/main.js serve`) as a child process for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPO_ROOT, 'dist', 'cli', 'main.js');

/** How to start Courier. */
export interface CourierProcessOptions {
  /** Extra `courier serve` flags, e.g. `['--local-store', dir]`. */
  readonly args?: readonly string[];
  /** Serve in this directory (e.g. a second Courier replacing a first one); default a fresh temp dir, removed in teardown. */
  readonly socketDir?: string;
  /** Extra environment variables (the parent's COURIER_* variables are not inherited). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default `courier`; the socket is `<socketDir>/<providerName>.sock`. */
  readonly providerName?: string;
  /** How long to wait for /readyz to answer 200; default 15 s. */
  readonly readyTimeoutMs?: number;
}

/** One line Courier wrote; `json` is set when the line is a JSON object (pino's log lines are). */
export interface CourierLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  readonly json?: Readonly<Record<string, unknown>>;
}

/** How the process ended. */
export interface CourierExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running Courier. It is stopped (and must exit 0) in the test's teardown. */
export interface CourierProcess {
  readonly pid: number;
  readonly providerName: string;
  readonly socketDir: string;
  readonly socketPath: string;
  /** `http://127.0.0.1:PORT` serving /healthz and /readyz. */
  readonly healthUrl: string;
  /** `http://127.0.0.1:PORT` serving /metrics, unless the test passed its own `--metrics-addr`. */
  readonly metricsUrl?: string;
  /** Every line written so far, in order. */
  lines(): readonly CourierLine[];
  /** Resolves with the first line (already written or still to come) that matches; rejects after `timeoutMs`. */
  waitForLine(matches: (line: CourierLine) => boolean, timeoutMs?: number): Promise<CourierLine>;
  /** Sends `signal` (default SIGTERM) once and resolves when the process has exited; later calls return the same exit. */
  stop(signal?: NodeJS.Signals): Promise<CourierExit>;
}

/**
 * Starts `node dist/cli/main.js serve` on a fresh socket dir and free loopback ports, and resolves once
 * /readyz answers 200. Run `npm run build` first (`npm run test:e2e` does). In teardown the process gets
 * SIGTERM (unless `stop` was called already) and the test fails unless it exited 0; a socket dir the
 * helper made is removed.
 */
export async function startCourierProcess(t: ExecutionContext, options: CourierProcessOptions = {}): Promise<CourierProcess> {
  const providerName = options.providerName ?? 'courier';
  const ownDir = options.socketDir === undefined;
  const socketDir = options.socketDir ?? (await mkdtemp(join(tmpdir(), 'courier-e2e-')));
  const args = options.args ?? [];
  const healthPort = await freeLoopbackPort();
  const metricsPort = args.includes('--metrics-addr') ? undefined : await freeLoopbackPort();
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--socket-dir', socketDir, '--provider-name', providerName, '--health-addr', `127.0.0.1:${healthPort}`, ...(metricsPort ? ['--metrics-addr', `127.0.0.1:${metricsPort}`] : []), ...args],
    { cwd: REPO_ROOT, env: { ...inheritedEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output = captureLines(child);
  // 'close' rather than 'exit': it comes after the last output line has been read.
  const exited = new Promise<CourierExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  let stopping: Promise<CourierExit> | undefined;
  const stop = (signal: NodeJS.Signals = 'SIGTERM') => {
    if (!stopping) {
      child.kill(signal);
      stopping = exited;
    }
    return stopping;
  };
  t.teardown(async () => {
    const exit = await withTimeout(stop(), 40_000, 'Courier did not exit within 40 s of SIGTERM').catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    if (ownDir) await rm(socketDir, { recursive: true, force: true });
    if (exit.code !== 0) throw new Error(`Courier exited with ${exit.code ?? exit.signal}; last lines:\n${tail(output.lines)}`);
  });
  const healthUrl = `http://127.0.0.1:${healthPort}`;
  await waitUntilReady(healthUrl, exited, options.readyTimeoutMs ?? 15_000, output.lines);
  return {
    pid: child.pid ?? 0,
    providerName,
    socketDir,
    socketPath: join(socketDir, `${providerName}.sock`),
    healthUrl,
    ...(metricsPort ? { metricsUrl: `http://127.0.0.1:${metricsPort}` } : {}),
    lines: () => [...output.lines],
    waitForLine: output.waitFor,
    stop,
  };
}

/** A loopback port that was free a moment ago (the kernel picks it; the listener is closed again). */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a loopback listener');
  return address.port;
}

function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COURIER_')));
}

type Waiter = { matches: (line: CourierLine) => boolean; resolve: (line: CourierLine) => void };

function captureLines(child: ChildProcess) {
  const lines: CourierLine[] = [];
  const waiters = new Set<Waiter>();
  const add = (stream: CourierLine['stream'], text: string) => {
    const line: CourierLine = { stream, text, ...parseJsonObject(text) };
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.matches(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (text) => add('stdout', text));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (text) => add('stderr', text));
  const waitFor = (matches: (line: CourierLine) => boolean, timeoutMs = 10_000): Promise<CourierLine> => {
    const seen = lines.find(matches);
    if (seen) return Promise.resolve(seen);
    let waiter: Waiter | undefined;
    const found = new Promise<CourierLine>((resolve) => {
      waiter = { matches, resolve };
      waiters.add(waiter);
    });
    return withTimeout(found, timeoutMs, `no matching Courier line within ${timeoutMs} ms; last lines:\n${tail(lines)}`).finally(() => {
      if (waiter) waiters.delete(waiter);
    });
  };
  return { lines, waitFor };
}

function parseJsonObject(text: string): { json?: Record<string, unknown> } {
  if (!text.startsWith('{')) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { json: value as Record<string, unknown> } : {};
  } catch {
    return {};
  }
}

/** Polls /readyz until it answers 200; fails early, with Courier's last lines, if the process exits. */
async function waitUntilReady(healthUrl: string, exited: Promise<CourierExit>, timeoutMs: number, lines: readonly CourierLine[]): Promise<void> {
  let exit: CourierExit | undefined;
  void exited.then((value) => (exit = value));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exit) throw new Error(`Courier exited with ${exit.code ?? exit.signal} before it was ready; last lines:\n${tail(lines)}`);
    const ready = await fetch(`${healthUrl}/readyz`, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Courier was not ready within ${timeoutMs} ms; last lines:\n${tail(lines)}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function tail(lines: readonly CourierLine[]): string {
  return lines.slice(-10).map((line) => `  [${line.stream}] ${line.text}`).join('\n');
}
