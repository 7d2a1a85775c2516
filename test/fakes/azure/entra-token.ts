/** The Entra ID token endpoint's client-credentials grant: a federated client assertion or a client secret. */
import { createLocalJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { aadstsReply, AADSTS, type AadstsError } from './entra-errors.ts';
import { audiencesOf, type EntraApplication, type EntraDirectory } from './entra-directory.ts';
import type { FakeReply, FakeRequest } from './https-fake.ts';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How the client authenticated. */
export type GrantKind = 'client_assertion' | 'client_secret' | 'none';

/** One token request as the fake saw it (no assertion, secret or token is kept). */
export interface TokenRequestRecord {
  readonly host: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly grant: GrantKind;
  readonly scope: string;
  readonly status: number;
  /** The AADSTS code of a refusal. */
  readonly aadsts?: number;
  /** The assertion's `sub` (for a client assertion). */
  readonly subject?: string;
  /** True when an injected fault answered instead of the endpoint. */
  readonly injected?: boolean;
}

/** What the token endpoint needs from its fake. */
export interface TokenEndpointContext {
  readonly directory: EntraDirectory;
  /** Resources (`<resource>/.default`) this host issues tokens for. */
  readonly resources: readonly string[];
  readonly now: () => number;
  readonly lifetimeSeconds: number;
  issue(application: EntraApplication, resource: string, grant: GrantKind): Promise<string>;
}

/** Answers `POST /{tenant}/oauth2/v2.0/token`. */
export async function answerTokenRequest(context: TokenEndpointContext, request: FakeRequest, tenantId: string): Promise<{ reply: FakeReply; record: TokenRequestRecord }> {
  const form = new URLSearchParams(request.body);
  const clientId = form.get('client_id') ?? '';
  const scope = form.get('scope') ?? '';
  const grant: GrantKind = form.has('client_assertion') ? 'client_assertion' : form.has('client_secret') ? 'client_secret' : 'none';
  const correlationId = request.query.get('client-request-id') ?? undefined;
  const base = { host: request.host, tenantId, clientId, grant, scope };
  const refuse = (failure: AadstsError, extra: { subject?: string } = {}) => ({
    reply: aadstsReply(failure, correlationId),
    record: { ...base, ...extra, status: failure.status, aadsts: failure.code },
  });
  if (!context.directory.hasTenant(tenantId)) return refuse(AADSTS.tenantNotFound(tenantId));
  const grantType = form.get('grant_type');
  if (grantType === null) return refuse(AADSTS.missingParameter('grant_type'));
  if (grantType !== 'client_credentials') return refuse(AADSTS.unsupportedGrant(grantType));
  if (clientId === '') return refuse(AADSTS.missingParameter('client_id'));
  const application = context.directory.application(tenantId, clientId);
  if (!application) return refuse(AADSTS.applicationNotFound(clientId, tenantId));
  if (!scope.endsWith('/.default') || scope.includes(' ')) return refuse(AADSTS.invalidScope(scope));
  const resource = scope.slice(0, -'/.default'.length);
  if (!context.resources.includes(resource)) return refuse(AADSTS.resourceNotFound(resource, tenantId));
  if (grant === 'none') return refuse(AADSTS.noCredential());
  let subject: string | undefined;
  if (grant === 'client_secret') {
    if (!application.clientSecrets.includes(form.get('client_secret') ?? '')) return refuse(AADSTS.invalidSecret(clientId));
  } else {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return refuse(AADSTS.badAssertionType());
    const checked = await checkAssertion(context, application, form.get('client_assertion') ?? '');
    if ('failure' in checked) return refuse(checked.failure, checked.subject === undefined ? {} : { subject: checked.subject });
    subject = checked.subject;
  }
  const token = await context.issue(application, resource, grant);
  return {
    reply: { status: 200, body: { token_type: 'Bearer', expires_in: context.lifetimeSeconds, ext_expires_in: context.lifetimeSeconds, access_token: token } },
    record: { ...base, ...(subject === undefined ? {} : { subject }), status: 200 },
  };
}

/** Matches the assertion against the application's federated credentials, then checks signature and time. */
async function checkAssertion(context: TokenEndpointContext, application: EntraApplication, assertion: string): Promise<{ subject: string } | { failure: AadstsError; subject?: string }> {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(assertion);
  } catch {
    return { failure: AADSTS.malformedAssertion() };
  }
  const issuer = claims.iss ?? '';
  const subject = claims.sub ?? '';
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud === undefined ? [] : [claims.aud];
  const byIssuer = application.federatedCredentials.filter((credential) => credential.issuer === issuer);
  if (byIssuer.length === 0) return { failure: AADSTS.issuerMismatch(issuer), subject };
  const bySubject = byIssuer.filter((credential) => credential.subject === subject);
  if (bySubject.length === 0) return { failure: AADSTS.subjectMismatch(subject), subject };
  if (!bySubject.some((credential) => audiencesOf(credential).some((audience) => audiences.includes(audience)))) {
    return { failure: AADSTS.audienceMismatch(audiences.join(',')), subject };
  }
  const keys = context.directory.issuerKeys(issuer);
  if (!keys) return { failure: AADSTS.issuerUnreachable(issuer), subject };
  try {
    await jwtVerify(assertion, createLocalJWKSet({ keys: [...keys.keys] }), { currentDate: new Date(context.now()) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED' || (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: string }).claim === 'nbf')) {
      const date = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000));
      return { failure: AADSTS.assertionTime(new Date(context.now()), date(claims.nbf), date(claims.exp)), subject };
    }
    return { failure: AADSTS.badSignature(), subject };
  }
  return { subject };
}
