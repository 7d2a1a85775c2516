/** The fake's listener: HTTP or HTTPS (optionally requiring a client certificate) on 127.0.0.1, faults applied first. */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VaultReply } from './envelope.ts';
import { faultReply, type FaultInjector } from './faults.ts';
import { handleVaultRequest, type VaultState } from './handler.ts';
import { readVaultRequest } from './request.ts';

/** Certificate material for HTTPS. */
export interface ServerTls {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** When set, a client certificate signed by this CA is required for the TLS handshake. */
  readonly clientCaPem?: string;
}

/** A running listener. */
export interface Listener {
  readonly url: string;
  close(): Promise<void>;
}

/** What the listener needs from the fake. */
export interface ServeContext {
  readonly state: VaultState;
  readonly faults: FaultInjector;
  /** Delay before every answer, read per request so a test can change it. */
  latencyMs(): number;
}

/** Listens on 127.0.0.1 with a free port. */
export async function listen(context: ServeContext, tls?: ServerTls): Promise<Listener> {
  const handler = (request: IncomingMessage, response: ServerResponse) => void serve(context, request, response);
  const server: Server = tls
    ? createHttpsServer({ cert: tls.certificatePem, key: tls.privateKeyPem, ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their connections open: drop them all so close() returns.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(context: ServeContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { state, faults } = context;
  const vaultRequest = await readVaultRequest(request, state.root);
  const namespace = vaultRequest.namespace?.path ?? vaultRequest.namespaceHeader;
  const record = (status: number, accessor?: string) =>
    state.counters.record({ method: vaultRequest.method, operation: vaultRequest.operation ?? '', path: vaultRequest.path, namespace, status, accessor });
  const fault = faults.take(vaultRequest.method, vaultRequest.path, namespace);
  const latency = context.latencyMs();
  if (latency > 0) await sleep(latency, undefined, { ref: false });
  if (fault?.kind === 'delay') await sleep(fault.ms, undefined, { ref: false });
  if (fault?.kind === 'hang') return record(0);
  if (fault?.kind === 'reset') {
    record(0);
    request.socket.destroy();
    return;
  }
  const injected = fault ? faultReply(fault, vaultRequest.path) : undefined;
  const { reply, accessor } = injected ? { reply: injected, accessor: undefined } : await handleVaultRequest(state, vaultRequest);
  record(reply.status, accessor);
  send(response, reply);
}

function send(response: ServerResponse, reply: VaultReply): void {
  if (response.destroyed) return;
  const headers = { 'cache-control': 'no-store', ...(reply.status === 204 ? {} : { 'content-type': 'application/json' }), ...reply.headers };
  response.writeHead(reply.status, headers);
  // Go's json.Encoder ends the body with a newline; so does the fake.
  response.end(reply.status === 204 || reply.body === undefined ? undefined : `${JSON.stringify(reply.body)}\n`);
}
