/** What `courier explain` and `courier doctor` learn from the vault store: the role a pod logs in as, the audience and addresses it needs. */
import { CourierError } from '../../errors/courier-error.ts';
import type { ExplainedAccount, IdentityExplanation, StoreFlags, StoreRequirements } from '../store-module.ts';
import { readVaultOptions, vaultStoreEnabled } from './flags.ts';
import { DEFAULT_AUDIENCE, PARAM, resolveTarget } from './settings.ts';

/** The Vault role, auth mount, namespace and address an object's login uses, as a Mount would resolve them. */
export function explainVaultIdentity(object: { readonly storeParams: Readonly<Record<string, string>> }, account: ExplainedAccount, flags: StoreFlags): IdentityExplanation {
  const who = `${account.namespace}/${account.name}`;
  const audience = object.storeParams[PARAM.audience] ?? DEFAULT_AUDIENCE;
  if (!vaultStoreEnabled(flags)) return { identity: `a Vault login as ${who}, but the vault store is off`, tokenAudience: audience, problem: 'start courier with --vault-addr (chart: stores.vault.address)' };
  try {
    const target = resolveTarget(object, readVaultOptions(flags));
    const namespace = target.namespace === '' ? '' : `, namespace ${target.namespace}`;
    return { identity: `Vault role ${target.role} via auth/${target.authMount} at ${target.address}${namespace}, logged in with the token of ${who}`, tokenAudience: target.audience };
  } catch (error) {
    const problem = error instanceof CourierError ? error.message : String(error);
    return { identity: `a Vault login as ${who}`, tokenAudience: audience, problem };
  }
}

/** The default audience (classes may name another) and every address a class may log in at. */
export function vaultRequirements(flags: StoreFlags): StoreRequirements {
  let addresses: readonly string[];
  try {
    addresses = readVaultOptions(flags).allowedAddresses;
  } catch (error) {
    return { tokenAudiences: [DEFAULT_AUDIENCE], endpoints: [], notes: [`the --vault-* flags are wrong, so no address was checked: ${error instanceof Error ? error.message : String(error)}`] };
  }
  return {
    tokenAudiences: [DEFAULT_AUDIENCE],
    endpoints: addresses.map((address) => ({ name: `Vault ${address}`, url: address })),
    notes: [`classes that set vault.audience (Vault provider: audience) need that audience in the CSIDriver's tokenRequests instead of ${DEFAULT_AUDIENCE}`],
  };
}
