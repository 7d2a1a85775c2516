/** Template functions over maps and lists: json, yaml and keys, all in sorted key order. */
import { toValue } from 'liquidjs';
import type { FilterThis } from './filter-this.ts';
import { stringify as stringifyYaml } from 'yaml';
import { ConfigError } from '../../../errors/courier-error.ts';
import { BinaryValue, compareCodePoints, isMap, JsonNumber, sortedKeys } from '../values.ts';

/** Nesting deeper than this is refused: inputs are secrets, not arbitrary documents. */
const MAX_DEPTH = 64;

/**
 * `{{ db | json }}`, `{{ db | json: 2 }}`: JSON with keys sorted (as Go's encoding/json writes a
 * map), compact unless an indent of 1 to 10 spaces is given. Text becomes a JSON string.
 */
export function json(this: FilterThis, value: unknown, indent?: unknown): string {
  const spaces = indent === undefined || indent === null ? 0 : Number(toValue(indent));
  if (!Number.isInteger(spaces) || spaces < 0 || spaces > 10) throw new ConfigError('json: the indent must be a whole number from 0 to 10');
  const text = writeJson(value, spaces, '', 0);
  this.context.memoryLimit.use(text.length);
  return text;
}

function writeJson(raw: unknown, spaces: number, margin: string, depth: number): string {
  const value: unknown = toValue(raw);
  if (depth > MAX_DEPTH) throw new ConfigError(`the value is nested more than ${MAX_DEPTH} levels deep`);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean' || value instanceof JsonNumber) return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof BinaryValue) throw new ConfigError('json: the value is binary; base64_encode it first');
  const inner = spaces > 0 ? `${margin}${' '.repeat(spaces)}` : '';
  const open = spaces > 0 ? `\n${inner}` : '';
  const close = spaces > 0 ? `\n${margin}` : '';
  const separator = spaces > 0 ? `,\n${inner}` : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${open}${value.map((item) => writeJson(item, spaces, inner, depth + 1)).join(separator)}${close}]`;
  }
  if (typeof value !== 'object') throw new ConfigError('json: the value cannot be written as JSON');
  const record = value as Record<string, unknown>;
  const keys = isMap(value) ? sortedKeys(value) : Object.keys(record).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  const colon = spaces > 0 ? ': ' : ':';
  return `{${open}${keys.map((key) => `${JSON.stringify(key)}${colon}${writeJson(record[key], spaces, inner, depth + 1)}`).join(separator)}${close}}`;
}

/** `{{ config | yaml }}`: a YAML document, keys sorted, long lines not folded. */
export function yaml(this: FilterThis, value: unknown): string {
  const text = stringifyYaml(toPlain(value, 0), { sortMapEntries: (a, b) => compareCodePoints(String(a.key), String(b.key)), lineWidth: 0 });
  this.context.memoryLimit.use(text.length);
  return text;
}

/** Plain data for the YAML writer; numbers kept as text by the JSON reader become numbers again. */
function toPlain(raw: unknown, depth: number): unknown {
  const value: unknown = toValue(raw);
  if (depth > MAX_DEPTH) throw new ConfigError(`the value is nested more than ${MAX_DEPTH} levels deep`);
  if (value instanceof BinaryValue) throw new ConfigError('yaml: the value is binary; base64_encode it first');
  if (value instanceof JsonNumber) {
    const text = value.toString();
    return /^-?\d+$/.test(text) && !Number.isSafeInteger(Number(text)) ? BigInt(text) : Number(text);
  }
  if (Array.isArray(value)) return value.map((item) => toPlain(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).map((key) => [key, toPlain(record[key], depth + 1)]));
  }
  return value;
}

/**
 * `{% assign names = db | keys %}{% for name in names %}`: a map's keys in sorted order (the order
 * Go's range uses), or a list's indexes. A for tag cannot take the filter itself; assign first.
 */
export function keys(this: FilterThis, value: unknown): Array<string | number> {
  const plain: unknown = toValue(value);
  if (Array.isArray(plain)) {
    this.context.memoryLimit.use(plain.length);
    return plain.map((_, index) => index);
  }
  if (typeof plain === 'object' && plain !== null && !(plain instanceof BinaryValue) && !(plain instanceof JsonNumber)) {
    const names = sortedKeys(plain);
    this.context.memoryLimit.use(names.length);
    return names;
  }
  throw new ConfigError('keys: the value is not a map or a list');
}
