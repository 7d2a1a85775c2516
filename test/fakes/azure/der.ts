/** A minimal DER encoder for the certificates and PKCS#12 files the Azure fakes generate. */

/** Encodes one TLV: tag byte, definite length, content. */
export function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const lengthBytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) lengthBytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | lengthBytes.length, ...lengthBytes]), content]);
}

/** SEQUENCE of already encoded parts. */
export function seq(...parts: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(parts));
}

/** SET of already encoded parts (callers pass them in DER order). */
export function set(...parts: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(parts));
}

/** INTEGER from a non-negative number or big-endian unsigned bytes. */
export function int(value: number | Buffer): Buffer {
  let bytes = typeof value === 'number' ? unsignedBytes(value) : Buffer.from(value);
  while (bytes.length > 1 && bytes[0] === 0 && ((bytes[1] ?? 0) & 0x80) === 0) bytes = bytes.subarray(1);
  if (((bytes[0] ?? 0) & 0x80) !== 0) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** OBJECT IDENTIFIER from dotted notation. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** NULL. */
export function nul(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

/** BOOLEAN. */
export function bool(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** BIT STRING with no unused bits. */
export function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

/** OCTET STRING. */
export function octets(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

/** UTF8String. */
export function utf8(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/** BMPString (UTF-16BE), as PKCS#12 friendly names use. */
export function bmp(text: string): Buffer {
  return tlv(0x1e, Buffer.from(text, 'utf16le').swap16());
}

/** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 section 4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

/** A context-specific tag: `[n] EXPLICIT` (constructed) or `[n] IMPLICIT` over primitive content. */
export function context(n: number, content: Buffer, constructed = true): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | n, content);
}

function unsignedBytes(value: number): Buffer {
  const bytes: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes.length === 0 ? [0] : bytes);
}

/** One decoded TLV: its tag, its content and where the next one starts. */
export interface DerNode {
  readonly tag: number;
  readonly content: Buffer;
  readonly end: number;
}

/** Reads the TLV at `offset` (definite lengths only, as DER requires). */
export function readTlv(bytes: Buffer, offset = 0): DerNode {
  const tag = bytes[offset] ?? 0;
  const first = bytes[offset + 1] ?? 0;
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    length = 0;
    for (let i = 0; i < (first & 0x7f); i += 1) length = length * 256 + (bytes[start + i] ?? 0);
    start += first & 0x7f;
  }
  return { tag, content: bytes.subarray(start, start + length), end: start + length };
}

/** The children of a constructed TLV's content. */
export function children(content: Buffer): DerNode[] {
  const nodes: DerNode[] = [];
  for (let offset = 0; offset < content.length; ) {
    const node = readTlv(content, offset);
    nodes.push(node);
    offset = node.end;
  }
  return nodes;
}
