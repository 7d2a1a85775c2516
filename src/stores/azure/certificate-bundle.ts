/** A certificate's backing secret opened: PKCS#12 (PFX) decoded with node-forge or PEM split into blocks, and written back as PEM or one part of it. */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { status } from '../../errors/status-codes.ts';
import { CourierError } from '../../errors/courier-error.ts';
import { pemBlocks } from '../../transform/pem-blocks.ts';
import { orderChain } from './chain-order.ts';
import type { CertificatePart } from './settings.ts';

/** The private key and the certificates of a certificate's secret. */
export interface CertificateBundle {
  /** The private key as PEM: PKCS#8 when Courier decoded it, as stored for a PEM secret. */
  readonly keyPem?: string;
  readonly key?: KeyObject;
  /** Leaf first, then issuers (by key identifiers, or as stored when they do not link). */
  readonly chain: readonly X509Certificate[];
}


/** Decodes a base64 PFX with the empty password Key Vault uses. Throws FAILED_PRECONDITION naming `what`. */
export function openPfx(base64: string, what: string): CertificateBundle {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(base64, 'base64').toString('binary'))), '');
  } catch (error) {
    throw new CourierError(status.FAILED_PRECONDITION, `${what} holds a PKCS#12 file Courier cannot open with an empty password (${(error as Error).message}); set objectFormat: pfx (format: pfx) to mount it as stored`, { cause: error });
  }
  const bags = (type: string | undefined) => (type === undefined ? [] : (p12.getBags({ bagType: type })[type] ?? []));
  const keyBag = [...bags(forge.pki.oids['pkcs8ShroudedKeyBag']), ...bags(forge.pki.oids['keyBag'])][0];
  const key = keyBag === undefined ? undefined : keyObjectOf(keyBag);
  const certificates = bags(forge.pki.oids['certBag']).flatMap((bag) => {
    const node = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : (bag as { asn1?: forge.asn1.Asn1 }).asn1;
    return node === undefined ? [] : [new X509Certificate(Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary'))];
  });
  return { ...(key === undefined ? {} : { key, keyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString() }), chain: orderChain(certificates, key) };
}

/** Splits a PEM secret into its private key block (kept as stored) and its certificates. */
export function openPem(text: string, what: string): CertificateBundle {
  const blocks = pemBlocks(text, { trailingNewline: true }).map((block) => ({ label: block.label, text: block.text.endsWith('\n') ? block.text : `${block.text}\n` }));
  const keyBlock = blocks.find((block) => block.label.endsWith('PRIVATE KEY'));
  let key: KeyObject | undefined;
  try {
    key = keyBlock === undefined || keyBlock.label === 'ENCRYPTED PRIVATE KEY' ? undefined : createPrivateKey(keyBlock.text);
    const certificates = blocks.filter((block) => block.label === 'CERTIFICATE').map((block) => new X509Certificate(block.text));
    return { ...(keyBlock === undefined ? {} : { keyPem: keyBlock.text }), ...(key === undefined ? {} : { key }), chain: orderChain(certificates, key) };
  } catch (error) {
    throw new CourierError(status.FAILED_PRECONDITION, `${what} holds PEM that does not parse (${(error as Error).message})`, { cause: error });
  }
}

/** The PEM Courier writes: the private key then the chain, or one `part` (key, leaf cert, or chain). */
export function bundlePem(bundle: CertificateBundle, part: CertificatePart | undefined, what: string): string {
  const chain = bundle.chain.map((certificate) => certificate.toString()).join('');
  if (part === 'chain') return requireSome(chain, 'certificate', what);
  if (part === 'cert') return requireSome(bundle.chain[0]?.toString() ?? '', 'certificate', what);
  if (part === 'key') return requireSome(bundle.keyPem ?? '', 'private key', what);
  return `${bundle.keyPem ?? ''}${chain}`;
}

function requireSome(text: string, noun: string, what: string): string {
  if (text === '') throw new CourierError(status.FAILED_PRECONDITION, `${what} holds no ${noun}`);
  return text;
}

/** A key bag's key as a KeyObject: forge parses RSA keys, and leaves EC keys as PKCS#8 ASN.1. */
function keyObjectOf(bag: forge.pkcs12.Bag): KeyObject | undefined {
  if (bag.key) {
    const info = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key));
    return createPrivateKey({ key: Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
  }
  const asn1 = (bag as { asn1?: forge.asn1.Asn1 }).asn1;
  return asn1 === undefined ? undefined : createPrivateKey({ key: Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'), format: 'der', type: 'pkcs8' });
}
