/** Parses lexed Go template items into a tree of text, outputs and blocks, with Go's whitespace trimming applied. */
import { GoSyntaxError, type GoItem, type GoToken, type Place } from './go-lexer.ts';

/** An argument of a command. `chain` holds the field names that follow it (`$s.Data.data`). */
export type Operand =
  | { readonly kind: 'dot'; readonly chain: readonly string[]; readonly place: Place }
  | { readonly kind: 'variable'; readonly name: string; readonly chain: readonly string[]; readonly place: Place }
  | { readonly kind: 'function'; readonly name: string; readonly place: Place }
  | { readonly kind: 'string'; readonly value: string; readonly place: Place }
  | { readonly kind: 'number'; readonly text: string; readonly place: Place }
  | { readonly kind: 'bool'; readonly value: boolean; readonly place: Place }
  | { readonly kind: 'nil'; readonly place: Place }
  | { readonly kind: 'group'; readonly pipeline: Pipeline; readonly chain: readonly string[]; readonly place: Place };

/** One command of a pipeline: a value, or a function and its arguments. */
export interface Command {
  readonly args: readonly Operand[];
  readonly place: Place;
}

/** `$a, $b := cmd | cmd`. */
export interface Pipeline {
  readonly decl: readonly string[];
  /** `=` rather than `:=`. */
  readonly assign: boolean;
  readonly commands: readonly Command[];
  readonly place: Place;
}

/** A node of the template tree. `else if` is an `if` block alone in the `otherwise` list. */
export type GoNode =
  | { readonly kind: 'text'; readonly text: string; readonly place: Place }
  | { readonly kind: 'output'; readonly pipeline: Pipeline; readonly place: Place }
  | { readonly kind: 'block'; readonly keyword: 'if' | 'with' | 'range'; readonly pipeline: Pipeline; readonly body: GoNode[]; readonly otherwise: GoNode[]; readonly place: Place }
  | { readonly kind: 'control'; readonly keyword: 'break' | 'continue'; readonly place: Place }
  | { readonly kind: 'unsupported'; readonly keyword: string; readonly place: Place };

type BlockNode = Extract<GoNode, { kind: 'block' }>;

interface Frame {
  readonly block: BlockNode;
  inElse: boolean;
  /** Opened by `else if` / `else with`: the same `end` closes it and its parent. */
  readonly chained: boolean;
}

/** Builds the tree; throws GoSyntaxError with a place. */
export function parseGoTemplate(items: readonly GoItem[]): GoNode[] {
  const trimmed = applyTrimming(items);
  const root: GoNode[] = [];
  const frames: Frame[] = [];
  const target = (): GoNode[] => {
    const frame = frames.at(-1);
    if (!frame) return root;
    return frame.inElse ? frame.block.otherwise : frame.block.body;
  };
  for (const item of trimmed) {
    if (item.kind === 'text') {
      if (item.text !== '') target().push({ kind: 'text', text: item.text, place: item.place });
      continue;
    }
    if (item.kind === 'comment') continue;
    const [first, ...rest] = item.tokens;
    if (!first) throw new GoSyntaxError('empty action', item.place);
    const keyword = first.kind === 'identifier' ? first.text : '';
    if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
      const block: BlockNode = { kind: 'block', keyword, pipeline: parsePipeline(rest, first.place), body: [], otherwise: [], place: item.place };
      target().push(block);
      frames.push({ block, inElse: false, chained: false });
    } else if (keyword === 'else') {
      const frame = frames.at(-1);
      if (!frame || frame.inElse) throw new GoSyntaxError('unexpected else', item.place);
      frame.inElse = true;
      const [next, ...condition] = rest;
      if (next?.kind === 'identifier' && (next.text === 'if' || next.text === 'with')) {
        const block: BlockNode = { kind: 'block', keyword: next.text, pipeline: parsePipeline(condition, next.place), body: [], otherwise: [], place: item.place };
        frame.block.otherwise.push(block);
        frames.push({ block, inElse: false, chained: true });
      } else if (next) {
        throw new GoSyntaxError('unexpected tokens after else', next.place);
      }
    } else if (keyword === 'end') {
      let frame = frames.pop();
      if (!frame) throw new GoSyntaxError('unexpected end', item.place);
      while (frame?.chained) frame = frames.pop();
    } else if (keyword === 'break' || keyword === 'continue') {
      target().push({ kind: 'control', keyword, place: item.place });
    } else if (keyword === 'define' || keyword === 'template' || keyword === 'block') {
      target().push({ kind: 'unsupported', keyword, place: item.place });
      if (keyword !== 'template') frames.push({ block: { kind: 'block', keyword: 'if', pipeline: { decl: [], assign: false, commands: [], place: item.place }, body: [], otherwise: [], place: item.place }, inElse: false, chained: false });
    } else {
      target().push({ kind: 'output', pipeline: parsePipeline(item.tokens, item.place), place: item.place });
    }
  }
  const open = frames.at(-1);
  if (open) throw new GoSyntaxError(`${open.block.keyword} has no end`, open.block.place);
  return root;
}

