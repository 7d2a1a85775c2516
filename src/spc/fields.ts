/** Small readers for YAML-decoded SecretProviderClass entries that collect every problem with its field path. */
import { parse, YAMLParseError } from 'yaml';
import type { ConfigIssue } from './types.ts';

/** A YAML mapping, as decoded. */
export type Mapping = Readonly<Record<string, unknown>>;

/** Collects issues for one planning run; created per call, never shared. */
export class IssueList {
  readonly items: ConfigIssue[] = [];
  add(field: string, message: string): void {
    this.items.push({ field, message });
  }
}

/**
 * Parses a YAML parameter. Kubernetes tooling reads YAML 1.1, where `0400` is octal, so Courier
 * does too: a mode written as in other providers' SecretProviderClasses means the same thing here.
 */
export function parseYamlParameter(text: string, field: string, issues: IssueList): unknown {
  try {
    return parse(text, { version: '1.1', uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      issues.add(field, `is not valid YAML${where}: ${error.code}`);
    } else {
      issues.add(field, 'is not valid YAML');
    }
    return undefined;
  }
}

export function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports keys of `entry` that are not in `known`, suggesting a known key that differs only in case. */
export function checkKnownKeys(entry: Mapping, known: readonly string[], field: string, issues: IssueList): void {
  for (const key of Object.keys(entry)) {
    if (known.includes(key)) continue;
    const near = known.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    issues.add(`${field}.${key}`, near ? `unknown key; did you mean "${near}"?` : `unknown key; expected one of ${known.join(', ')}`);
  }
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
  issues.add(`${field}.${key}`, `must be a string, not ${describe(value)}`);
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
