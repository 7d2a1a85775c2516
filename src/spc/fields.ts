/** Small readers for YAML-decoded SecretProviderClass entries that collect every problem with its field path. */
import { parseFileMode } from '../output/file-mode.ts';
import { parseYamlText } from './yaml-parse.ts';
import { ENCODINGS, type ConfigIssue, type Encoding } from './types.ts';

/** A YAML mapping, as decoded. */
export type Mapping = Readonly<Record<string, unknown>>;

/** Collects issues for one planning run; created per call, never shared. */
export class IssueList {
  readonly items: ConfigIssue[] = [];
  #suggestions = 0;
  add(field: string, message: string): void {
    this.items.push({ field, message });
  }

  /**
   * Whether one more "did you mean" may be searched for: the first MAX_SUGGESTIONS of a planning run.
   * A class can hold thousands of unknown keys, and a suggestion costs far more than the message.
   */
  suggests(): boolean {
    this.#suggestions += 1;
    return this.#suggestions <= MAX_SUGGESTIONS;
  }
}

/** "Did you mean" searches one planning run makes at most; later unknown keys list the known ones instead. */
const MAX_SUGGESTIONS = 100;

/**
 * Parses a YAML parameter. Kubernetes tooling reads YAML 1.1, where `0400` is octal, so Courier
 * does too: a mode written as in other providers' SecretProviderClasses means the same thing here.
 */
export function parseYamlParameter(text: string, field: string, issues: IssueList): unknown {
  const outcome = parseYamlText(text, 'spc');
  if ('value' in outcome) return outcome.value;
  issues.add(field, outcome.problem);
  return undefined;
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports keys of `entry` that are not in `known`, suggesting a known key that is a typo or case away. */
export function checkKnownKeys(entry: Mapping, known: readonly string[], field: string, issues: IssueList): void {
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    const near = issues.suggests() ? nearestKey(key, known) : undefined;
    issues.add(`${field}.${key}`, near ? `unknown key; did you mean "${near}"?` : `unknown key; expected one of ${known.join(', ')}`);
  }
}

/**
 * The known key closest to `key` ignoring case, if it is at most a small edit away (one edit for
 * short keys, two for long ones; swapping two neighbouring letters counts as one).
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.min(2, Math.floor(key.length / 3)));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    // The distance is at least the difference in length: a long key (a pod can send one of the
    // parameter budget's size) is never compared letter by letter.
    if (Math.abs(key.length - candidate.length) > limit) continue;
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(at(i, j), at(i - 2, j - 2) + 1);
    }
  }
  return at(a.length, b.length);
}

/** Reads an optional string; YAML numbers are accepted and written in decimal (`version: 3`). */
export function readString(entry: Mapping, key: string, field: string, issues: IssueList): string | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    if (value === '') issues.add(`${field}.${key}`, 'must not be empty');
    return value === '' ? undefined : value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  // YAML 1.1 reads an unquoted 2001-12-14 as a timestamp.
  issues.add(`${field}.${key}`, value instanceof Date ? 'must be a string, not a date; quote it' : `must be a string, not ${describe(value)}`);
  return undefined;
}

/** Reads an optional boolean; the strings "true" and "false" are accepted as well. */
export function readBoolean(entry: Mapping, key: string, field: string, issues: IssueList): boolean | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  issues.add(`${field}.${key}`, `must be true or false, not ${describe(value)}`);
  return undefined;
}

/** A short, value-free description of a YAML value's type for error messages. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/**
 * Reads a parameter that holds a YAML list (`objects`, `secrets`): required, valid YAML, a list, not
 * empty. `required` completes "is required: ..."; `noun` is what one entry is called.
 */
export function readYamlList(text: string | undefined, field: string, wording: { readonly required: string; readonly noun: string }, issues: IssueList, maxItems: number = Number.POSITIVE_INFINITY): unknown[] {
  if (text === undefined || text.trim() === '') {
    issues.add(field, `is required: ${wording.required}`);
    return [];
  }
  const list = parseYamlParameter(text, field, issues);
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    issues.add(field, `must be a YAML list, not ${describe(list)}`);
    return [];
  }
  if (list.length === 0) issues.add(field, `must list at least one ${wording.noun}`);
  // Refused before any entry is read: a pod author can make this list as long as the parameter budget allows.
  if (list.length > maxItems) {
    issues.add(field, `lists ${list.length} ${wording.noun}s, over the budget of ${maxItems} per SecretProviderClass (--max-objects)`);
    return [];
  }
  return list;
}

/** Reads an optional file mode (see parseFileMode) at `key`; `fallback` when absent or invalid. */
export function readFileMode(entry: Mapping, key: string, field: string, fallback: number, issues: IssueList): number {
  const value = entry[key];
  if (value === undefined || value === null) return fallback;
  const mode = parseFileMode(value);
  if (typeof mode === 'number') return mode;
  issues.add(`${field}.${key}`, mode.error);
  return fallback;
}

/** Reads an optional `encoding` (utf-8, base64, hex; any case); utf-8 when absent or invalid. */
export function readEncoding(entry: Mapping, field: string, issues: IssueList): Encoding {
  const value = readString(entry, 'encoding', field, issues);
  if (value === undefined) return 'utf-8';
  const match = ENCODINGS.find((encoding) => encoding === value.toLowerCase());
  if (match) return match;
  issues.add(`${field}.encoding`, `"${value}" is not one of ${ENCODINGS.join(', ')}`);
  return 'utf-8';
}
