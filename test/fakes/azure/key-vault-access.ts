/** Who may read what in a fake vault: access policies or Azure RBAC role assignments, and the 403s each answers. */
import type { FakeReply } from './https-fake.ts';
import { vaultError } from './key-vault-errors.ts';
import type { ObjectKind } from './key-vault-objects.ts';

/** The read operations the fake serves. */
export type VaultOperation = 'get' | 'list';

/** An access policy entry for one principal (object ID). */
export interface AccessPolicy {
  readonly objectId: string;
  readonly secrets?: readonly VaultOperation[];
  readonly keys?: readonly VaultOperation[];
  readonly certificates?: readonly VaultOperation[];
}

/** The built-in data-plane roles the fake knows (their read actions only). */
export type VaultRole = 'Key Vault Administrator' | 'Key Vault Reader' | 'Key Vault Secrets User' | 'Key Vault Certificate User' | 'Key Vault Crypto User';

/** A role assignment on the vault, or on one object (`scope`). */
export interface RoleAssignment {
  readonly principalId: string;
  readonly role: VaultRole;
  readonly scope?: { readonly kind: ObjectKind; readonly name: string };
}

/** The caller as Key Vault names it in errors. */
export interface Caller {
  readonly appid: string;
  readonly oid: string;
  readonly tid: string;
}

const ACTIONS: Record<ObjectKind, Record<VaultOperation, string>> = {
  secrets: { get: 'Microsoft.KeyVault/vaults/secrets/getSecret/action', list: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action' },
  keys: { get: 'Microsoft.KeyVault/vaults/keys/read', list: 'Microsoft.KeyVault/vaults/keys/read' },
  certificates: { get: 'Microsoft.KeyVault/vaults/certificates/read', list: 'Microsoft.KeyVault/vaults/certificates/read' },
};

const ROLE_ACTIONS: Record<VaultRole, readonly string[]> = {
  'Key Vault Administrator': Object.values(ACTIONS).flatMap((byOperation) => Object.values(byOperation)),
  'Key Vault Reader': [ACTIONS.secrets.list, ACTIONS.keys.get, ACTIONS.certificates.get],
  'Key Vault Secrets User': [ACTIONS.secrets.get, ACTIONS.secrets.list],
  'Key Vault Certificate User': [ACTIONS.certificates.get, ACTIONS.secrets.get, ACTIONS.secrets.list, ACTIONS.keys.get],
  'Key Vault Crypto User': [ACTIONS.keys.get],
};

/** A vault's permission model, where it lives, and its grants. */
export interface VaultAccessModel {
  readonly name: string;
  readonly location: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly authorization: 'accessPolicy' | 'rbac';
  readonly accessPolicies: AccessPolicy[];
  readonly roleAssignments: RoleAssignment[];
}

/** Whether `caller` may perform `operation` on `kind/name`. */
export function isAllowed(vault: VaultAccessModel, caller: Caller, kind: ObjectKind, operation: VaultOperation, name: string): boolean {
  if (vault.authorization === 'accessPolicy') {
    return vault.accessPolicies.some((policy) => policy.objectId === caller.oid && (policy[kind] ?? []).includes(operation));
  }
  const action = ACTIONS[kind][operation];
  return vault.roleAssignments.some(
    (assignment) =>
      assignment.principalId === caller.oid &&
      ROLE_ACTIONS[assignment.role].includes(action) &&
      (assignment.scope === undefined || (assignment.scope.kind === kind && assignment.scope.name === name)),
  );
}

/** The 403 a vault answers when `isAllowed` is false: `AccessDenied` (access policy) or `ForbiddenByRbac`. */
export function forbidden(vault: VaultAccessModel, caller: Caller, kind: ObjectKind, operation: VaultOperation, name: string): FakeReply {
  const who = `appid=${caller.appid};oid=${caller.oid};iss=https://sts.windows.net/${caller.tid}/`;
  const where = `${vault.name};location=${vault.location}`;
  if (vault.authorization === 'accessPolicy') {
    return vaultError(
      403,
      'Forbidden',
      `The user, group or application '${who}' does not have ${kind} ${operation} permission on key vault '${where}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
      'AccessDenied',
    );
  }
  const resource = `/subscriptions/${vault.subscriptionId}/resourcegroups/${vault.resourceGroup}/providers/microsoft.keyvault/vaults/${vault.name}/${kind}/${name}`;
  const message = [
    'Caller is not authorized to perform action on resource.',
    'If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.',
    `Caller: ${who}`,
    `Action: '${ACTIONS[kind][operation]}'`,
    `Resource: '${resource.toLowerCase()}'`,
    'Assignment: (not found)',
    'DenyAssignmentId: null',
    'DecisionReason: null ',
    `Vault: ${where}`,
    '',
  ].join('\r\n');
  return vaultError(403, 'Forbidden', message, 'ForbiddenByRbac');
}

