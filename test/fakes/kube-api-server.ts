/** The fake Kubernetes API's listener: plain HTTP, or HTTPS with its own CA that also signs client certificates; and the kubeconfig pointing at it. */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createCertificateAuthority, issueCertificate } from './vault/x509.ts';

/** The TLS material of an HTTPS fake: its CA, and a client certificate that CA signed (the API server's `--client-ca-file`). */
export interface FakeKubeTls {
  readonly caPem: string;
  readonly serverCertificatePem: string;
  readonly serverKeyPem: string;
  /** CN `courier-admin`: the fake accepts it as it accepts the bearer token. */
  readonly clientCertificatePem: string;
  readonly clientKeyPem: string;
}

/** A CA, a server certificate for 127.0.0.1 and `localhost`, and a client certificate. */
export function createFakeKubeTls(): FakeKubeTls {
  const ca = createCertificateAuthority('fake-kube-ca');
  const server = issueCertificate(ca, { commonName: 'kube-apiserver', dnsNames: ['localhost', 'kubernetes.default.svc'], ipAddresses: ['127.0.0.1'], ttlSeconds: 3600, usage: 'server' });
  const client = issueCertificate(ca, { commonName: 'courier-admin', ttlSeconds: 3600, usage: 'client' });
  return { caPem: ca.certificatePem, serverCertificatePem: server.certificatePem, serverKeyPem: server.privateKeyPem, clientCertificatePem: client.certificatePem, clientKeyPem: client.privateKeyPem };
}

/** An HTTP server, or an HTTPS one that asks for (but does not require) a client certificate. */
export function createFakeKubeServer(handler: (request: IncomingMessage, response: ServerResponse) => void, tls: FakeKubeTls | undefined): Server {
  if (!tls) return createHttpServer(handler);
  return createHttpsServer({ cert: tls.serverCertificatePem, key: tls.serverKeyPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false }, handler);
}

/** Whether the request came with a client certificate the fake's CA signed. */
export function hasClientCertificate(request: IncomingMessage): boolean {
  const socket = request.socket as Partial<TLSSocket>;
  return socket.authorized === true;
}

export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A kubeconfig (JSON is YAML) with one cluster, one token user and a current context. Over HTTPS
 * the cluster carries the fake's CA; over HTTP it skips verification, as a kubeconfig for a local
 * proxy would.
 */
export function kubeconfigText(server: string, token: string, caPem?: string): string {
  const cluster = caPem === undefined ? { server, 'insecure-skip-tls-verify': true } : { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster }],
    users: [{ name: 'courier', user: { token } }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'courier' } }],
    'current-context': 'fake',
  });
}
