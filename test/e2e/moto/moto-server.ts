/** Installs (scripts/setup-moto.sh) and runs moto_server on a free loopback port for AWS end-to-end tests and the bench. */
import { execFile, spawn } from 'node:child_process';
import { freeLoopbackPort } from '../helpers/courier-process.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A running moto server. */
export interface MotoServer {
  readonly url: string;
  /** Stops the server; resolves when the process has exited. */
  close(): Promise<void>;
}

/** Installs moto into .venv if needed (idempotent; the first run takes about half a minute). */
export async function installMoto(): Promise<void> {
  await run('bash', [join(REPO_ROOT, 'scripts', 'setup-moto.sh')], { cwd: REPO_ROOT, timeout: 8 * 60_000 });
}

/** Starts moto_server on 127.0.0.1 and resolves once it answers. */
export async function startMoto(): Promise<MotoServer> {
  await installMoto();
  const port = await freeLoopbackPort();
  const child = spawn(join(REPO_ROOT, '.venv', 'bin', 'moto_server'), ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = `${stderr}${chunk.toString()}`.slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${url}/moto-api/`).then((response) => response.ok, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${url}:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

