/** A small HTTPS server on 127.0.0.1 for the Azure fakes: parsed requests in, JSON replies out, faults applied first. */
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultPlan } from './faults.ts';

/** A request as a fake sees it. */
export interface FakeRequest {
  readonly method: string;
  /** Host name from the Host header, lower case, without port. */
  readonly host: string;
  /** Path without the query string, percent-decoding left to the fake. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A reply: status, extra headers, and a JSON body (or none). */
export interface FakeReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** The TLS identity a fake presents. */
export interface ServerIdentity {
  readonly key: string;
  readonly cert: string;
}

/** A running fake server. */
export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `handle` over TLS on 127.0.0.1. Before each request the fault plan may delay it or answer
 * for the fake (`faultReply` shapes the body of an injected status the way the real service would).
 */
export async function serveHttps(
  identity: ServerIdentity,
  faults: FaultPlan,
  faultReply: (status: number, request: FakeRequest) => FakeReply,
  handle: (request: FakeRequest) => FakeReply | Promise<FakeReply>,
): Promise<RunningServer> {
  const server: Server = createServer({ key: identity.key, cert: identity.cert }, (incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'https://fake.invalid');
      const request: FakeRequest = {
        method: incoming.method ?? 'GET',
        host: (incoming.headers.host ?? '').replace(/:\d+$/, '').toLowerCase(),
        path: url.pathname,
        query: url.searchParams,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      void answer(request).then((reply) => {
        const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
        response.writeHead(reply.status, { ...(body === '' ? {} : { 'content-type': 'application/json; charset=utf-8' }), ...reply.headers });
        response.end(body);
      });
    });
  });
  const answer = async (request: FakeRequest): Promise<FakeReply> => {
    const fault = faults.take(request);
    if (fault?.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault?.status !== undefined) {
      const shaped = faultReply(fault.status, request);
      const retryAfter = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return { ...shaped, headers: { ...shaped.headers, ...retryAfter } };
    }
    try {
      return await handle(request);
    } catch (error) {
      return { status: 500, body: { error: { code: 'FakeFailure', message: error instanceof Error ? error.message : String(error) } } };
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
