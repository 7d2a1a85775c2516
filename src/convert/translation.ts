/** The state of one template's translation: the values Go expressions stand for, the inputs they read, the notes. */
import type { Place } from './go-lexer.ts';
import { liquidPath, type PathKey } from './liquid-writer.ts';

/** Something the converter reports about a template: a part it could not translate, or a difference to know. */
export interface Note {
  readonly severity: 'untranslated' | 'note';
  readonly place?: Place;
  readonly message: string;
}

/** A Vault read (or write, with args) a template makes; becomes one template input. */
export interface InputUse {
  readonly name: string;
  readonly path: string;
  readonly args: Readonly<Record<string, string>>;
  /** Places reading `.Data.data` (KV version 2). */
  readonly kv2: Place[];
  /** Places reading `.Data.<key>` or all of `.Data` (KV version 1 and other engines). */
  readonly flat: Array<{ readonly key: string; readonly place: Place }>;
}

/**
 * What a Go expression stands for: the result of `secret`, its `.Data`, a Liquid path (an input or
 * a variable and keys), or any other Liquid expression (a literal, a filtered value).
 */
export type GoValue =
  | { readonly kind: 'root' }
  | { readonly kind: 'secret'; readonly input: InputUse }
  | { readonly kind: 'data'; readonly input: InputUse }
  | { readonly kind: 'path'; readonly base: string; readonly keys: readonly PathKey[]; readonly input?: InputUse }
  | { readonly kind: 'expression'; readonly liquid: string; readonly filtered: boolean; readonly literal?: string | number };

/** A part of the template that cannot be translated; caught per action and reported. */
export class Untranslatable extends Error {
  override readonly name = 'Untranslatable';
  readonly place: Place;
  constructor(message: string, place: Place) {
    super(message);
    this.place = place;
  }
}

/** Words a Liquid name must not be. */
const LIQUID_WORDS = new Set(['empty', 'blank', 'nil', 'null', 'true', 'false', 'forloop', 'and', 'or', 'contains', 'in', 'with', 'limit', 'offset', 'reversed']);

/** Per template: created for one translation, never shared. */
export class Translation {
  readonly notes: Note[] = [];
  readonly #inputs = new Map<string, InputUse>();
  readonly #names = new Set<string>();
  readonly #preferred: { readonly path: string; readonly name: string } | undefined;

  /** `preferred`: the name the input reading `path` should get (the injector's secret name), if free. */
  constructor(preferred?: { readonly path: string; readonly name: string }) {
    this.#preferred = preferred;
  }

  /** The inputs, in first-use order. */
  get inputs(): readonly InputUse[] {
    return [...this.#inputs.values()];
  }

  report(severity: Note['severity'], message: string, place?: Place): void {
    this.notes.push({ severity, message, ...(place ? { place } : {}) });
  }

  /** The input for a read of `path` with `args`, created on first use and named after the path's last element. */
  input(path: string, args: Readonly<Record<string, string>>): InputUse {
    const key = JSON.stringify([path, Object.entries(args)]);
    const known = this.#inputs.get(key);
    if (known) return known;
    const last = path.split('/').filter((part) => part !== '').at(-1) ?? 'secret';
    const wanted = this.#preferred?.path === path ? this.#preferred.name : last;
    const use: InputUse = { name: this.fresh(wanted), path, args, kv2: [], flat: [] };
    this.#inputs.set(key, use);
    return use;
  }

  /** A Liquid name not used yet in this template, close to `wanted`. */
  fresh(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `s_${base}`;
    if (LIQUID_WORDS.has(base)) base = `${base}_`;
    let name = base;
    for (let n = 2; this.#names.has(name); n += 1) name = `${base}_${n}`;
    this.#names.add(name);
    return name;
  }
}

/** The Liquid expression of a value, or why there is none. */
export function liquidOf(value: GoValue, place: Place): string {
  switch (value.kind) {
    case 'path':
      return liquidPath(value.base, value.keys);
    case 'expression':
      return value.liquid;
    case 'secret':
      throw new Untranslatable('the whole Vault response is used as a value; use a key of .Data (or .Data.data for KV version 2)', place);
    case 'data':
      // All of .Data: the input itself, read as KV version 1 (checked once the template is read).
      value.input.flat.push({ key: '*', place });
      return value.input.name;
    case 'root':
      throw new Untranslatable('the template\'s top-level value (nil in Vault Agent) is used', place);
  }
}

/** `value.name` in Go. */
export function fieldOf(value: GoValue, name: string, place: Place): GoValue {
  switch (value.kind) {
    case 'secret':
      if (name === 'Data') return { kind: 'data', input: value.input };
      throw new Untranslatable(`.${name} of a Vault response (lease and request details) is not available; only .Data is`, place);
    case 'data':
      if (name === 'data') {
        value.input.kv2.push(place);
        return { kind: 'path', base: value.input.name, keys: [], input: value.input };
      }
      value.input.flat.push({ key: name, place });
      return { kind: 'path', base: value.input.name, keys: [{ literal: name }], input: value.input };
    case 'path':
      return { ...value, keys: [...value.keys, { literal: name }] };
    case 'expression':
      if (!value.filtered) throw new Untranslatable(`.${name} of a literal`, place);
      throw new Untranslatable(`.${name} of a function's result cannot be read in Liquid; assign the result to a variable first`, place);
    case 'root':
      throw new Untranslatable(`.${name} of the top-level value (nil in Vault Agent) is used`, place);
  }
}

/** `index value key` in Go, for a key given as a value. */
export function indexOf(value: GoValue, key: GoValue, place: Place): GoValue {
  const literal = key.kind === 'expression' ? key.literal : undefined;
  if (typeof literal === 'string') return fieldOf(value, literal, place);
  if (typeof literal === 'number') {
    if (value.kind !== 'path') throw new Untranslatable('a numeric index of something that is not a list', place);
    return { ...value, keys: [...value.keys, { literal }] };
  }
  const expression = liquidOf(key, place);
  if (value.kind === 'data') {
    value.input.flat.push({ key: '*', place });
    return { kind: 'path', base: value.input.name, keys: [{ expression }], input: value.input };
  }
  if (value.kind !== 'path') throw new Untranslatable('index of something that is not a map or list', place);
  return { ...value, keys: [...value.keys, { expression }] };
}
