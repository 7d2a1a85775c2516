/** Runs one component of the cluster (etcd, an API server, the driver) as a child process logging to a file. */
import { spawn } from 'node:child_process';
import { access, constants, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where scripts/build-cluster.sh links the binaries. */
export const BIN_DIR = fileURLToPath(new URL('../bin/', import.meta.url));

/** A running component. */
export interface Component {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** True until the process has exited. */
  running(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves when the process has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** The last `lines` lines of the component's log. */
  tail(lines?: number): Promise<string>;
}

/** Path of a binary built by scripts/build-cluster.sh; throws saying how to build it when it is missing. */
export async function binary(name: string): Promise<string> {
  const path = join(BIN_DIR, name);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing: run \`bash scripts/build-cluster.sh\` (npm run test:cluster does) first`);
  }
  return path;
}

/** Starts `command` with its output appended to `<logDir>/<name>.log`. */
export async function startComponent(name: string, command: string, args: readonly string[], logDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Component> {
  const logFile = join(logDir, `${name}.log`);
  const log = await open(logFile, 'a', 0o600);
  const child = spawn(command, args, { stdio: ['ignore', log.fd, log.fd], env });
  await log.close();
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  const tail = async (lines = 20) => (await readFile(logFile, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines).join('\n');
  return {
    name,
    pid: child.pid ?? 0,
    logFile,
    running: () => !exited,
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        if (exited) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      })();
      return stopping;
    },
    tail,
  };
}

/**
 * Polls `check` every 100 ms until it returns true; throws after `timeoutMs`, or at once when the
 * component exits, with the component's last log lines.
 */
export async function waitUntil(component: Component, what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!component.running()) throw new Error(`${component.name} exited before ${what}; its log ends:\n${await component.tail()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${component.name}: no ${what} within ${timeoutMs} ms; its log ends:\n${await component.tail()}`);
}
