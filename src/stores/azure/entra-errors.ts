/** Turns token failures of @azure/identity (Entra ID's AADSTS errors, tenant mismatches, timeouts) into Courier errors that say what to fix. */
import { AuthError, CourierError, PermissionError, ThrottledError, UnavailableError } from '../../errors/courier-error.ts';
import type { AzureIdentity } from './identity.ts';

/** The AADSTS code and its description, without Entra ID's trace and correlation IDs and timestamps. */
export function aadstsOf(message: string): { code: number; text: string } | undefined {
  const match = /AADSTS(\d+): (.*?)(?= Trace ID:| Correlation ID:| Timestamp:|$)/s.exec(message);
  return match ? { code: Number(match[1]), text: `AADSTS${match[1] ?? ''}: ${(match[2] ?? '').trim()}` } : undefined;
}

/** What Entra ID's refusals mean for each identity, and the fix. */
function refusal(code: number, identity: AzureIdentity, audience: string): string {
  const client = identity.kind === 'managed-identity' ? identity.who : `client ${identity.clientId}`;
  if (identity.kind === 'workload' && [700211, 700212, 700213].includes(code)) {
    const { namespace, serviceAccount, issuer } = identity.token;
    return `add a federated identity credential to ${client} with issuer "${issuer}", subject "system:serviceaccount:${namespace}:${serviceAccount}" and audience "${audience}"`;
  }
  if (code === 700016) {
    if (identity.kind === 'managed-identity') return 'check userAssignedIdentityID: the node has no such managed identity';
    return `check the client ID (clientID, or the azure.workload.identity/client-id annotation) and the tenant: ${client} is not in tenant ${identity.tenantId}`;
  }
  if (code === 90002) return 'check tenantID (or the azure.workload.identity/tenant-id annotation) and cloudName';
  if (code === 7000215) return 'the nodePublishSecretRef Secret\'s clientsecret is not a current client secret of the service principal; put the secret value (not its ID) there';
  if (code === 700024) return 'the pod\'s token is outside its validity; check the node\'s clock';
  if (code === 700027 || code === 50166) return 'Entra ID could not verify the pod\'s token with the cluster issuer\'s keys; check that the OIDC issuer URL is public and its JWKS current';
  return 'see the AADSTS code in Microsoft\'s documentation';
}

/**
 * Maps a failed token request of `identity`. 429 and 5xx are retryable; AADSTS refusals are
 * AuthErrors naming the fix; a vault in another tenant than the identity's is a PermissionError.
 */
export function toEntraError(error: unknown, identity: AzureIdentity, audience: string): CourierError {
  if (error instanceof CourierError) return error;
  const failure = (error ?? {}) as { name?: string; message?: string; statusCode?: number };
  const message = failure.message ?? String(error);
  const tenant = /not configured to acquire tokens for tenant ([\w-]+(?:\.[\w-]+)*)/.exec(message)?.[1];
  if (tenant !== undefined) {
    return new PermissionError(`the key vault belongs to tenant ${tenant}, not to the tenant of ${identity.who}; set tenantID to ${tenant}, with a client ID of that tenant`, { cause: error });
  }
  const aadsts = aadstsOf(message);
  const statusCode = failure.statusCode ?? 0;
  if (statusCode === 429) return new ThrottledError(`Entra ID throttled the token request of ${identity.who}`, { cause: error });
  if (/temporarily_unavailable/.test(message)) return new UnavailableError(`Entra ID is temporarily unavailable for ${identity.who}`, { cause: error });
  if (statusCode >= 500) return new UnavailableError(`Entra ID answered ${statusCode} to the token request of ${identity.who}`, { cause: error });
  if (aadsts) return new AuthError(`Entra ID refused a token to ${identity.who}: ${aadsts.text}; ${refusal(aadsts.code, identity, audience)}`, { cause: error });
  if (failure.name === 'CredentialUnavailableError' && identity.kind === 'managed-identity') {
    return new AuthError(`${identity.who} is not available on this node (no managed identity endpoint answered): ${message}`, { cause: error });
  }
  return new UnavailableError(`Entra ID could not be reached for ${identity.who}: ${message}`, { cause: error });
}
