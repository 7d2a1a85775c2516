/** Decodes a value written in base64 or hex into the bytes the file should hold. */
import { ConfigError } from '../errors/courier-error.ts';
import type { Encoding } from '../spc/types.ts';

const decoder = new TextDecoder('utf-8', { fatal: false });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$|^[A-Za-z0-9_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Returns the decoded bytes; `utf-8` leaves the value as it is. Whitespace around the text is ignored. */
export function decodeValue(value: Uint8Array, encoding: Encoding, field: string): Uint8Array {
  if (encoding === 'utf-8') return value;
  const text = decoder.decode(value).replace(/\s+/g, '');
  if (encoding === 'hex') {
    if (!HEX.test(text)) throw new ConfigError('the value is not valid hex', { field: `${field}.encoding` });
    return Buffer.from(text, 'hex');
  }
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new ConfigError('the value is not valid base64', { field: `${field}.encoding` });
  }
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
}
