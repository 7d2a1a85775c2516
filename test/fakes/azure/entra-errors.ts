/** Entra ID's OAuth error replies: `error`, an AADSTS code in `error_description`, and the fields around it. */
import { randomUUID } from 'node:crypto';
import type { FakeReply } from './https-fake.ts';

const FIC_HINT = 'Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation';

/** The AADSTS errors the fake answers, each with its OAuth `error` and HTTP status. */
export const AADSTS = {
  missingParameter: (name: string) => ({ code: 900144, error: 'invalid_request', status: 400, text: `The request body must contain the following parameter: '${name}'.` }),
  unsupportedGrant: (grant: string) => ({ code: 70003, error: 'unsupported_grant_type', status: 400, text: `The app requested an unsupported grant type '${grant}'.` }),
  tenantNotFound: (tenant: string) => ({
    code: 90002,
    error: 'invalid_request',
    status: 400,
    text: `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  }),
  applicationNotFound: (clientId: string, tenant: string) => ({
    code: 700016,
    error: 'unauthorized_client',
    status: 400,
    text: `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  }),
  invalidScope: (scope: string) => ({ code: 70011, error: 'invalid_scope', status: 400, text: `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.` }),
  resourceNotFound: (resource: string, tenant: string) => ({
    code: 500011,
    error: 'invalid_resource',
    status: 400,
    text: `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  }),
  noCredential: () => ({ code: 7000216, error: 'invalid_client', status: 401, text: `'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.` }),
  badAssertionType: () => ({ code: 700023, error: 'invalid_request', status: 400, text: `Invalid client_assertion_type; expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.` }),
  malformedAssertion: () => ({ code: 50027, error: 'invalid_request', status: 400, text: 'JWT token is invalid or malformed.' }),
  issuerMismatch: (issuer: string) => ({ code: 700211, error: 'invalid_client', status: 401, text: `No matching federated identity record found for presented assertion issuer '${issuer}'. ${FIC_HINT}` }),
  audienceMismatch: (audience: string) => ({ code: 700212, error: 'invalid_client', status: 401, text: `No matching federated identity record found for presented assertion audience '${audience}'. ${FIC_HINT}` }),
  subjectMismatch: (subject: string) => ({ code: 700213, error: 'invalid_client', status: 401, text: `No matching federated identity record found for presented assertion subject '${subject}'. ${FIC_HINT}` }),
  issuerUnreachable: (issuer: string) => ({ code: 50166, error: 'invalid_client', status: 401, text: `Request to External OIDC endpoint failed. Issuer: '${issuer}'.` }),
  badSignature: () => ({ code: 700027, error: 'invalid_client', status: 401, text: 'Client assertion failed signature validation.' }),
  assertionTime: (now: Date, notBefore: Date | undefined, expires: Date | undefined) => ({
    code: 700024,
    error: 'invalid_client',
    status: 401,
    text: `Client assertion is not within its valid time range. Current time: ${iso(now)}, assertion valid from ${notBefore ? iso(notBefore) : 'unknown'}, expiry time of assertion ${expires ? iso(expires) : 'unknown'}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
  }),
  invalidSecret: (clientId: string) => ({
    code: 7000215,
    error: 'invalid_client',
    status: 401,
    text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  }),
  unknownInstance: () => ({ code: 50049, error: 'invalid_instance', status: 400, text: 'Unknown or invalid instance.' }),
  throttled: () => ({ code: 50196, error: 'temporarily_unavailable', status: 429, text: 'The server terminated an operation because it encountered a client request loop.' }),
  unavailable: (status: number) => ({ code: 90033, error: 'temporarily_unavailable', status, text: 'A transient error has occurred. Please try again.' }),
} as const;

/** One AADSTS error as built by `AADSTS`. */
export interface AadstsError {
  readonly code: number;
  readonly error: string;
  readonly status: number;
  readonly text: string;
}

/** The reply Entra ID sends for an error: the description carries `AADSTS<code>: ...` plus trace and correlation IDs. */
export function aadstsReply(failure: AadstsError, correlationId: string = randomUUID()): FakeReply {
  const now = new Date();
  const timestamp = `${now.toISOString().slice(0, 19).replace('T', ' ')}Z`;
  const traceId = randomUUID();
  return {
    status: failure.status,
    body: {
      error: failure.error,
      error_description: `AADSTS${failure.code}: ${failure.text} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [failure.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${failure.code}`,
    },
  };
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '.0000000Z');
}
