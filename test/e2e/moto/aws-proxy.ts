/** A loopback HTTP proxy in front of moto that counts AWS calls and can answer some of them itself (throttling, denial, an outage). */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS call as the proxy saw it. */
export interface AwsCall {
  /** `secretsmanager.GetSecretValue`, `AmazonSSM.GetParameters` or `sts.AssumeRoleWithWebIdentity`. */
  readonly operation: string;
  /** The region from the request's SigV4 credential scope ('' when unsigned). */
  readonly region: string;
  /** The access key that signed the request ('' when unsigned). */
  readonly accessKeyId: string;
  readonly body: string;
}

/** A canned answer: HTTP status and an AWS JSON error, or 'drop' to close the connection. */
export type Answer = { readonly status: number; readonly code: string; readonly message?: string } | 'drop';

/** Decides, per call, whether the proxy answers itself; undefined forwards to moto. */
export type Rule = (call: AwsCall) => Answer | undefined;

export interface AwsProxy {
  readonly url: string;
  readonly calls: readonly AwsCall[];
  /** Calls of an operation (`GetSecretValue`, `AssumeRoleWithWebIdentity`), optionally whose body contains `text`. */
  count(operation: string, text?: string): number;
  /** Adds a rule; returns a function that removes it. */
  rule(rule: Rule): () => void;
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 forwarding to `upstream` (moto's URL). */
export async function startAwsProxy(upstream: string): Promise<AwsProxy> {
  const calls: AwsCall[] = [];
  const rules = new Set<Rule>();
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing);
  });
  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const call = describeCall(incoming, body.toString());
    calls.push(call);
    const answer = [...rules].map((rule) => rule(call)).find((item) => item !== undefined);
    if (answer === 'drop') {
      incoming.socket.destroy();
      return;
    }
    if (answer) {
      outgoing.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': answer.code });
      outgoing.end(JSON.stringify({ __type: answer.code, message: answer.message ?? answer.code }));
      return;
    }
    const forward = httpRequest({ host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    forward.on('error', () => outgoing.destroy());
    forward.end(body);
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    count: (operation, text) => calls.filter((call) => call.operation.endsWith(`.${operation}`) && (text === undefined || call.body.includes(text))).length,
    rule(rule) {
      rules.add(rule);
      return () => rules.delete(rule);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function describeCall(incoming: IncomingMessage, body: string): AwsCall {
  const target = incoming.headers['x-amz-target'];
  const action = new URLSearchParams(body).get('Action');
  const operation = typeof target === 'string' ? target : action ? `sts.${action}` : `${incoming.method ?? 'GET'} ${incoming.url ?? ''}`;
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(String(incoming.headers.authorization ?? ''));
  return { operation, region: scope?.[2] ?? '', accessKeyId: scope?.[1] ?? '', body };
}
