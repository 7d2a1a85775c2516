/** The YAML parses of planning, and those a server does ahead of planning in its isolate. */

// Parsing a large parameter is the one step of planning that takes long (about 1 ms per KiB) and cannot
// be split; a server parses such texts in its isolate first, and planning, which is synchronous and
// pure, then takes their results from here instead of parsing again.
import { parse, YAMLParseError } from 'yaml';
import { MAX_YAML_ALIASES } from './budgets.ts';

/** How a text is read: `spc` as Kubernetes tooling reads YAML (1.1); `failsafe` as Go's yaml reads into string fields (the Azure dialect). */
export type YamlSchema = 'spc' | 'failsafe';

/** A parse's result, or why there is none; the problem never quotes the text. */
export type YamlOutcome = { readonly value: unknown } | { readonly problem: string };

/** One text to parse, and how. */
export interface YamlText {
  readonly text: string;
  readonly schema: YamlSchema;
}

/** Parameters from this size on are parsed ahead, in the isolate. */
export const PARSE_AHEAD_BYTES = 16 * 1024;

let ahead: ReadonlyMap<string, YamlOutcome> | undefined;

const keyOf = ({ text, schema }: YamlText) => `${schema}\n${text}`;

/**
 * Parses YAML. Problems are the line, column and error code only, never the parser's message, which
 * quotes the text; warnings are not printed (logLevel 'error').
 */
export function parseYamlText(text: string, schema: YamlSchema): YamlOutcome {
  const known = ahead?.get(keyOf({ text, schema }));
  if (known) return known;
  try {
    if (schema === 'failsafe') return { value: parse(text, { schema: 'failsafe', uniqueKeys: true, prettyErrors: true, logLevel: 'error' }) as unknown };
    return { value: parse(text, { version: '1.1', uniqueKeys: true, prettyErrors: true, logLevel: 'error', maxAliasCount: MAX_YAML_ALIASES }) as unknown };
  } catch (error) {
    if (schema === 'spc' && error instanceof ReferenceError) return { problem: `expands YAML aliases more than ${MAX_YAML_ALIASES} times; write it out without anchors` };
    if (schema === 'spc' && error instanceof RangeError) return { problem: 'is nested too deeply to read as YAML' };
    if (error instanceof YAMLParseError) {
      const where = error.linePos?.[0] ? ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      return { problem: `is not valid YAML${where}: ${error.code}` };
    }
    return { problem: 'is not valid YAML' };
  }
}

/** Runs `plan` (synchronous) with the outcomes of texts parsed ahead: parseYamlText answers those from them. */
export function withParsedAhead<T>(texts: readonly YamlText[], outcomes: readonly YamlOutcome[], plan: () => T): T {
  const previous = ahead;
  ahead = new Map(texts.map((text, index) => [keyOf(text), outcomes[index] as YamlOutcome]));
  try {
    return plan();
  } finally {
    ahead = previous;
  }
}

/**
 * The parameters worth parsing ahead: those of at least PARSE_AHEAD_BYTES that planning reads as
 * YAML (the driver's own keys, which hold a `/`, are not), under the schema their dialect reads them with.
 */
export function textsToParseAhead(parameters: Readonly<Record<string, string>>, socketDialect = 'native'): YamlText[] {
  const dialect = parameters['dialect'] ?? socketDialect;
  return Object.entries(parameters)
    .filter(([key, text]) => !key.includes('/') && text.length >= PARSE_AHEAD_BYTES / 4 && Buffer.byteLength(text, 'utf8') >= PARSE_AHEAD_BYTES)
    .map(([key, text]) => ({ text, schema: dialect === 'azure' && key === 'objects' ? 'failsafe' : 'spc' }));
}
