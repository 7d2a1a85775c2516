/** A tiny loopback HTTP server for the Google token fakes: JSON or form bodies in, JSON out. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A parsed request. */
export interface FakeHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

/** A reply: status and JSON body. */
export interface FakeHttpReply {
  readonly status: number;
  readonly body: unknown;
}

/** A running server; `url` is `http://127.0.0.1:PORT`. */
export interface FakeHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handle` on 127.0.0.1 with an optional delay before each answer. */
export async function serveJson(handle: (request: FakeHttpRequest) => FakeHttpReply, latencyMs: () => number = () => 0): Promise<FakeHttpServer> {
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const reply = handle({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body });
      const delay = latencyMs();
      if (delay > 0) setTimeout(() => send(response, reply), delay);
      else send(response, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(response: ServerResponse, reply: FakeHttpReply): void {
  response.writeHead(reply.status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(reply.body));
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if ((request.headers['content-type'] ?? '').includes('application/json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}
