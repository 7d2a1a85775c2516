/** What MSAL may read from Entra ID before a token request: the tenant's OpenID configuration and instance discovery. */
import type { JWK } from 'jose';
import { aadstsReply, AADSTS } from './entra-errors.ts';
import type { FakeReply } from './https-fake.ts';

/** `GET /{tenant}/v2.0/.well-known/openid-configuration` for a known tenant, or Entra ID's `invalid_tenant`. */
export function openIdConfiguration(host: string, tenantId: string, known: boolean): FakeReply {
  if (!known) {
    const reply = aadstsReply(AADSTS.tenantNotFound(tenantId));
    return { status: 400, body: { ...(reply.body as object), error: 'invalid_tenant' } };
  }
  const base = `https://${host}/${tenantId}`;
  return {
    status: 200,
    body: {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'appid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: host.replace(/^login\./, ''),
    },
  };
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...`: the aliases of every
 * host this fake serves, or `invalid_instance` for an authority on a host it does not.
 */
export function instanceDiscovery(hosts: readonly string[], authorizationEndpoint: string | null): FakeReply {
  let authority: URL;
  try {
    authority = new URL(authorizationEndpoint ?? '');
  } catch {
    return aadstsReply(AADSTS.missingParameter('authorization_endpoint'));
  }
  if (!hosts.includes(authority.hostname)) return aadstsReply(AADSTS.unknownInstance());
  const tenant = authority.pathname.split('/')[1] ?? 'common';
  return {
    status: 200,
    body: {
      tenant_discovery_endpoint: `https://${authority.hostname}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: hosts.map((host) => ({ preferred_network: host, preferred_cache: host, aliases: [host] })),
    },
  };
}

/** `GET /{tenant}/discovery/v2.0/keys`: the keys access tokens are signed with. */
export function signingKeys(keys: readonly JWK[]): FakeReply {
  return { status: 200, body: { keys } };
}
