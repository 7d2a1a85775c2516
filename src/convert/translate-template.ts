/** Translates a Vault Agent (Go text/template) template into a Courier (Liquid) template and its Vault inputs. */
import { evaluatePipeline, untranslatableReason, type Scope } from './evaluate.ts';
import { GoSyntaxError, lexGoTemplate, type Place } from './go-lexer.ts';
import { parseGoTemplate, type GoNode, type Pipeline } from './go-parser.ts';
import { liquidText } from './liquid-writer.ts';
import { liquidOf, Translation, Untranslatable, type GoValue, type InputUse, type Note } from './translation.ts';

/** One input of the translated template: a Vault path, and for writes a method and body. */
export interface TranslatedInput {
  readonly name: string;
  /** The path as Courier's vault store takes it (KV version 2 without `data/`). */
  readonly path: string;
  readonly args: Readonly<Record<string, string>>;
}

/** The translation; `liquid` is undefined when the Go template could not be read at all. */
export interface TemplateTranslation {
  readonly liquid: string | undefined;
  readonly inputs: readonly TranslatedInput[];
  readonly notes: readonly Note[];
}

type Block = Extract<GoNode, { kind: 'block' }>;

/** A KV version 2 API path: the mount, `data/`, the secret's path. */
const KV2_PATH = /^([^/]+)\/data\//;

/** How to read the template. */
export interface TranslateOptions {
  readonly left?: string;
  readonly right?: string;
  /** The name to give the input that reads `path` (the injector's name for the secret). */
  readonly inputName?: { readonly path: string; readonly name: string };
}

/** Translates `source`; every part it cannot translate is a note with its line and column. */
export function translateTemplate(source: string, options: TranslateOptions = {}): TemplateTranslation {
  const translation = new Translation(options.inputName);
  let tree: GoNode[];
  try {
    tree = parseGoTemplate(lexGoTemplate(source, options.left, options.right));
  } catch (error) {
    if (!(error instanceof GoSyntaxError)) throw error;
    translation.report('untranslated', `the template is not valid Go template syntax: ${error.message}`, error.place);
    return { liquid: undefined, inputs: [], notes: translation.notes };
  }
  const root: Scope = { dot: { kind: 'root' }, vars: new Map(), parent: undefined, inRange: false };
  const liquid = writeNodes(tree, root, translation);
  return { liquid, inputs: finishInputs(translation), notes: translation.notes };
}

function writeNodes(nodes: readonly GoNode[], scope: Scope, translation: Translation): string {
  return nodes.map((node) => writeNode(node, scope, translation)).join('');
}

function writeNode(node: GoNode, scope: Scope, translation: Translation): string {
  try {
    switch (node.kind) {
      case 'text':
        return liquidText(node.text);
      case 'output':
        return writeOutput(node.pipeline, scope, translation);
      case 'block':
        return writeBlock(node, scope, translation);
      case 'control':
        if (!scope.inRange) throw new Untranslatable(`${node.keyword} outside a range`, node.place);
        return `{% ${node.keyword} %}`;
      case 'unsupported':
        throw new Untranslatable(`${node.keyword}: named templates are not supported`, node.place);
    }
  } catch (error) {
    if (!(error instanceof Untranslatable)) throw error;
    translation.report('untranslated', error.message, error.place);
    if (node.kind === 'block') reportSkipped([...node.body, ...node.otherwise], translation);
    return '';
  }
}

/** Inside a block that was dropped, the functions that have no translation are still worth a line each. */
function reportSkipped(nodes: readonly GoNode[], translation: Translation): void {
  for (const node of nodes) {
    if (node.kind === 'block') {
      reportFunctions(node.pipeline, translation);
      reportSkipped([...node.body, ...node.otherwise], translation);
    } else if (node.kind === 'output') {
      reportFunctions(node.pipeline, translation);
    }
  }
}

function reportFunctions(pipeline: Pipeline, translation: Translation): void {
  for (const command of pipeline.commands) {
    for (const operand of command.args) {
      const reason = operand.kind === 'function' ? untranslatableReason(operand.name) : undefined;
      if (reason !== undefined) translation.report('untranslated', reason, operand.place);
      if (operand.kind === 'group') reportFunctions(operand.pipeline, translation);
    }
  }
}

