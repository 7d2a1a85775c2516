/** Turns LiquidJS's errors into Courier's: the template's line and column, and never a value from an input. */
import { LiquidError, UndefinedVariableError } from 'liquidjs';
import { ConfigError, CourierError, NotFoundError } from '../../errors/courier-error.ts';
import type { TemplateBudgets } from './budgets.ts';
import { TEMPLATE_TAGS } from './engine.ts';

/** A place in the template, 1-based. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Tags LiquidJS knows that Courier templates do not have, and why. */
const REMOVED_TAGS: Readonly<Record<string, string>> = {
  include: 'templates cannot read other files',
  render: 'templates cannot read other files',
  layout: 'templates cannot read other files',
  block: 'templates cannot read other files',
  tablerow: 'it writes HTML tables',
  cycle: 'it is not supported',
  increment: 'it is not supported',
  decrement: 'it is not supported',
};

/** `line 3, column 14: ` for an error LiquidJS located, else nothing. */
export function where(error: unknown): string {
  const position = positionOf(error);
  return position ? `line ${position.line}, column ${position.column}: ` : '';
}

function positionOf(error: unknown): Position | undefined {
  if (!LiquidError.is(error)) return undefined;
  const position = (error).token?.getPosition();
  const [line, column] = position ?? [];
  return line !== undefined && column !== undefined ? { line, column } : undefined;
}

/**
 * The message of a parse error, located. LiquidJS's parse messages quote only template text (which
 * is configuration, not secret); its position suffix is replaced by Courier's prefix.
 */
export function parseErrorMessage(error: unknown): string {
  const original = (error as { originalError?: Error }).originalError;
  const base = (original?.message ?? (error instanceof Error ? error.message : String(error))).replace(/(?:, file:[^,]*)?, line:\d+, col:\d+$/, '');
  return `${where(error)}${explainParseMessage(base)}`;
}

function explainParseMessage(message: string): string {
  const tag = /^tag "([^"]+)" not found$/.exec(message)?.[1];
  if (tag !== undefined && REMOVED_TAGS[tag]) return `the ${tag} tag is not available in Courier templates: ${REMOVED_TAGS[tag]}`;
  if (tag !== undefined && !tag.startsWith('end')) return `unknown tag "${tag}"; the tags are ${TEMPLATE_TAGS.join(', ')}`;
  const filter = /^undefined filter: (.+)$/.exec(message)?.[1];
  if (filter !== undefined) return `unknown function "${filter}"; see docs/templates.md for the functions`;
  if (message === 'parse length limit exceeded') return 'the template is larger than its size budget';
  return message;
}

/** What renderError needs to know about the render that failed. */
export interface RenderSituation {
  readonly field: string;
  readonly budgets: TemplateBudgets;
  readonly inputNames: ReadonlySet<string>;
  /** The template text. */
  readonly text: string;
}

/**
 * The CourierError for a failed render, with `field` and the template position. Only errors whose
 * text Courier wrote (its own, budget and missing-key errors) pass their message on; any other
 * engine or runtime error is named by type only, because its message may quote a value.
 */
export function renderError(error: unknown, situation: RenderSituation): CourierError {
  const { field, budgets } = situation;
  const at = where(error);
  const cause = innermost(error);
  if (cause instanceof CourierError) {
    const detail = `${at}${cause.detail}`;
    return cause instanceof NotFoundError ? new NotFoundError(detail, { field }) : new ConfigError(detail, { field });
  }
  if (error instanceof UndefinedVariableError) return new NotFoundError(`${at}${missingKeyMessage(error, situation)}`, { field });
  const message = cause instanceof Error ? cause.message : '';
  if (message === 'memory alloc limit exceeded') return new ConfigError(`${at}the template allocates more than its memory budget (${budgets.memory})`, { field });
  if (message === 'template render limit exceeded') return new ConfigError(`${at}the template renders for longer than its time budget (${budgets.renderMs} ms)`, { field });
  const name = cause instanceof Error ? cause.name : typeof cause;
  return new ConfigError(`${at}the template failed while rendering (${name})`, { field });
}

/** The error LiquidJS wrapped, however deep. */
function innermost(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const inner = (current as { originalError?: unknown } | null)?.originalError;
    if (inner === undefined) return current;
    current = inner;
  }
  return current;
}

/** A literal path written in the template: `db.user`, `db["api-key"]`, `list[0]`. */
const LITERAL_SEGMENT = /^(?:\.([A-Za-z_][\w-]*)|\["([^"]*)"\]|\['([^']*)'\]|\[(\d+)\])/;
const ROOT = /^[A-Za-z_][\w-]*/;

/**
 * Names the missing key from the template's own text. LiquidJS's message joins the evaluated path,
 * which holds the value of any variable key (`db[other.password]`), so it is never passed on.
 */
function missingKeyMessage(error: UndefinedVariableError, situation: RenderSituation): string {
  const token = error.token as { getText?: () => string; input?: string } | undefined;
  const text = token?.getText?.() ?? '';
  // where, map and sort build an expression from their argument, which may be a value (where: db.password): never quoted.
  if (token?.input !== situation.text) return 'a function (where, map, sort) read a key that an element of the list does not have';
  const { inputNames } = situation;
  const segments = literalSegments(text);
  const reported = (((error as { originalError?: { variableName?: unknown } }).originalError?.variableName) ?? '') as string;
  if (segments) {
    for (let depth = 0; depth < segments.length; depth += 1) {
      if (segments.slice(0, depth + 1).join('.') !== reported) continue;
      const name = segments[0] as string;
      if (depth === 0) return `"${name}" is not an input or a variable of the template`;
      const key = segments[depth] as string;
      const holder = depth === 1 ? `${inputNames.has(name) ? 'input ' : ''}"${name}"` : `"${segments.slice(0, depth).join('.')}"`;
      return `${holder} has no key "${key}"`;
    }
  }
  return `${text === '' ? 'an expression' : text} reads a key that is not there`;
}

function literalSegments(text: string): string[] | undefined {
  const root = ROOT.exec(text)?.[0];
  if (root === undefined) return undefined;
  const segments = [root];
  let rest = text.slice(root.length);
  while (rest !== '') {
    const match = LITERAL_SEGMENT.exec(rest);
    if (!match) return undefined;
    segments.push(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
    rest = rest.slice(match[0].length);
  }
  return segments;
}
