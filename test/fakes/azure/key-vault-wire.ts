/** The JSON Key Vault answers with: secret, key and certificate bundles, list items and certificate policies. */
import { createHash } from 'node:crypto';
import type { StoredCertificate, StoredKey, StoredObject, StoredSecret } from './key-vault-objects.ts';

/** `https://<vault>.<suffix>/<kind>/<name>/<version>`. */
export function objectId(vaultUrl: string, object: StoredObject): string {
  return `${vaultUrl}/${object.kind}/${object.name}/${object.version}`;
}

/** A SecretBundle (`GET /secrets/{name}/{version}`). */
export function secretBundle(vaultUrl: string, secret: StoredSecret, value: string = secret.value, contentType = secret.contentType): object {
  return {
    value,
    ...(contentType === undefined ? {} : { contentType }),
    id: objectId(vaultUrl, secret),
    attributes: secret.attributes,
    ...(secret.tags === undefined ? {} : { tags: secret.tags }),
    ...(secret.managed ? { kid: `${vaultUrl}/keys/${secret.name}/${secret.version}`, managed: true } : {}),
  };
}

/** A SecretItem of a versions list. */
export function secretItem(vaultUrl: string, secret: StoredSecret): object {
  return {
    id: objectId(vaultUrl, secret),
    attributes: secret.attributes,
    ...(secret.contentType === undefined ? {} : { contentType: secret.contentType }),
    ...(secret.tags === undefined ? {} : { tags: secret.tags }),
    ...(secret.managed ? { managed: true } : {}),
  };
}

/** A KeyBundle: the public JWK with `kid` and `key_ops`; never private parts. */
export function keyBundle(vaultUrl: string, key: StoredKey): object {
  const jwk = key.material.publicJwk;
  const kty = `${key.material.spec.kty}${key.hsm ? '-HSM' : ''}`;
  const publicParts = key.material.spec.kty === 'RSA' ? { n: jwk.n, e: jwk.e } : { crv: jwk.crv, x: jwk.x, y: jwk.y };
  return {
    key: { kid: objectId(vaultUrl, key), kty, key_ops: key.keyOps, ...publicParts },
    attributes: { ...key.attributes, exportable: false },
    ...(key.tags === undefined ? {} : { tags: key.tags }),
    ...(key.managed ? { managed: true } : {}),
  };
}

/** A KeyItem of a versions list. */
export function keyItem(vaultUrl: string, key: StoredKey): object {
  const bundle = keyBundle(vaultUrl, key) as { key: { kid: string }; attributes: object; tags?: object; managed?: boolean };
  return { kid: bundle.key.kid, attributes: bundle.attributes, ...(bundle.tags ? { tags: bundle.tags } : {}), ...(bundle.managed ? { managed: true } : {}) };
}

/** A CertificateBundle: DER `cer` (base64), `x5t` (base64url SHA-1), `kid`, `sid`, and the policy when asked. */
export function certificateBundle(vaultUrl: string, certificate: StoredCertificate, withPolicy: boolean): object {
  const { kid, sid, ...item } = certificateParts(vaultUrl, certificate);
  return {
    ...item,
    kid,
    sid,
    cer: certificate.certificate.raw.toString('base64'),
    ...(withPolicy ? { policy: certificatePolicy(vaultUrl, certificate) } : {}),
  };
}

/** A CertificateItem of a versions list. */
export function certificateItem(vaultUrl: string, certificate: StoredCertificate): object {
  const { id, x5t, attributes, tags } = certificateParts(vaultUrl, certificate);
  return { id, x5t, attributes, ...(tags === undefined ? {} : { tags }) };
}

/** The certificate policy, read back from the certificate (an imported one has issuer `Unknown`). */
export function certificatePolicy(vaultUrl: string, certificate: StoredCertificate): object {
  const x509 = certificate.certificate;
  const publicKey = x509.publicKey;
  const isRsa = publicKey.asymmetricKeyType === 'rsa';
  const curves: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
  const months = Math.round((Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / (30.44 * 86_400_000));
  const dnsNames = (x509.subjectAltName ?? '').split(', ').filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4));
  return {
    id: `${vaultUrl}/certificates/${certificate.name}/policy`,
    key_props: {
      exportable: true,
      kty: isRsa ? 'RSA' : 'EC',
      ...(isRsa ? { key_size: publicKey.asymmetricKeyDetails?.modulusLength } : { crv: curves[publicKey.asymmetricKeyDetails?.namedCurve ?? ''] }),
      reuse_key: false,
    },
    secret_props: { contentType: certificate.contentType },
    x509_props: {
      subject: x509.subject.split('\n').reverse().join(', '),
      ...(dnsNames.length > 0 ? { sans: { dns_names: dnsNames } } : {}),
      ekus: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      key_usage: isRsa ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'],
      validity_months: months,
      basic_constraints: { ca: false },
    },
    lifetime_actions: [{ trigger: { lifetime_percentage: 80 }, action: { action_type: 'EmailContacts' } }],
    issuer: { name: certificate.issuerName },
    attributes: { enabled: true, created: certificate.attributes.created, updated: certificate.attributes.updated },
  };
}

/** A page of a versions list, with `nextLink` when more remain. */
export function listPage(items: readonly object[], nextLink: string | null): object {
  return { value: items, nextLink };
}

function certificateParts(vaultUrl: string, certificate: StoredCertificate): { id: string; kid: string; sid: string; x5t: string; attributes: object; tags?: object } {
  const tail = `${certificate.name}/${certificate.version}`;
  return {
    id: objectId(vaultUrl, certificate),
    kid: `${vaultUrl}/keys/${tail}`,
    sid: `${vaultUrl}/secrets/${tail}`,
    x5t: createHash('sha1').update(certificate.certificate.raw).digest('base64url'),
    attributes: certificate.attributes,
    ...(certificate.tags === undefined ? {} : { tags: certificate.tags }),
  };
}

