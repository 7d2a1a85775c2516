/** Pulls one value out of a fetched secret: a JSON key, a JMESPath expression or a YAML key. */
import jmespath from 'jmespath';
import { stringify as stringifyYaml } from 'yaml';
import { ConfigError, NotFoundError } from '../errors/courier-error.ts';
import { BudgetError, DEFAULT_BUDGETS, MAX_YAML_ALIASES } from '../spc/budgets.ts';
import { parseUnique } from '../spc/yaml-parse.ts';
import type { Extract } from '../spc/types.ts';
import { compileJmesPath, overBudget, type JmesPathLimits } from './jmespath-check.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/**
 * Applies `extract` to a secret's bytes. Errors name `field` and never quote the secret: parser
 * messages are dropped on purpose, because they echo the input they failed on.
 */
export function applyExtract(contents: Uint8Array, extract: Extract, field: string, limits: JmesPathLimits = DEFAULT_BUDGETS, documents?: ParsedDocuments): Uint8Array {
  const at = `${field}.${extract.field}`;
  switch (extract.kind) {
    case 'jsonKey': {
      const document = parseJsonObject(contents, at, documents);
      if (!Object.hasOwn(document, extract.key)) throw new NotFoundError(`key "${extract.key}" is not in the secret`, { field: at });
      return toBytes(document[extract.key], 'json');
    }
    case 'jmesPath': {
      const document = parseJson(contents, at, documents);
      const result = searchJmesPath(document, extract.expression, contents.byteLength, limits, at);
      if (result === null || result === undefined) throw new NotFoundError(`"${extract.expression}" matched nothing in the secret`, { field: at });
      return toBytes(result, 'json');
    }
    case 'yamlKey': {
      const document = parseYamlObject(contents, at, documents);
      if (!Object.hasOwn(document, extract.key)) throw new NotFoundError(`key "${extract.key}" is not in the secret`, { field: at });
      return toBytes(document[extract.key], 'yaml');
    }
  }
}

/**
 * Runs a JMESPath search. Unknown functions and argument types only show up here, at run time;
 * jmespath's runtime messages name functions and types, never values, so they are passed on.
 */
function searchJmesPath(document: unknown, expression: string, inputBytes: number, limits: JmesPathLimits, field: string): unknown {
  // Bounded before it runs: the cost of the expression over this secret's size (jmespath-cost.ts).
  const compiled = compileJmesPath(expression);
  if ('error' in compiled) throw new ConfigError(`"${expression}" ${compiled.error}`, { field });
  const problem = overBudget(compiled.ast, inputBytes, limits);
  if (problem !== undefined) throw new ConfigError(`"${expression}" was not evaluated: over this ${inputBytes}-byte secret it ${problem}`, { field });
  try {
    return jmespath.search(document, expression) as unknown;
  } catch (error) {
    throw new ConfigError(`"${expression}" cannot be applied to the secret: ${(error as Error).message}`, { field });
  }
}

/** Strings are written as they are; anything else in the syntax it came from. */
function toBytes(value: unknown, syntax: 'json' | 'yaml'): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value);
  if (syntax === 'yaml' && value !== null && typeof value === 'object') return encoder.encode(stringifyYaml(value));
  return encoder.encode(JSON.stringify(value));
}

function parseYamlText(contents: Uint8Array, field: string): unknown {
  try {
    // logLevel 'error': a YAML warning quotes the text it is about, and this text is a secret.
    return parseUnique(decoder.decode(contents), { logLevel: 'error', maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    if (error instanceof ReferenceError) throw new BudgetError(`the secret expands YAML aliases more than ${MAX_YAML_ALIASES} times`, 'a fixed limit against alias bombs', { field });
    throw new ConfigError('the secret is not valid YAML', { field });
  }
}

/**
 * Secrets already parsed in this Mount, by their bytes: many objects extracting keys of one secret parse
 * it once. Parsed documents are only read, never changed, so sharing them is safe; one Mount's map is
 * dropped with the Mount.
 */
export type ParsedDocuments = Map<Uint8Array, { readonly json?: unknown; readonly yaml?: unknown }>;

function parseJson(contents: Uint8Array, field: string, documents?: ParsedDocuments): unknown {
  const known = documents?.get(contents);
  if (known && 'json' in known) return known.json;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(contents)) as unknown;
  } catch {
    throw new ConfigError('the secret is not valid JSON', { field });
  }
  documents?.set(contents, { ...known, json: value });
  return value;
}

function parseJsonObject(contents: Uint8Array, field: string, documents?: ParsedDocuments): Record<string, unknown> {
  const value = parseJson(contents, field, documents);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('the secret is not a JSON object', { field });
  return value as Record<string, unknown>;
}

function parseYamlObject(contents: Uint8Array, field: string, documents?: ParsedDocuments): Record<string, unknown> {
  const known = documents?.get(contents);
  const value = known && 'yaml' in known ? known.yaml : parseYamlText(contents, field);
  documents?.set(contents, { ...known, yaml: value });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError('the secret is not a YAML mapping', { field });
  return value as Record<string, unknown>;
}