/** `{{ value }}`, or `{{ $x := value }}` which writes nothing. */
function writeOutput(pipeline: Pipeline, scope: Scope, translation: Translation): string {
  if (pipeline.assign) throw new Untranslatable('assigning to an existing variable ($x = ...) is not translated', pipeline.place);
  const value = evaluatePipeline(pipeline, scope, translation);
  if (pipeline.decl.length > 0) return declare(pipeline.decl, value, pipeline.place, scope, translation);
  if ((value.kind === 'path' && value.keys.length === 0 && value.input) || value.kind === 'data') {
    throw new Untranslatable('a whole secret is written in Go\'s map[...] form, which Courier does not reproduce; write its keys, or use toJSON', pipeline.place);
  }
  if (value.kind === 'secret' || value.kind === 'root') throw new Untranslatable('a whole Vault response is written; write keys of .Data', pipeline.place);
  return `{{ ${liquidOf(value, pipeline.place)} }}`;
}

/** Binds a variable: a path is bound as it is; a computed value is assigned to a Liquid variable. */
function declare(names: readonly string[], value: GoValue, place: Place, scope: Scope, translation: Translation): string {
  const [name] = names;
  if (names.length !== 1 || name === undefined) throw new Untranslatable('declaring several variables outside range', place);
  if (value.kind !== 'expression') {
    scope.vars.set(name, value);
    return '';
  }
  const liquidName = translation.fresh(name.slice(1) || 'value');
  scope.vars.set(name, { kind: 'path', base: liquidName, keys: [] });
  return `{% assign ${liquidName} = ${value.liquid} %}`;
}

function writeBlock(block: Block, scope: Scope, translation: Translation): string {
  if (block.keyword === 'range') return writeRange(block, scope, translation);
  if (block.keyword === 'if') {
    const condition = conditionOf(block.pipeline, scope, translation);
    return writeBranches(condition, block, child(scope, scope.dot), scope, translation);
  }
  const value = evaluatePipeline({ ...block.pipeline, decl: [] }, scope, translation);
  const inner = child(scope, value);
  const [name] = block.pipeline.decl;
  if (name !== undefined) inner.vars.set(name, value);
  if (value.kind === 'secret') {
    // with secret: the body runs with the response as dot; a missing secret fails the Mount instead of running else.
    if (block.otherwise.length > 0) translation.report('untranslated', 'the else of a with secret block is dropped: Courier fails the Mount when a secret is missing', block.place);
    return writeNodes(block.body, inner, translation);
  }
  return writeBranches({ tag: 'if', test: truthy(value, block.pipeline.place) }, block, inner, scope, translation);
}

function writeBranches(condition: Condition, block: Block, bodyScope: Scope, elseScope: Scope, translation: Translation): string {
  const body = writeNodes(block.body, bodyScope, translation);
  const otherwise = block.otherwise.length > 0 ? `{% else %}${writeNodes(block.otherwise, child(elseScope, elseScope.dot), translation)}` : '';
  return `{% ${condition.tag} ${condition.test} %}${body}${otherwise}{% end${condition.tag} %}`;
}

/** `range $k, $v := X`: X's keys, sorted as Go's range sorts a map, then X[key] for the value. */
function writeRange(block: Block, scope: Scope, translation: Translation): string {
  let collection = evaluatePipeline({ ...block.pipeline, decl: [] }, scope, translation);
  let prefix = '';
  if (collection.kind === 'expression') {
    const name = translation.fresh('items');
    prefix = `{% assign ${name} = ${collection.liquid} %}`;
    collection = { kind: 'path', base: name, keys: [] };
  }
  const target = liquidOf(collection, block.pipeline.place);
  const [first, second] = block.pipeline.decl;
  const keys = translation.fresh('keys');
  const key = translation.fresh(second !== undefined && first ? first.slice(1) : 'key');
  const element: GoValue = { kind: 'path', base: target, keys: [{ expression: key }] };
  const inner: Scope = { dot: element, vars: new Map(), parent: scope, inRange: true };
  if (second !== undefined && first !== undefined) {
    inner.vars.set(first, { kind: 'path', base: key, keys: [] });
    inner.vars.set(second, element);
  } else if (first !== undefined) {
    inner.vars.set(first, element);
  }
  const body = writeNodes(block.body, inner, translation);
  const otherwise = block.otherwise.length > 0 ? `{% else %}${writeNodes(block.otherwise, child(scope, scope.dot), translation)}` : '';
  return `${prefix}{% assign ${keys} = ${target} | keys %}{% for ${key} in ${keys} %}${body}${otherwise}{% endfor %}`;
}

