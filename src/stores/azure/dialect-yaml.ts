/** YAML as the Azure provider reads its `objects`: Go's yaml into string fields, so every scalar is text (`0755` stays "0755"); pure. */
import { describe, isMapping, type IssueList, type Mapping } from '../../spc/fields.ts';
import { parseYamlText } from '../../spc/yaml-parse.ts';

/**
 * Parses with YAML's failsafe schema: mappings, lists and strings only, as the Go structs of the
 * Azure provider see the text. Problems are reported under `field` with line, column and the
 * parser's error code, never the text (it may hold a secret).
 */
export function parseAzureYaml(text: string, field: string, issues: IssueList): unknown {
  const outcome = parseYamlText(text, 'failsafe');
  if ('value' in outcome) return outcome.value;
  issues.add(field, outcome.problem);
  return undefined;
}

/** `objects: | array: [ "<YAML of one object>", ... ]`: the entries' mappings with their fields. */
export function readObjectsArray(text: string | undefined, issues: IssueList): Array<{ readonly entry: Mapping; readonly field: string }> {
  if (text === undefined || text.trim() === '') {
    issues.add('objects', 'is required: a YAML mapping with "array", a list of objects each written as a YAML string ("- |")');
    return [];
  }
  const document = parseAzureYaml(text, 'objects', issues);
  if (document === undefined) return [];
  if (!isMapping(document) || !('array' in document)) {
    issues.add('objects', `must be a YAML mapping with the key "array" (the Azure provider's envelope), not ${describe(document)}${isMapping(document) ? ' without it' : ''}`);
    return [];
  }
  const list = document['array'];
  if (!Array.isArray(list) || list.length === 0) {
    issues.add('objects.array', Array.isArray(list) ? 'must list at least one object' : `must be a YAML list, not ${describe(list)}`);
    return [];
  }
  return list.flatMap((item: unknown, index) => {
    const field = `objects.array[${index}]`;
    if (typeof item !== 'string') {
      issues.add(field, `must be a YAML string holding the object (write "- |" before it), not ${describe(item)}`);
      return [];
    }
    const entry = parseAzureYaml(item, field, issues);
    if (entry === undefined) return [];
    if (!isMapping(entry)) {
      issues.add(field, `must hold a YAML mapping with objectName and objectType, not ${describe(entry)}`);
      return [];
    }
    return [{ entry, field }];
  });
}

/** An optional string field, trimmed as the Azure provider trims; empty (and YAML null) is unset. */
export function readText(entry: Mapping, key: string, field: string, issues: IssueList): string | undefined {
  const value = entry[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    issues.add(`${field}.${key}`, `must be a string, not ${describe(value)}`);
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' || trimmed === '~' || trimmed.toLowerCase() === 'null' ? undefined : trimmed;
}
