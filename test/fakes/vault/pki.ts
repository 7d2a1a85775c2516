/** The PKI secrets engine: `issue/<role>` signs a fresh key pair with the mount's CA, within the role's names and TTL. */
import { isIP } from 'node:net';
import { formatGoDuration, parseDurationSeconds } from './duration.ts';
import { stringField, type EngineRequest, type SecretsEngine, type VaultCore } from './engine.ts';
import { errors, ok, type VaultReply } from './envelope.ts';
import { createCertificateAuthority, issueCertificate, type CertificateAuthority } from './x509.ts';

/** A PKI role (Vault's field names in camelCase). */
export interface PkiRole {
  readonly allowedDomains?: readonly string[];
  readonly allowSubdomains?: boolean;
  readonly allowBareDomains?: boolean;
  readonly allowAnyName?: boolean;
  /** Default true, as in Vault. */
  readonly allowLocalhost?: boolean;
  /** Default true, as in Vault. */
  readonly allowIpSans?: boolean;
  /** Seconds; default 3600. */
  readonly ttl?: number;
  /** Seconds; default 86400. */
  readonly maxTtl?: number;
  /** Put the certificate under a (non-renewable) lease; default false, as in Vault. */
  readonly generateLease?: boolean;
}

/** One certificate the engine issued. */
export interface IssuedPkiCertificate {
  readonly role: string;
  readonly commonName: string;
  readonly serialNumber: string;
  readonly expiration: number;
  readonly leaseId: string;
}

/** A PKI mount with its CA (made when the mount is) and roles. */
export class PkiEngine implements SecretsEngine {
  readonly type = 'pki';
  readonly options = null;
  readonly ca: CertificateAuthority;
  readonly roles = new Map<string, PkiRole>();
  readonly issued: IssuedPkiCertificate[] = [];
  readonly #core: VaultCore;

  constructor(core: VaultCore, mount: string, roles: Readonly<Record<string, PkiRole>> = {}) {
    this.#core = core;
    this.ca = createCertificateAuthority(`Courier fake Vault ${mount} CA`);
    for (const [name, role] of Object.entries(roles)) this.roles.set(name, role);
  }

  /** Adds or replaces a role. */
  role(name: string, role: PkiRole): this {
    this.roles.set(name, role);
    return this;
  }

  handle(request: EngineRequest): VaultReply {
    if (request.path === 'cert/ca' && request.operation === 'read') return ok({ data: { certificate: this.ca.certificatePem }, mountType: this.type });
    const match = /^issue\/([^/]+)$/.exec(request.path);
    if (!match || (request.operation !== 'update' && request.operation !== 'create')) return errors(405);
    const name = match[1] ?? '';
    const role = this.roles.get(name);
    if (!role) return errors(400, `unknown role: ${name}`);
    return this.#issue(name, role, request);
  }

  #issue(name: string, role: PkiRole, request: EngineRequest): VaultReply {
    const commonName = stringField(request.body, 'common_name');
    if (commonName === '') return errors(400, 'the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false');
    const altNames = splitList(stringField(request.body, 'alt_names'));
    const ipSans = splitList(stringField(request.body, 'ip_sans'));
    for (const dnsName of [commonName, ...altNames]) {
      if (!nameAllowed(role, dnsName)) return errors(400, `${dnsName === commonName ? 'common name' : 'subject alternate name'} ${dnsName} not allowed by this role`);
    }
    if (ipSans.length > 0 && role.allowIpSans === false) return errors(400, 'IP Subject Alternative Names are not allowed in this role, but was provided');
    const requested = request.body.ttl === undefined ? (role.ttl ?? 3600) : parseDurationSeconds(request.body.ttl);
    if (requested === undefined) return errors(400, `invalid ttl: ${String(request.body.ttl)}`);
    const maxTtl = role.maxTtl ?? 86_400;
    const warnings = requested > maxTtl ? [`TTL "${formatGoDuration(requested)}" is longer than permitted maxTTL "${formatGoDuration(maxTtl)}", so maxTTL is being used`] : [];
    const ttl = Math.min(requested, maxTtl);
    const excludeCn = request.body.exclude_cn_from_sans === true;
    const cert = issueCertificate(this.ca, {
      commonName,
      dnsNames: [...new Set([...(excludeCn || isIP(commonName) ? [] : [commonName]), ...altNames])],
      ipAddresses: ipSans,
      ttlSeconds: ttl,
      usage: 'both',
      nowMs: this.#core.clock.now(),
    });
    const expiration = Math.floor(cert.notAfter.getTime() / 1000);
    const lease = role.generateLease
      ? this.#core.leases.issue({ namespace: request.namespace.path, namespaceId: request.namespace.id, path: `${request.mount}/issue/${name}`, tokenId: request.token.id, ttl, maxTtl: ttl, renewable: false })
      : undefined;
    this.issued.push({ role: name, commonName, serialNumber: cert.serialNumber, expiration, leaseId: lease?.id ?? '' });
    const data = {
      ca_chain: [this.ca.certificatePem],
      certificate: cert.certificatePem,
      expiration,
      issuing_ca: this.ca.certificatePem,
      private_key: cert.privateKeyPem,
      private_key_type: 'rsa',
      serial_number: cert.serialNumber,
    };
    return ok({ data, warnings, mountType: this.type, ...(lease ? { leaseId: lease.id, leaseDuration: lease.ttl, renewable: false } : {}) });
  }
}

function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/** Vault's name checks for a role: any name, localhost, bare domains, subdomains (glob-free subset). */
function nameAllowed(role: PkiRole, name: string): boolean {
  if (role.allowAnyName) return true;
  if (name === 'localhost' || name === 'localdomain') return role.allowLocalhost ?? true;
  for (const domain of role.allowedDomains ?? []) {
    if (name === domain && role.allowBareDomains) return true;
    if (role.allowSubdomains && name.endsWith(`.${domain}`)) return true;
  }
  return false;
}