interface Condition {
  readonly tag: 'if' | 'unless';
  readonly test: string;
}

/** Go's truth (not false, 0, nil or empty) as closely as Liquid can test it: only 0 differs. */
function truthy(value: GoValue, place: Place): string {
  if (value.kind === 'expression' && value.filtered) throw new Untranslatable('a condition on a function\'s result cannot be tested in Liquid; assign it to a variable first', place);
  const liquid = liquidOf(value, place);
  return `${liquid} != empty and ${liquid}`;
}

function conditionOf(pipeline: Pipeline, scope: Scope, translation: Translation): Condition {
  const [command, ...more] = pipeline.commands;
  const [head, ...args] = command?.args ?? [];
  if (pipeline.decl.length > 0 || more.length > 0 || !head) throw new Untranslatable('only simple conditions (a value, not, eq, ne) are translated', pipeline.place);
  if (head.kind !== 'function') return { tag: 'if', test: truthy(evaluatePipeline(pipeline, scope, translation), pipeline.place) };
  const values = args.map((arg) => evaluatePipeline({ decl: [], assign: false, commands: [{ args: [arg], place: arg.place }], place: arg.place }, scope, translation));
  const [a, b] = values;
  if (head.name === 'not' && a && values.length === 1) return { tag: 'unless', test: truthy(a, head.place) };
  if ((head.name === 'eq' || head.name === 'ne') && a && b && values.length === 2) {
    if ([a, b].some((value) => value.kind === 'expression' && value.filtered)) throw new Untranslatable(`${head.name} of a function's result cannot be tested in Liquid`, head.place);
    return { tag: 'if', test: `${liquidOf(a, head.place)} ${head.name === 'eq' ? '==' : '!='} ${liquidOf(b, head.place)}` };
  }
  throw new Untranslatable(`the condition ${head.name} is not translated; only a value, not, eq and ne are`, head.place);
}

function child(scope: Scope, dot: GoValue): { dot: GoValue; vars: Map<string, GoValue>; parent: Scope; inRange: boolean } {
  return { dot, vars: new Map(), parent: scope, inRange: scope.inRange };
}

/** KV version 2 reads drop `data/` from the path; reading both .Data.data and .Data.x of one secret is reported. */
function finishInputs(translation: Translation): TranslatedInput[] {
  return translation.inputs.map((input: InputUse) => {
    const kv2 = input.kv2.length > 0;
    // A KV version 2 secret is known by its reads of .Data.data, or by its API path (mount/data/...).
    if (kv2 || KV2_PATH.test(input.path)) {
      for (const use of input.flat) {
        translation.report('untranslated', use.key === '*' ? 'all of .Data of a KV version 2 secret (data and metadata) is used; Courier reads only the data' : `.Data.${use.key} of a KV version 2 secret is not available; Courier reads only .Data.data`, use.place);
      }
    }
    const path = kv2 ? input.path.replace(KV2_PATH, '$1/') : input.path;
    if (Object.keys(input.args).length > 0) {
      translation.report('note', `secret "${input.path}" with arguments writes to Vault (PUT) on every Mount: with rotation on, a new ${/^[^/]+\/issue\//.test(input.path) ? 'certificate is issued' : 'secret is made'} at each rotation poll`);
    }
    return { name: input.name, path, args: input.args };
  });
}
