/** Evaluates Go pipelines statically into the Liquid values they stand for, translating Vault Agent's functions. */
import type { Place } from './go-lexer.ts';
import type { Command, Operand, Pipeline } from './go-parser.ts';
import { liquidString } from './liquid-writer.ts';
import { fieldOf, indexOf, liquidOf, Untranslatable, type GoValue, type Translation } from './translation.ts';

/** Go's variables and dot, by block. */
export interface Scope {
  readonly dot: GoValue;
  readonly vars: Map<string, GoValue>;
  readonly parent: Scope | undefined;
  readonly inRange: boolean;
}

/** One-argument functions and the Liquid filter each becomes. */
const FILTERS: Readonly<Record<string, string>> = {
  base64Decode: 'base64_decode',
  base64URLDecode: 'base64_decode',
  base64Encode: 'base64_encode',
  toJSON: 'json',
  toJSONPretty: 'json: 2',
  toYAML: 'yaml',
  trimSpace: 'strip',
  toLower: 'downcase',
  toUpper: 'upcase',
};

/** Functions of Vault Agent's template language that have no Courier translation, and why. */
const UNTRANSLATABLE: Readonly<Record<string, string>> = {
  pkiCert: 'keeps an issued certificate across renders; issue it with `secret "pki/issue/<role>" "common_name=..."` (a write on every Mount) or store it',
  writeToFile: 'writes files beside the template; make each file its own object',
  secrets: 'lists a path; list the secrets you need as inputs',
  env: 'templates cannot read environment variables',
  file: 'templates cannot read files',
  timestamp: 'templates cannot read the clock',
  executeTemplate: 'named templates are not supported',
  plugin: 'templates cannot run programs',
  sockaddr: 'templates cannot read network interfaces',
};

/** Why a Vault Agent function has no translation, for the functions known to have none. */
export function untranslatableReason(name: string): string | undefined {
  const reason = UNTRANSLATABLE[name];
  return reason === undefined ? undefined : `${name}: ${reason}`;
}

/** The value of a whole pipeline. */
export function evaluatePipeline(pipeline: Pipeline, scope: Scope, translation: Translation): GoValue {
  let value: GoValue | undefined;
  for (const command of pipeline.commands) value = evaluateCommand(command, value, scope, translation);
  if (value === undefined) throw new Untranslatable('an empty pipeline', pipeline.place);
  return value;
}

function evaluateCommand(command: Command, piped: GoValue | undefined, scope: Scope, translation: Translation): GoValue {
  const [head, ...rest] = command.args;
  if (!head) throw new Untranslatable('an empty command', command.place);
  if (head.kind !== 'function') {
    if (rest.length > 0 || piped) throw new Untranslatable('only a function can take arguments', head.place);
    return evaluateOperand(head, scope, translation);
  }
  const args = rest.map((operand) => evaluateOperand(operand, scope, translation));
  if (piped) args.push(piped);
  return callFunction(head.name, args, rest, head.place, translation);
}

function callFunction(name: string, args: GoValue[], operands: readonly Operand[], place: Place, translation: Translation): GoValue {
  const filter = FILTERS[name];
  if (filter !== undefined) {
    const [argument] = args;
    if (args.length !== 1 || !argument) throw new Untranslatable(`${name} takes one argument`, place);
    if (name === 'toJSON' || name === 'toJSONPretty') {
      translation.report('note', `${name}: Courier's json writes <, > and & as they are where Go writes \\u003c, \\u003e and \\u0026 (the JSON means the same)`, place);
    }
    if (name === 'toYAML') translation.report('note', 'toYAML: Courier\'s yaml writes keys sorted in its own YAML style; the document means the same', place);
    return { kind: 'expression', liquid: `${liquidOf(argument, place)} | ${filter}`, filtered: true };
  }
  switch (name) {
    case 'secret':
      return secretCall(operands, args, place, translation);
    case 'index': {
      const [target, ...keys] = args;
      if (!target || keys.length === 0) throw new Untranslatable('index needs a value and at least one key', place);
      return keys.reduce((value, key) => indexOf(value, key, place), target);
    }
    case 'replaceAll': {
      const [from, to, value] = args;
      if (!from || !to || !value || from.kind !== 'expression' || to.kind !== 'expression' || args.length !== 3) throw new Untranslatable('replaceAll needs two literal strings and a value', place);
      return { kind: 'expression', liquid: `${liquidOf(value, place)} | replace: ${from.liquid}, ${to.liquid}`, filtered: true };
    }
    case 'printf': {
      const [format, value] = args;
      if (format?.kind === 'expression' && (format.literal === '%s' || format.literal === '%v') && value && args.length === 2) return value;
      throw new Untranslatable('printf is translated only as printf "%s" value', place);
    }
    default:
      throw new Untranslatable(untranslatableReason(name) ?? `the function ${name} is not translated`, place);
  }
}

/** `secret "path" "key=value"...`: a read, or with arguments a write (as Vault Agent does). */
function secretCall(operands: readonly Operand[], args: readonly GoValue[], place: Place, translation: Translation): GoValue {
  const strings = operands.map((operand) => (operand.kind === 'string' ? operand.value : undefined));
  if (strings.length === 0 || strings.length !== args.length || strings.some((value) => value === undefined)) {
    throw new Untranslatable('secret is translated only with literal strings as arguments', place);
  }
  const [path, ...pairs] = strings as string[];
  const body: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Untranslatable(`the secret argument "${pair}" is not key=value`, place);
    body[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const trimmed = (path as string).replace(/^\/+/, '').replace(/^v1\//, '');
  return { kind: 'secret', input: translation.input(trimmed, body) };
}

function evaluateOperand(operand: Operand, scope: Scope, translation: Translation): GoValue {
  switch (operand.kind) {
    case 'dot':
      return operand.chain.reduce((value, name) => fieldOf(value, name, operand.place), scope.dot);
    case 'variable': {
      const start = operand.name === '$' ? rootOf(scope) : lookup(scope, operand.name);
      if (!start) throw new Untranslatable(`${operand.name} is not defined`, operand.place);
      return operand.chain.reduce((value, name) => fieldOf(value, name, operand.place), start);
    }
    case 'string':
      return { kind: 'expression', liquid: liquidString(operand.value), filtered: false, literal: operand.value };
    case 'number':
      if (!/^-?\d+(?:\.\d+)?$/.test(operand.text)) throw new Untranslatable(`the number ${operand.text}`, operand.place);
      return { kind: 'expression', liquid: operand.text, filtered: false, ...(/^-?\d+$/.test(operand.text) ? { literal: Number(operand.text) } : {}) };
    case 'bool':
      return { kind: 'expression', liquid: String(operand.value), filtered: false };
    case 'nil':
      return { kind: 'expression', liquid: 'nil', filtered: false };
    case 'group': {
      const value = evaluatePipeline(operand.pipeline, scope, translation);
      return operand.chain.reduce((current, name) => fieldOf(current, name, operand.place), value);
    }
    case 'function':
      return callFunction(operand.name, [], [], operand.place, translation);
  }
}

/** A variable's value, looked up through the enclosing blocks. */
export function lookup(scope: Scope | undefined, name: string): GoValue | undefined {
  for (let current = scope; current; current = current.parent) {
    const value = current.vars.get(name);
    if (value) return value;
  }
  return undefined;
}

function rootOf(scope: Scope): GoValue {
  let current = scope;
  while (current.parent) current = current.parent;
  return current.dot;
}
