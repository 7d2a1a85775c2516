/** The connection to one API server: a keep-alive agent with the target's TLS settings, and the Authorization header of its credentials. */
import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createTokenFile } from './token-file.ts';
import type { Credentials, KubeTarget, Material } from './kube-target.ts';

/** Connections to the API server kept open at most: Mounts of many pods share them. */
export const MAX_SOCKETS = 16;
/** An idle connection is closed after this long, before a load balancer's idle timeout can break it under a call. */
const IDLE_SOCKET_MS = 30_000;

/** What the client sends through. */
export interface KubeConnection {
  readonly server: URL;
  readonly agent: HttpAgent | HttpsAgent;
  /** The Authorization header for the next call, or undefined without credentials. */
  readonly authorization: () => Promise<string | undefined>;
  /** After a 401 for `sent`: reads the credentials again; true when they changed, so one more try may pass. */
  readonly refreshAfterUnauthorized: (sent: string | undefined) => Promise<boolean>;
}

/**
 * Opens nothing yet: reads the TLS files the target names (the in-cluster CA) and makes the agent,
 * which connects on the first call. Idle sockets do not keep the process alive (Node's agent unrefs them).
 */
export async function connect(target: KubeTarget, now: () => number = Date.now): Promise<KubeConnection> {
  const options = { keepAlive: true, maxSockets: MAX_SOCKETS, timeout: IDLE_SOCKET_MS };
  let agent: HttpAgent | HttpsAgent;
  if (target.server.protocol === 'https:') {
    const [ca, cert, key] = await Promise.all([bytes(target.ca), bytes(target.clientCertificate), bytes(target.clientKey)]);
    agent = new HttpsAgent({
      ...options,
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      rejectUnauthorized: !target.insecureSkipTlsVerify,
      ...(target.tlsServerName ? { servername: target.tlsServerName } : {}),
    });
  } else {
    agent = new HttpAgent(options);
  }
  return { server: target.server, agent, ...authorizer(target.credentials, now) };
}

function authorizer(credentials: Credentials, now: () => number): Pick<KubeConnection, 'authorization' | 'refreshAfterUnauthorized'> {
  switch (credentials.kind) {
    case 'token-file': {
      const file = createTokenFile(credentials.file, now);
      return {
        authorization: async () => `Bearer ${await file.token()}`,
        refreshAfterUnauthorized: (sent) => file.refresh(sent?.replace(/^Bearer /, '') ?? ''),
      };
    }
    case 'token':
      return fixed(`Bearer ${credentials.token}`);
    case 'basic':
      return fixed(`Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`);
    case 'none':
      return fixed(undefined);
  }
}

function fixed(header: string | undefined): Pick<KubeConnection, 'authorization' | 'refreshAfterUnauthorized'> {
  return { authorization: () => Promise.resolve(header), refreshAfterUnauthorized: () => Promise.resolve(false) };
}

async function bytes(material: Material | undefined): Promise<Buffer | undefined> {
  if (material === undefined) return undefined;
  return 'data' in material ? material.data : readFile(material.file);
}
