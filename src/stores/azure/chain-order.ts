/** Orders a certificate chain leaf → intermediates → root by subject and authority key identifiers, keeping the stored order when they do not link; pure. */
import type { KeyObject, X509Certificate } from 'node:crypto';

/** A DER element: its tag and where its contents lie in the buffer. */
interface Element {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

const SUBJECT_KEY_ID = Buffer.from([0x55, 0x1d, 0x0e]);
const AUTHORITY_KEY_ID = Buffer.from([0x55, 0x1d, 0x23]);

/** The element at `offset` (definite lengths only, as DER requires). */
function element(der: Buffer, offset: number): Element {
  const tag = der[offset] ?? 0;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let index = 0; index < bytes; index += 1) length = length * 256 + (der[start + index] ?? 0);
    start += bytes;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Element): Element[] {
  const list: Element[] = [];
  for (let offset = parent.start; offset < parent.end; offset = list[list.length - 1]?.end ?? parent.end) list.push(element(der, offset));
  return list;
}

/** The subject and authority key identifiers (hex) of a certificate, where it carries them. */
export function keyIdentifiers(der: Buffer): { subject?: string; authority?: string } {
  try {
    const tbs = children(der, element(der, 0))[0];
    const wrapper = tbs === undefined ? undefined : children(der, tbs).find((item) => item.tag === 0xa3);
    const list = wrapper === undefined ? undefined : children(der, wrapper)[0];
    const found: { subject?: string; authority?: string } = {};
    for (const extension of list === undefined ? [] : children(der, list)) {
      const [oid, ...rest] = children(der, extension);
      const value = rest[rest.length - 1];
      if (oid === undefined || value === undefined) continue;
      const id = der.subarray(oid.start, oid.end);
      const inner = element(der, value.start);
      if (id.equals(SUBJECT_KEY_ID) && inner.tag === 0x04) found.subject = der.subarray(inner.start, inner.end).toString('hex');
      if (id.equals(AUTHORITY_KEY_ID) && inner.tag === 0x30) {
        const keyId = children(der, inner).find((item) => item.tag === 0x80);
        if (keyId) found.authority = der.subarray(keyId.start, keyId.end).toString('hex');
      }
    }
    return found;
  } catch {
    return {};
  }
}

/**
 * The certificates leaf first, each followed by its issuer: the leaf is the certificate of
 * `privateKey` (else the one that issued no other), and each next one is the certificate whose
 * subject key identifier is the previous one's authority key identifier. When identifiers are
 * missing or do not link every certificate into one chain, the stored order is kept.
 */
export function orderChain(certificates: readonly X509Certificate[], privateKey?: KeyObject): X509Certificate[] {
  if (certificates.length < 2) return [...certificates];
  const ids = certificates.map((certificate) => keyIdentifiers(certificate.raw));
  if (ids.some((id) => id.subject === undefined)) return [...certificates];
  const issuedNothing = (index: number) => !ids.some((other, at) => at !== index && other.authority === ids[index]?.subject);
  let current = privateKey === undefined ? -1 : certificates.findIndex((certificate) => certificate.checkPrivateKey(privateKey));
  if (current < 0) current = certificates.findIndex((_, index) => issuedNothing(index));
  if (current < 0) return [...certificates];
  const order = [current];
  for (;;) {
    const authority = ids[current]?.authority;
    const next = ids.findIndex((id, index) => !order.includes(index) && authority !== undefined && id.subject === authority);
    if (next < 0) break;
    order.push(next);
    current = next;
  }
  if (order.length !== certificates.length) return [...certificates];
  return order.map((index) => certificates[index] as X509Certificate);
}
