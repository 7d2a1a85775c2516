/** Builds the MountRequest the driver would send for a SecretProviderClass and a pod described by flags. */
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { DRIVER_KEYS, type RawMountRequest } from '../spc/decode-request.ts';
import type { SpcDocument } from './spc-manifest.ts';

/** The pod side of a CLI mount. */
export interface PodFlags {
  readonly namespace: string;
  readonly podName: string;
  readonly serviceAccount: string;
  /** Token text by audience. */
  readonly tokens: ReadonlyMap<string, string>;
  readonly permission: number;
  readonly targetPath: string;
}

/** The driver's request: parameters plus pod attributes, tokens in attributes as kubelet sends them. */
export function buildMountRequest(spc: SpcDocument, pod: PodFlags): RawMountRequest {
  const attributes: Record<string, string> = {
    ...spc.parameters,
    [DRIVER_KEYS.secretProviderClass]: spc.name,
    [DRIVER_KEYS.podName]: pod.podName,
    [DRIVER_KEYS.podNamespace]: pod.namespace,
    [DRIVER_KEYS.podUid]: randomUUID(),
    [DRIVER_KEYS.serviceAccount]: pod.serviceAccount,
    [DRIVER_KEYS.ephemeral]: 'false',
  };
  if (pod.tokens.size > 0) {
    const tokens: Record<string, { token: string; expirationTimestamp: string }> = {};
    for (const [audience, token] of pod.tokens) tokens[audience] = { token, expirationTimestamp: tokenExpiry(token) };
    attributes[DRIVER_KEYS.tokens] = JSON.stringify(tokens);
  }
  return { attributes: JSON.stringify(attributes), secrets: 'null', targetPath: pod.targetPath, permission: String(pod.permission) };
}

/** The JWT's `exp` as RFC 3339, or one hour from now when the token is not a readable JWT. */
function tokenExpiry(token: string): string {
  try {
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number') return new Date(exp * 1000).toISOString();
  } catch {
    // Not a JWT: fall through to the default.
  }
  return new Date(Date.now() + 3_600_000).toISOString();
}
