/** Static checks of a JMESPath expression for planning and `courier validate`: it compiles, is short enough, and cannot blow up a small secret. */
import jmespath from 'jmespath';
import { jmesPathCost } from './jmespath-cost.ts';

/** The limits an expression is checked against. */
export interface JmesPathLimits {
  readonly maxJmesPathLength: number;
  readonly maxJmesPathCost: number;
  /** A result may be at most four times this (the bound is conservative); the file it becomes must fit it. */
  readonly maxObjectBytes: number;
}

/** Why an evaluation over `inputBytes` would exceed the limits, or undefined: too many steps, or too large a result. */
export function overBudget(ast: unknown, inputBytes: number, limits: JmesPathLimits): string | undefined {
  const cost = jmesPathCost(ast, inputBytes);
  if (cost.work > limits.maxJmesPathCost) return `could take ${formatCost(cost.work)} steps, over the budget of ${limits.maxJmesPathCost} (--max-jmespath-cost)`;
  const maxOut = 4 * limits.maxObjectBytes;
  if (cost.out > maxOut) return `could produce ${formatCost(cost.out)} bytes, over ${maxOut} (four times --max-object-bytes)`;
  return undefined;
}

/**
 * Compiles `expression`, or says why it is not a JMESPath expression. jmespath accepts some that end
 * before they are complete (`@.` compiles to a subexpression without its right side), which its
 * search would then crash on; those are refused here too.
 */
export function compileJmesPath(expression: string): { readonly ast: unknown } | { readonly error: string } {
  const known = compiled.get(expression);
  if (known) return known;
  const result = compileOnce(expression);
  // Planned classes come back Mount after Mount: each expression is compiled once, not per Mount.
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(expression, result);
  return result;
}

/** Expressions remembered compiled; the oldest go first. Each is at most --max-jmespath-length characters. */
const MAX_COMPILED = 256;
const compiled = new Map<string, { readonly ast: unknown } | { readonly error: string }>();

function compileOnce(expression: string): { readonly ast: unknown } | { readonly error: string } {
  let ast: unknown;
  try {
    ast = jmespath.compile(expression);
  } catch (error) {
    return { error: `is not a valid JMESPath expression: ${(error as Error).message}` };
  }
  return complete(ast) ? { ast } : { error: 'is not a valid JMESPath expression: it ends before an expression is complete (a trailing "." or "|"?)' };
}

/** Whether every node of the tree has all its children. A slice's children are its bounds, any of which may be left out. */
function complete(node: unknown): boolean {
  if (node === null || node === undefined) return false;
  const { type, children = [] } = node as { type?: string; children?: unknown[] };
  return type === 'Slice' || children.every((child) => complete(child));
}

/** Expressions are checked against a secret of this size when planning: one that would exceed its budget on it exceeds it on any real secret. */
const PLANNING_INPUT_BYTES = 64;

/**
 * Why `expression` cannot be used, or undefined. The length is checked before the expression is
 * compiled; the cost bound (jmespath-cost.ts) for a 64-byte secret must stay within the budget.
 * Messages name the flag of the budget; jmespath's compile errors name positions, never values.
 */
export function checkJmesPath(expression: string, limits: JmesPathLimits): string | undefined {
  if (expression.length > limits.maxJmesPathLength) return `is ${expression.length} characters long, over the budget of ${limits.maxJmesPathLength} (--max-jmespath-length)`;
  const compiled = compileJmesPath(expression);
  if ('error' in compiled) return compiled.error;
  const problem = overBudget(compiled.ast, PLANNING_INPUT_BYTES, limits);
  return problem === undefined ? undefined : `${problem} even on a ${PLANNING_INPUT_BYTES}-byte secret: it multiplies its input (e.g. [@,@] repeated)`;
}

/** A cost for messages: exact below a million, else in scientific notation. */
export function formatCost(cost: number): string {
  return Number.isFinite(cost) ? (cost < 1e6 ? String(Math.ceil(cost)) : cost.toExponential(1)) : 'unbounded';
}
