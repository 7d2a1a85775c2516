/** What the Entra ID fake knows: tenants, app registrations (or managed identities), federated credentials, trusted issuers. */
import { randomUUID } from 'node:crypto';
import { AZURE_TOKEN_AUDIENCE, type JsonWebKeySet } from './cluster-issuer.ts';

/** A federated identity credential: which external tokens may act as the application. */
export interface FederatedCredential {
  readonly name?: string;
  readonly issuer: string;
  /** Compared case-sensitively, as Entra ID does. */
  readonly subject: string;
  /** Default `[api://AzureADTokenExchange]`. */
  readonly audiences?: readonly string[];
}

/** An application (or user-assigned managed identity) in a tenant. */
export interface EntraApplication {
  readonly tenantId: string;
  readonly clientId: string;
  /** The service principal's object ID: the `oid` of its tokens, what Key Vault grants name. */
  readonly objectId: string;
  readonly federatedCredentials: FederatedCredential[];
  readonly clientSecrets: string[];
}

/** What to register; IDs are random GUIDs when absent. */
export interface ApplicationSpec {
  readonly tenantId: string;
  readonly clientId?: string;
  readonly objectId?: string;
  readonly federatedCredentials?: readonly FederatedCredential[];
  readonly clientSecrets?: readonly string[];
}

/** Tenants, applications and the external issuers whose keys Entra ID trusts. */
export class EntraDirectory {
  readonly #tenants = new Set<string>();
  readonly #applications = new Map<string, EntraApplication>();
  readonly #issuers = new Map<string, JsonWebKeySet>();

  /** Adds a tenant (a GUID, or any string a test uses as one). */
  addTenant(tenantId: string = randomUUID()): string {
    this.#tenants.add(tenantId);
    return tenantId;
  }

  hasTenant(tenantId: string): boolean {
    return this.#tenants.has(tenantId);
  }

  /** Registers an application in its tenant (adding the tenant if needed). */
  addApplication(spec: ApplicationSpec): EntraApplication {
    this.addTenant(spec.tenantId);
    const application: EntraApplication = {
      tenantId: spec.tenantId,
      clientId: spec.clientId ?? randomUUID(),
      objectId: spec.objectId ?? randomUUID(),
      federatedCredentials: [...(spec.federatedCredentials ?? [])],
      clientSecrets: [...(spec.clientSecrets ?? [])],
    };
    this.#applications.set(key(application.tenantId, application.clientId), application);
    return application;
  }

  /** The application with this client ID in this tenant. */
  application(tenantId: string, clientId: string): EntraApplication | undefined {
    return this.#applications.get(key(tenantId, clientId));
  }

  /** Adds a federated credential to an application. */
  addFederatedCredential(application: EntraApplication, credential: FederatedCredential): void {
    application.federatedCredentials.push(credential);
  }

  /** Trusts tokens from `issuer` signed by one of `jwks` (what Entra ID would fetch from the issuer's discovery). */
  trustIssuer(issuer: string, jwks: JsonWebKeySet): void {
    this.#issuers.set(issuer, jwks);
  }

  /** The keys of a trusted issuer. */
  issuerKeys(issuer: string): JsonWebKeySet | undefined {
    return this.#issuers.get(issuer);
  }
}

/** The audiences a federated credential accepts. */
export function audiencesOf(credential: FederatedCredential): readonly string[] {
  return credential.audiences ?? [AZURE_TOKEN_AUDIENCE];
}

function key(tenantId: string, clientId: string): string {
  return `${tenantId}/${clientId}`;
}
