/** Case-insensitive field access for AWS-provider SecretProviderClass entries, as the AWS provider's JSON decoding allows. */
import { describe, isMapping, readString, type IssueList, type Mapping } from '../../spc/fields.ts';

/**
 * An entry with its keys matched case-insensitively to `known` (the canonical spelling), so
 * `objectname` reads as `objectName`. Unknown keys and the same key written twice in different
 * cases are reported under the entry's field.
 */
export function canonicalEntry(entry: Mapping, known: readonly string[], field: string, issues: IssueList): Mapping {
  const result: Record<string, unknown> = {};
  const spelling = new Map<string, string>();
  for (const [key, value] of Object.entries(entry)) {
    const canonical = known.find((name) => name.toLowerCase() === key.toLowerCase());
    if (canonical === undefined) {
      issues.add(`${field}.${key}`, `unknown key; expected one of ${known.join(', ')}`);
      continue;
    }
    const earlier = spelling.get(canonical);
    if (earlier !== undefined) {
      issues.add(`${field}.${key}`, `is "${canonical}" again (already given as "${earlier}"); field names are case-insensitive`);
      continue;
    }
    spelling.set(canonical, key);
    result[canonical] = value;
  }
  return result;
}

/** Reads a list of mappings (`jmesPath`), reporting anything else; undefined when absent. */
export function readMappingList(entry: Mapping, key: string, field: string, issues: IssueList): Mapping[] | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    issues.add(`${field}.${key}`, `must be a YAML list, not ${describe(value)}`);
    return undefined;
  }
  const list: Mapping[] = [];
  value.forEach((item: unknown, index) => {
    if (isMapping(item)) list.push(item);
    else issues.add(`${field}.${key}[${index}]`, `must be a mapping, not ${describe(item)}`);
  });
  return list;
}

/** Reads a nested mapping (`failoverObject`); undefined when absent. */
export function readMapping(entry: Mapping, key: string, field: string, issues: IssueList): Mapping | undefined {
  const value = entry[key];
  if (value === undefined || value === null) return undefined;
  if (isMapping(value)) return value;
  issues.add(`${field}.${key}`, `must be a mapping, not ${describe(value)}`);
  return undefined;
}

/** Reads a required string, reporting it missing with `hint`. */
export function requireString(entry: Mapping, key: string, field: string, issues: IssueList, hint: string): string | undefined {
  const value = readString(entry, key, field, issues);
  if (value === undefined && (entry[key] === undefined || entry[key] === null)) issues.add(`${field}.${key}`, `is required${hint}`);
  return value;
}

/**
 * The file name the AWS provider gives an object: its alias or name, with `/` replaced by the
 * translation character, or with leading slashes stripped when translation is off.
 */
export function translatePath(name: string, translation: string | undefined): string {
  return translation === undefined ? name.replace(/^\/+/, '') : name.replaceAll('/', translation);
}
