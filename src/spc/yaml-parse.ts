/** The YAML parses of planning, and those a server does ahead of planning in its isolate. */

// Parsing a large parameter is the one step of planning that takes long (about 1 ms per KiB) and cannot
// be split; a server parses such texts in its isolate first, and planning, which is synchronous and
// pure, then takes their results from here instead of parsing again.
import { isScalar, LineCounter, parseDocument, visit, YAMLParseError, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToJSOptions } from 'yaml';
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
    if (schema === 'failsafe') return { value: parseUnique(text, { schema: 'failsafe', logLevel: 'error' }) };
    return { value: parseUnique(text, { version: '1.1', logLevel: 'error', maxAliasCount: MAX_YAML_ALIASES }) };
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

/**
 * yaml's `parse` with `uniqueKeys` and `prettyErrors`, but with the duplicate-key check done in linear
 * time: yaml's own compares each key with every earlier key of its map, so a 1 MB map of 60,000 keys
 * took 45 s (0.6 s without the check). Keys are duplicates exactly when yaml says so: the same node, or
 * scalars of equal value (`===`). The error is yaml's own code and position (`DUPLICATE_KEY` at the
 * repeated key); like `parse`, the first error is thrown, and warnings are dropped unless logLevel asks.
 */
export function parseUnique(text: string, options: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...options, uniqueKeys: false, prettyErrors: true, lineCounter });
  // yaml reports its errors in the order it composes the text: a repeated key of a block map when it
  // reaches the key, one of a flow map after the pair's value. The first of its own errors and the first
  // repeated key are compared in that order, so the same error is thrown as yaml's own check would.
  let repeated: { readonly at: number; readonly order: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key: unknown = pair.key.value;
        // yaml compares with ===, by which NaN is not equal to itself; a Set would say it is.
        if (typeof key === 'number' && Number.isNaN(key)) continue;
        if (seen.has(key)) {
          const at = pair.key.range?.[0] ?? 0;
          const order = map.flow ? ((pair.value as { range?: [number, number, number] } | null)?.range?.[1] ?? pair.key.range?.[1] ?? at) : at;
          if (!repeated || order < repeated.order) repeated = { at, order };
        }
        seen.add(key);
      }
    },
  });
  const [first] = doc.errors;
  if (first && (!repeated || first.pos[0] <= repeated.order)) throw first;
  if (repeated) {
    const error = new YAMLParseError([repeated.at, repeated.at + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
    error.linePos = [lineCounter.linePos(repeated.at), lineCounter.linePos(repeated.at + 1)];
    throw error;
  }
  return doc.toJS(options) as unknown;
}
