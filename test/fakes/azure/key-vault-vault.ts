/** One fake vault: its objects, where it lives, and who may read it. */
import { randomUUID } from 'node:crypto';
import type { AzureCloud } from './clouds.ts';
import type { AccessPolicy, RoleAssignment, VaultAccessModel, VaultRole } from './key-vault-access.ts';
import { VaultObjects, type ObjectKind } from './key-vault-objects.ts';

/** How to create a vault. */
export interface VaultSpec {
  /** 3-24 characters: letters, digits and dashes, as Azure requires. */
  readonly name: string;
  /** The tenant whose tokens the vault accepts (and names in its challenge). */
  readonly tenantId: string;
  /** Default `accessPolicy`. */
  readonly authorization?: 'accessPolicy' | 'rbac';
  readonly location?: string;
}

/** A vault: `setSecret`/`addKey`/`importCertificate` fill it; `allow`/`assignRole` grant access. */
export class FakeVault extends VaultObjects implements VaultAccessModel {
  readonly name: string;
  readonly tenantId: string;
  readonly cloud: AzureCloud;
  /** `https://<name>.<suffix>`, the vault URL the SDK clients take. */
  readonly url: string;
  readonly host: string;
  readonly location: string;
  readonly subscriptionId = randomUUID();
  readonly resourceGroup = 'courier-test';
  readonly authorization: 'accessPolicy' | 'rbac';
  readonly accessPolicies: AccessPolicy[] = [];
  readonly roleAssignments: RoleAssignment[] = [];

  constructor(spec: VaultSpec, cloud: AzureCloud) {
    super();
    if (!/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(spec.name) || spec.name.includes('--')) throw new Error(`invalid vault name ${spec.name}`);
    this.name = spec.name;
    this.tenantId = spec.tenantId;
    this.cloud = cloud;
    this.host = `${spec.name.toLowerCase()}.${cloud.vaultSuffix}`;
    this.url = `https://${this.host}`;
    this.location = spec.location ?? 'westeurope';
    this.authorization = spec.authorization ?? 'accessPolicy';
  }

  /** Adds an access policy entry (used when `authorization` is `accessPolicy`). */
  allow(policy: AccessPolicy): void {
    this.accessPolicies.push(policy);
  }

  /** Assigns a role on the vault or on one object (used when `authorization` is `rbac`). */
  assignRole(principalId: string, role: VaultRole, scope?: { readonly kind: ObjectKind; readonly name: string }): void {
    this.roleAssignments.push({ principalId, role, ...(scope ? { scope } : {}) });
  }
}
