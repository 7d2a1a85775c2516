/** Health (`/healthz`, `/readyz`) and Prometheus (`/metrics`) over plain HTTP. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What the endpoints answer from. */
export interface EndpointSources {
  readonly registry?: Registry;
  /** Readiness: the socket accepts connections. */
  readonly ready?: () => Promise<boolean>;
}

/** A listening HTTP server and the address it got (port 0 picks a free one). */
export interface HttpEndpoint {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/** Parses `HOST:PORT` (`:PORT` means all interfaces; empty or `off` disables). */
export function parseListenAddress(text: string, flag: string): { host: string; port: number } | undefined {
  if (text === '' || text === 'off') return undefined;
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]*):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new Error(`${flag}: "${text}" is not HOST:PORT (for example 127.0.0.1:9810, or "off")`);
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Starts an HTTP server answering the routes whose sources are given. */
export async function startHttpEndpoint(listen: { host: string; port: number }, sources: EndpointSources): Promise<HttpEndpoint> {
  const server: Server = createServer((request, response) => {
    const route = (request.url ?? '/').split('?')[0];
    const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      response.writeHead(code, { 'content-type': type }).end(body);
    };
    if (route === '/healthz' && sources.ready) return reply(200, 'ok\n');
    if (route === '/readyz' && sources.ready) {
      sources.ready().then(
        (ready) => reply(ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n'),
        () => reply(503, 'not ready\n'),
      );
      return undefined;
    }
    if (route === '/metrics' && sources.registry) {
      const registry = sources.registry;
      registry.metrics().then(
        (text) => reply(200, text, registry.contentType),
        () => reply(500, 'metrics unavailable\n'),
      );
      return undefined;
    }
    return reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