/** Go's `{{-` removes the whitespace before the action, `-}}` the whitespace after it. */
function applyTrimming(items: readonly GoItem[]): GoItem[] {
  const result = items.map((item) => ({ ...item }));
  result.forEach((item, index) => {
    if (item.kind === 'text') return;
    const before = result[index - 1];
    const after = result[index + 1];
    if (item.trimLeft && before?.kind === 'text') before.text = before.text.replace(/[ \t\r\n]+$/, '');
    if (item.trimRight && after?.kind === 'text') after.text = after.text.replace(/^[ \t\r\n]+/, '');
  });
  return result;
}

/** Parses `$a, $b := cmd | cmd ...`. */
export function parsePipeline(tokens: readonly GoToken[], place: Place): Pipeline {
  let rest = tokens;
  const decl: string[] = [];
  let assign = false;
  const declEnd = rest.findIndex((token) => token.kind === 'declare' || token.kind === 'assign');
  if (declEnd > 0 && rest.slice(0, declEnd).every((token, i) => (i % 2 === 0 ? token.kind === 'variable' : token.kind === 'comma'))) {
    for (let i = 0; i < declEnd; i += 2) decl.push((rest[i] as GoToken).text);
    assign = rest[declEnd]?.kind === 'assign';
    rest = rest.slice(declEnd + 1);
  }
  const commands: Command[] = [];
  let depth = 0;
  let start = 0;
  let after = place;
  rest.forEach((token, i) => {
    if (token.kind === 'open') depth += 1;
    else if (token.kind === 'close') depth -= 1;
    else if (token.kind === 'pipe' && depth === 0) {
      commands.push(parseCommand(rest.slice(start, i), token.place));
      start = i + 1;
      after = token.place;
    }
  });
  commands.push(parseCommand(rest.slice(start), rest[start]?.place ?? after));
  return { decl, assign, commands, place };
}

function parseCommand(tokens: readonly GoToken[], place: Place): Command {
  if (tokens.length === 0) throw new GoSyntaxError('missing value in a pipeline', place);
  const args: Operand[] = [];
  let i = 0;
  while (i < tokens.length) {
    const { operand, next } = parseOperand(tokens, i);
    args.push(operand);
    i = next;
  }
  return { args, place: tokens[0]?.place ?? place };
}

function parseOperand(tokens: readonly GoToken[], at: number): { operand: Operand; next: number } {
  const token = tokens[at] as GoToken;
  let next = at + 1;
  const chain = (): string[] => {
    const names: string[] = [];
    while (tokens[next]?.kind === 'field' && tokens[next]?.start === tokens[next - 1]?.end) {
      names.push((tokens[next] as GoToken).value);
      next += 1;
    }
    return names;
  };
  switch (token.kind) {
    case 'field':
      return { operand: { kind: 'dot', chain: [token.value, ...chain()], place: token.place }, next };
    case 'dot':
      return { operand: { kind: 'dot', chain: chain(), place: token.place }, next };
    case 'variable':
      return { operand: { kind: 'variable', name: token.text, chain: chain(), place: token.place }, next };
    case 'string':
    case 'char':
      return { operand: { kind: 'string', value: token.value, place: token.place }, next };
    case 'number':
      return { operand: { kind: 'number', text: token.text, place: token.place }, next };
    case 'identifier':
      if (token.text === 'true' || token.text === 'false') return { operand: { kind: 'bool', value: token.text === 'true', place: token.place }, next };
      if (token.text === 'nil') return { operand: { kind: 'nil', place: token.place }, next };
      return { operand: { kind: 'function', name: token.text, place: token.place }, next };
    case 'open': {
      let depth = 1;
      let end = at + 1;
      while (end < tokens.length && depth > 0) {
        if (tokens[end]?.kind === 'open') depth += 1;
        if (tokens[end]?.kind === 'close') depth -= 1;
        end += 1;
      }
      if (depth > 0) throw new GoSyntaxError('unclosed parenthesis', token.place);
      const pipeline = parsePipeline(tokens.slice(at + 1, end - 1), token.place);
      next = end;
      return { operand: { kind: 'group', pipeline, chain: chain(), place: token.place }, next };
    }
    default:
      throw new GoSyntaxError(`unexpected "${token.text}"`, token.place);
  }
}
