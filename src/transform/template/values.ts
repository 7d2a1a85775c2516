/** The values a template sees: inputs turned into maps, text or bytes, and how each is written out. */
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../../errors/courier-error.ts';

/** Where a root input keeps the bytes it was parsed from; a symbol, so templates cannot reach it. */
const SOURCE = Symbol('courier.template.source');

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes that are not text. A binary input (`printable: false`) can only be passed to an encoding
 * function; bytes a decoding function produced (`printable: true`) may also be written out as they are.
 * The bytes sit in a private field: a template reads only own properties, so it cannot reach them.
 */
export class BinaryValue {
  readonly #bytes: Uint8Array;
  readonly #origin: string;
  readonly #printable: boolean;

  constructor(bytes: Uint8Array, origin: string, printable: boolean) {
    this.#bytes = bytes;
    this.#origin = origin;
    this.#printable = printable;
  }

  /** The bytes, for encoding functions and the output. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Whether the bytes may be written to the file as they are. */
  get printable(): boolean {
    return this.#printable;
  }

  /** A binary value used as text (appended, compared, upcased) is a mistake worth naming. */
  toString(): string {
    throw new ConfigError(`${this.#origin} is binary and cannot be used as text; use base64_encode or hex_encode`);
  }
}

/**
 * A JSON number whose text a JavaScript number would change (`1.50`, `1e3`, integers past 2^53).
 * It keeps the text, as Go's json.Number does, so `{{ db.id }}` writes what the secret holds.
 */
export class JsonNumber {
  readonly #source: string;
  constructor(source: string) {
    this.#source = source;
  }
  toString(): string {
    return this.#source;
  }
  valueOf(): number {
    return Number(this.#source);
  }
  toJSON(): unknown {
    return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(this.#source);
  }
}

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (Go's sort order). */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    if (x > 0xffff) i += 1;
  }
  return a.length - b.length;
}

/** A map's keys in code-point order: the order of `keys`, `json`, `yaml` and `for` over a map. */
export function sortedKeys(map: object): string[] {
  return Object.keys(map).sort(compareCodePoints);
}

/**
 * The prototype of every map a template sees. A template reads only own properties, so nothing here
 * is reachable by name; `for entry in map` iterates `[key, value]` pairs in sorted order, and using
 * a map as text fails instead of writing "[object Object]".
 */
const MAP_PROTOTYPE: object = Object.freeze(
  Object.create(null, {
    [Symbol.iterator]: {
      *value(this: Record<string, unknown>) {
        for (const key of sortedKeys(this)) yield [key, this[key]];
      },
    },
    toString: {
      value() {
        throw new ConfigError('a mapping cannot be used as text; write one of its keys, or format it with json or yaml');
      },
    },
  }) as object,
);

/** Whether `value` is a map of an input (a JSON object or YAML mapping). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === MAP_PROTOTYPE;
}

/** The bytes a root input was read from, if `value` is one. */
export function sourceOf(value: unknown): Uint8Array | undefined {
  return isMap(value) ? ((value as { [SOURCE]?: Uint8Array })[SOURCE]) : undefined;
}

/**
 * What an input's bytes become in the template: a map when they are a JSON object or YAML mapping,
 * text when they are other valid UTF-8, and a non-printable BinaryValue otherwise.
 */
export function toTemplateValue(bytes: Uint8Array, name: string): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return new BinaryValue(bytes, `input "${name}"`, false);
  }
  const map = parseJsonMap(text) ?? parseYamlMap(text);
  if (map === undefined) return text;
  Object.defineProperty(map, SOURCE, { value: bytes });
  return map;
}

function parseJsonMap(text: string): Record<string, unknown> | undefined {
  const start = text.trimStart()[0];
  if (start !== '{') return undefined;
  try {
    return JSON.parse(text, reviveJson) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Gives objects the map prototype and keeps numbers whose text a double would change. */
function reviveJson(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number') {
    const source = context?.source;
    return source !== undefined && String(value) !== source ? new JsonNumber(source) : value;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) Object.setPrototypeOf(value, MAP_PROTOTYPE);
  return value;
}

function parseYamlMap(text: string): Record<string, unknown> | undefined {
  // A line "key: value" or "key:" is the least a mapping needs, so most text inputs (passwords) skip
  // the parser; PEM is never YAML, though its header lines ("Proc-Type: 4,ENCRYPTED") look like it.
  if (!/^[^\s#][^\n]*:(?:[ \t]|$)/m.test(text) || text.trimStart().startsWith('-----BEGIN ')) return undefined;
  try {
    // logLevel 'silent': YAML warnings quote the text they are about, and this text is a secret. It also
    // drops errors, a repeated key's among them, so yaml's key check (which compares every pair of keys,
    // seconds for a large map) would only cost time: the later value wins either way.
    const value = parseYaml(text, { logLevel: 'silent', maxAliasCount: 100, uniqueKeys: false }) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return adoptTree(value, new Set()) ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not YAML, or nested deeper than the stack allows: text.
    return undefined;
  }
}

/** Gives every mapping of a YAML tree the map prototype; false when aliases make it a cycle. */
function adoptTree(value: unknown, path: Set<object>): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (path.has(value)) return false;
  if (!Array.isArray(value)) Object.setPrototypeOf(value, MAP_PROTOTYPE);
  path.add(value);
  const children = Array.isArray(value) ? value : Object.values(value);
  const ok = children.every((child) => adoptTree(child, path));
  path.delete(value);
  return ok;
}
