/** auth/token/lookup-self, renew-self and revoke-self: what a holder may do with its own token. */
import { permits } from './acl.ts';
import { parseDurationSeconds } from './duration.ts';
import { errors, MESSAGES, noContent, ok, type VaultReply } from './envelope.ts';
import type { AuthorizedRequest, VaultState } from './handler.ts';

/** Routes an auth/token/ request (other token paths are not served by the fake). */
export function handleTokenPath(state: VaultState, request: AuthorizedRequest): VaultReply {
  const { token, operation, path } = request;
  if (!permits(state.root, token, request.namespace, path, operation)) return errors(403, MESSAGES.policyDenied);
  switch (path) {
    case 'auth/token/lookup-self':
      if (operation !== 'read' && operation !== 'update') return errors(405);
      return ok({ data: state.tokens.lookupData(token), mountType: 'token' });
    case 'auth/token/renew-self': {
      if (operation !== 'update') return errors(405);
      const increment = parseDurationSeconds(request.body.increment ?? 0);
      if (increment === undefined) return errors(400, 'invalid increment');
      const renewed = state.tokens.renew(token, increment);
      if ('error' in renewed) return errors(400, renewed.error);
      return ok({ auth: state.tokens.authBlock(token, renewed.ttl), warnings: renewed.warnings, mountType: 'token' });
    }
    case 'auth/token/revoke-self':
      if (operation !== 'update') return errors(405);
      state.tokens.revoke(token);
      return noContent();
    default:
      return errors(404, MESSAGES.noRoute(path));
  }
}
