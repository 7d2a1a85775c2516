/** `courier doctor`'s checks from where it runs: the provider socket answers, and each store endpoint accepts a connection. */
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { credentials, type Client } from '@grpc/grpc-js';
import { loadProviderProto } from '../server/proto-client.ts';
import { type WireVersionResponse } from '../server/proto.ts';
import { fail, pass, skip, type CheckResult } from './doctor-report.ts';

/**
 * `<dir>/<name>.sock` is a socket that answers Version. Whether the driver reads that directory on the
 * node is the DaemonSet check's question (checkDriver compares host paths).
 */
export async function checkSocket(socketDir: string, providerName: string, timeoutMs: number): Promise<CheckResult> {
  const path = join(socketDir, `${providerName}.sock`);
  const found = await stat(socketDir).then(
    () => true,
    () => false,
  );
  if (!found) return skip(`socket: ${socketDir} does not exist here`, 'run courier doctor in the Courier pod (kubectl -n courier-system exec ds/courier -- /nodejs/bin/node /app/dist/cli/main.js doctor --serve-args-of 1)');
  const isSocket = await stat(path).then((info) => info.isSocket(), () => false);
  if (!isSocket) return fail(`socket: no socket at ${path}`, `start courier serve with --socket-dir ${socketDir} --provider-name ${providerName}, or pass the ones it runs with`);
  try {
    const version = await askVersion(path, timeoutMs);
    return pass(`socket: ${path} answers Version (${version.runtimeName} ${version.runtimeVersion})`);
  } catch (error) {
    return fail(`socket: ${path} does not answer Version (${error instanceof Error ? error.message : 'error'})`, 'check that courier serve is running and ready (kubectl -n courier-system get pods -o wide)');
  }
}

async function askVersion(path: string, timeoutMs: number): Promise<WireVersionResponse> {
  const { Client } = loadProviderProto();
  const client = new Client(`unix:${path}`, credentials.createInsecure()) as Client & Record<string, (...args: unknown[]) => void>;
  try {
    return await new Promise<WireVersionResponse>((resolve, reject) => {
      client['Version']?.({ version: 'v1alpha1' }, { deadline: Date.now() + timeoutMs }, (error: Error | null, value: WireVersionResponse) => (error ? reject(error) : resolve(value)));
    });
  } finally {
    client.close();
  }
}

/** `https://host[:port]/path` or `host:port` → host and port (443 for https, 80 for http). */
export function hostAndPort(url: string): { readonly host: string; readonly port: number } | undefined {
  const withScheme = /^[a-z]+:\/\//.test(url) ? url : `tcp://${url}`;
  try {
    const parsed = new URL(withScheme);
    const port = parsed.port !== '' ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
    return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

/** A TCP connection to the endpoint opens within the timeout (DNS, routes, firewalls, proxies). */
export async function checkEndpoint(name: string, url: string, timeoutMs: number, now: () => number = performance.now.bind(performance)): Promise<CheckResult> {
  const target = hostAndPort(url);
  if (!target) return fail(`${name}: "${url}" is not a URL or host:port`, 'fix the endpoint flag or variable');
  const started = now();
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = connect({ host: target.host, port: target.port, timeout: timeoutMs });
    const done = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done(`no connection within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
  if (problem === undefined) return pass(`${name}: ${target.host}:${target.port} accepts connections (${Math.round(now() - started)} ms)`);
  return fail(`${name}: cannot connect to ${target.host}:${target.port} (${problem})`, 'check DNS, egress network policies and proxies from the node, or point the store\'s endpoint flag at a private endpoint');
}
