/** Template functions between text and bytes: base64_encode, base64_decode, hex_encode. */
import type { FilterThis } from './filter-this.ts';
import { ConfigError } from '../../../errors/courier-error.ts';
import { toText } from '../budgets.ts';
import { BinaryValue, sourceOf } from '../values.ts';

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2})$/;

/** The bytes behind a value: a binary value's, a map input's as fetched, or text as UTF-8. */
export function bytesOf(value: unknown): Uint8Array {
  if (value instanceof BinaryValue) return value.bytes;
  return sourceOf(value) ?? encoder.encode(toText(value));
}

/** `{{ db.password | base64_encode }}`: standard base64 with padding; works on binary inputs. */
export function base64Encode(this: FilterThis, value: unknown): string {
  const bytes = bytesOf(value);
  this.context.memoryLimit.use(Math.ceil(bytes.length / 3) * 4);
  return Buffer.from(bytes).toString('base64');
}

/**
 * `{{ tls.keystore | base64_decode }}`: standard or URL-safe base64, whitespace ignored. Text that is
 * valid UTF-8 stays text; other bytes become a binary value that is written to the file unchanged.
 */
export function base64Decode(this: FilterThis, value: unknown): unknown {
  const text = toText(value).replace(/\s+/g, '');
  this.context.memoryLimit.use(text.length);
  if (!BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) throw new ConfigError('base64_decode: the value is not valid base64');
  const bytes = Buffer.from(text, /[-_]/.test(text) ? 'base64url' : 'base64');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return new BinaryValue(bytes, 'the output of base64_decode', true);
  }
}

/** `{{ key | hex_encode }}`: lowercase hex of the bytes; works on binary inputs. */
export function hexEncode(this: FilterThis, value: unknown): string {
  const bytes = bytesOf(value);
  this.context.memoryLimit.use(bytes.length * 2);
  return Buffer.from(bytes).toString('hex');
}
