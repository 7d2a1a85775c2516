/** A template entry (`template` and `inputs` instead of `source`), in the native dialect and in `courier.templates` of every other. */
import { checkMountPath } from '../output/path-rules.ts';
import { templateEngine } from '../transform/template/engine-loader.ts';
import { INPUT_NAME } from '../transform/template/input-name.ts';
import { checkKnownKeys, describe, isMapping, type IssueList, readFileMode, readString, type Mapping } from './fields.ts';
import type { DialectContext } from './store-catalog.ts';
import type { ObjectSpec, TemplateSpec } from './types.ts';

/** Keys a template entry may have. */
export const TEMPLATE_ENTRY_KEYS = ['template', 'inputs', 'path', 'mode'] as const;

/** Reads one input (a `source:` entry without path or mode) at `field`; the dialect's own reader. */
export type InputReader = (entry: unknown, field: string) => ObjectSpec | undefined;

/**
 * Reads a template entry: `path` is required (a template has no locator to name a file after),
 * `template` must parse and name only its inputs, every input must be a mountable object. Each
 * problem is added with its field; the template's own messages carry its line and column.
 */
export function readTemplateEntry(entry: Mapping, field: string, context: DialectContext, readInput: InputReader, issues: IssueList): TemplateSpec | undefined {
  const before = issues.items.length;
  checkKnownKeys(entry, TEMPLATE_ENTRY_KEYS, field, issues);
  const text = readString(entry, 'template', field, issues);
  const path = readString(entry, 'path', field, issues);
  if (entry['path'] === undefined || entry['path'] === null) issues.add(`${field}.path`, 'is required for a template: the file to render it into');
  const pathProblem = path === undefined ? undefined : checkMountPath(path);
  if (pathProblem !== undefined) issues.add(`${field}.path`, pathProblem);
  const mode = readFileMode(entry, 'mode', field, context.permission, issues);
  const { inputs, names } = readInputs(entry, field, readInput, issues);
  // Names of inputs that failed their own checks still count: their problem is reported once, there.
  const engine = text === undefined ? undefined : templateEngine();
  if (text !== undefined) for (const issue of engine?.checkTemplate(text, names, `${field}.template`) ?? []) issues.add(issue.field, issue.message);
  if (text === undefined || path === undefined || issues.items.length > before || engine === undefined) return undefined;
  return { id: field, path, mode, text, compiled: engine.compileTemplate(text, `${field}.template`), inputs };
}

function readInputs(entry: Mapping, field: string, readInput: InputReader, issues: IssueList): { inputs: Array<{ name: string; object: ObjectSpec }>; names: string[] } {
  const value = entry['inputs'];
  if (value === undefined || value === null) return { inputs: [], names: [] };
  if (!isMapping(value)) {
    issues.add(`${field}.inputs`, `must be a mapping of input names to objects, not ${describe(value)}`);
    return { inputs: [], names: [] };
  }
  const inputs: Array<{ name: string; object: ObjectSpec }> = [];
  const names = Object.keys(value);
  for (const [name, input] of Object.entries(value)) {
    const at = `${field}.inputs.${name}`;
    if (!INPUT_NAME.test(name)) {
      issues.add(at, 'is not an input name: letters, digits and "_", not starting with a digit');
      continue;
    }
    const object = readInput(input, at);
    if (object) inputs.push({ name, object });
  }
  return { inputs, names };
}
