/** Splits a Go text/template (as Vault Agent reads it) into text, actions and comments, with positions. */

/** A place in the template, 1-based. */
export interface Place {
  readonly line: number;
  readonly column: number;
}

/** One token inside an action. */
export interface GoToken {
  readonly kind: 'field' | 'variable' | 'identifier' | 'string' | 'number' | 'char' | 'dot' | 'pipe' | 'open' | 'close' | 'declare' | 'assign' | 'comma';
  /** The source text; for strings and chars, the unquoted value is in `value`. */
  readonly text: string;
  readonly value: string;
  readonly place: Place;
  /** Offsets in the template, so the parser can tell `.A.B` (one chain) from `.A .B` (two arguments). */
  readonly start: number;
  readonly end: number;
}

/** A piece of the template. Trim flags are Go's `{{-` and `-}}`. */
export type GoItem =
  | { readonly kind: 'text'; readonly text: string; readonly place: Place }
  | { readonly kind: 'action'; readonly tokens: readonly GoToken[]; readonly trimLeft: boolean; readonly trimRight: boolean; readonly place: Place }
  | { readonly kind: 'comment'; readonly trimLeft: boolean; readonly trimRight: boolean; readonly place: Place };

/** A lexing failure at a place. */
export class GoSyntaxError extends Error {
  override readonly name = 'GoSyntaxError';
  readonly place: Place;
  constructor(message: string, place: Place) {
    super(message);
    this.place = place;
  }
}

const SPACE = new Set([' ', '\t', '\r', '\n']);
const ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };

/** Lexes `source` with the given delimiters (Vault Agent's default `{{` and `}}`). */
export function lexGoTemplate(source: string, left = '{{', right = '}}'): GoItem[] {
  const items: GoItem[] = [];
  const lines = lineStarts(source);
  const placeOf = (offset: number): Place => {
    let line = 0;
    while (line + 1 < lines.length && (lines[line + 1] as number) <= offset) line += 1;
    return { line: line + 1, column: offset - (lines[line] as number) + 1 };
  };
  let offset = 0;
  while (offset < source.length) {
    const start = source.indexOf(left, offset);
    if (start < 0) {
      items.push({ kind: 'text', text: source.slice(offset), place: placeOf(offset) });
      break;
    }
    if (start > offset) items.push({ kind: 'text', text: source.slice(offset, start), place: placeOf(offset) });
    let cursor = start + left.length;
    const trimLeft = source[cursor] === '-' && SPACE.has(source[cursor + 1] ?? '');
    if (trimLeft) cursor += 2;
    const place = placeOf(start);
    if (source.startsWith('/*', cursor)) {
      const end = source.indexOf('*/', cursor + 2);
      if (end < 0) throw new GoSyntaxError('unclosed comment', place);
      const after = closing(source, end + 2, right);
      if (!after) throw new GoSyntaxError('comment ends before the closing delimiter', place);
      items.push({ kind: 'comment', trimLeft, trimRight: after.trim, place });
      offset = after.next;
      continue;
    }
    const action = lexAction(source, cursor, right, placeOf, place);
    items.push({ kind: 'action', tokens: action.tokens, trimLeft, trimRight: action.trimRight, place });
    offset = action.next;
  }
  return items;
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i += 1) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

/** The right delimiter at `offset`, optionally after ` -` (a right trim marker). */
function closing(source: string, offset: number, right: string): { next: number; trim: boolean } | undefined {
  if (source.startsWith(right, offset)) return { next: offset + right.length, trim: false };
  if (SPACE.has(source[offset] ?? '') && source[offset + 1] === '-' && source.startsWith(right, offset + 2)) return { next: offset + 2 + right.length, trim: true };
  return undefined;
}

function lexAction(source: string, from: number, right: string, placeOf: (offset: number) => Place, start: Place): { tokens: GoToken[]; trimRight: boolean; next: number } {
  const tokens: GoToken[] = [];
  let i = from;
  const push = (kind: GoToken['kind'], start: number, end: number, value?: string) => {
    const text = source.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, place: placeOf(start), start, end });
  };
  for (;;) {
    if (i >= source.length) throw new GoSyntaxError('unclosed action', start);
    const close = closing(source, i, right);
    if (close) return { tokens, trimRight: close.trim, next: close.next };
    const char = source[i] as string;
    if (SPACE.has(char)) {
      i += 1;
    } else if (char === '"' || char === "'") {
      const end = quotedEnd(source, i, char, placeOf);
      push(char === '"' ? 'string' : 'char', i, end, unquote(source.slice(i + 1, end - 1)));
      i = end;
    } else if (char === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) throw new GoSyntaxError('unterminated raw string', placeOf(i));
      push('string', i, end + 1, source.slice(i + 1, end));
      i = end + 1;
    } else if (char === '.' && /[A-Za-z_]/.test(source[i + 1] ?? '')) {
      const end = wordEnd(source, i + 1);
      push('field', i, end, source.slice(i + 1, end));
      i = end;
    } else if (char === '.' && !/[0-9]/.test(source[i + 1] ?? '')) {
      push('dot', i, i + 1);
      i += 1;
    } else if (char === '$') {
      const end = wordEnd(source, i + 1);
      push('variable', i, end);
      i = end;
    } else if (/[A-Za-z_]/.test(char)) {
      const end = wordEnd(source, i);
      push('identifier', i, end);
      i = end;
    } else if (/[-+0-9.]/.test(char)) {
      const end = /^[-+]?[0-9a-fA-FxXoObB_.eEpPi+-]+/.exec(source.slice(i))?.[0].length ?? 1;
      push('number', i, i + end);
      i += end;
    } else if (source.startsWith(':=', i)) {
      push('declare', i, i + 2);
      i += 2;
    } else {
      const kind = ({ '|': 'pipe', '(': 'open', ')': 'close', '=': 'assign', ',': 'comma' } as const)[char as '|'];
      if (kind === undefined) throw new GoSyntaxError(`unexpected "${char}" in an action`, placeOf(i));
      push(kind, i, i + 1);
      i += 1;
    }
  }
}

function wordEnd(source: string, from: number): number {
  let end = from;
  while (end < source.length && /[A-Za-z0-9_]/.test(source[end] as string)) end += 1;
  return end;
}

function quotedEnd(source: string, start: number, quote: string, placeOf: (offset: number) => Place): number {
  for (let i = start + 1; i < source.length; i += 1) {
    const char = source[i];
    if (char === '\\') i += 1;
    else if (char === quote) return i + 1;
    else if (char === '\n') break;
  }
  throw new GoSyntaxError('unterminated quoted string', placeOf(start));
}

/** Go's escapes in interpreted strings: single letters, \xHH, \uHHHH, \UHHHHHHHH and octal \OOO. */
function unquote(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, escape: string) => {
    if (escape.length === 1) return ESCAPES[escape] ?? escape;
    if (/^[0-7]{3}$/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    return String.fromCodePoint(parseInt(escape.slice(1), 16));
  });
}
