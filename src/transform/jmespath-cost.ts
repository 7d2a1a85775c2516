/** An upper bound on what a JMESPath expression can cost over an input of a given size, computed from its syntax tree before it runs. */

/**
 * What an expression costs over an input of `size` JSON bytes: `out` bounds the size of its result
 * (as JSON, every shared reference counted each time it would be written), `work` the steps of the
 * evaluation. An expression such as `[@,@] | [@,@] | ...` doubles `out` at every stage.
 */
export interface Cost {
  readonly out: number;
  readonly work: number;
}

/** `a × size + b`: every bound below is affine in the input size, so one pass over the tree computes it. */
interface Affine {
  readonly a: number;
  readonly b: number;
}

/** Both bounds of a node, as functions of the size of that node's own input. */
interface Bounds {
  readonly out: Affine;
  readonly work: Affine;
}

/** A node of the tree `jmespath.compile` returns. */
interface AstNode {
  readonly type: string;
  readonly name?: string;
  readonly value?: unknown;
  readonly children?: readonly unknown[];
}

/** Escaping can make a string's JSON up to six times longer (`\u0000`), so to_string may grow its input that much. */
const ESCAPE_FACTOR = 6;
/** Sorting n elements takes n·log2(n) steps; inputs are below 2^32 bytes, so at most 32 steps per byte. */
const SORT_FACTOR = 32;

const IDENTITY: Affine = { a: 1, b: 0 };
/** A part of the input, or `null` (4 bytes) when there is none. */
const PART: Affine = { a: 1, b: 4 };
/** The longest number or keyword a function such as length or type can return, as JSON. */
const SCALAR_BYTES = 24;
const ZERO: Affine = { a: 0, b: 0 };
const ONE: Affine = { a: 0, b: 1 };

/** Functions that apply an &expression to every element of an array argument. */
const APPLYING = new Set(['map', 'sort_by', 'max_by', 'min_by']);

/**
 * The cost of evaluating `ast` (from `jmespath.compile`) over an input of `size` bytes. Conservative:
 * shared references count as copies, and a projection's constant part (a literal) is charged once per
 * element, of which there are at most as many as bytes. Linear in the size of the tree.
 */
export function jmesPathCost(ast: unknown, size: number): Cost {
  const { out, work } = bounds(ast);
  return { out: at(out, size), work: at(work, size) };
}

function bounds(ast: unknown): Bounds {
  const node = ast as AstNode;
  const children = (node.children ?? []);
  switch (node.type) {
    case 'Field':
    case 'Identity':
    case 'Current':
    case 'Index':
      return { out: PART, work: ONE };
    case 'Literal':
      return { out: { a: 0, b: literalSize(node.value) }, work: ONE };
    case 'Slice':
      return { out: PART, work: { a: 1, b: 1 } };
    case 'Subexpression':
    case 'IndexExpression':
    case 'Pipe':
      return chain(children.map(bounds));
    case 'Projection':
    case 'ValueProjection':
      return project(bounds(children[0]), bounds(children[1]), undefined);
    case 'FilterProjection':
      return project(bounds(children[0]), bounds(children[1]), bounds(children[2]));
    case 'Flatten': {
      const inner = bounds(children[0]);
      return { out: inner.out, work: add(inner.work, inner.out) };
    }
    case 'MultiSelectList': {
      // Brackets and a comma per element besides the elements.
      const all = sum(children.map(bounds));
      return { out: add(all.out, { a: 0, b: children.length + 2 }), work: all.work };
    }
    case 'OrExpression':
    case 'AndExpression':
      return sum(children.map(bounds));
    case 'MultiSelectHash': {
      const all = sum(children.map((pair) => keyValue(pair as AstNode)));
      return { out: add(all.out, { a: 0, b: 2 }), work: all.work };
    }
    case 'NotExpression':
      return { out: ONE, work: bounds(children[0]).work };
    case 'Comparator': {
      const both = sum(children.map(bounds));
      return { out: ONE, work: add(both.work, both.out) };
    }
    case 'Function':
      return functionBounds(node.name ?? '', children);
    case 'ExpressionReference':
      return bounds(children[0]);
    default:
      // An unknown node is charged at least what a Field is, per byte.
      return { out: PART, work: { a: 1, b: 1 } };
  }
}

/** `a.b`, `a[0]`, `a | b`: each stage runs over the previous stage's result. */
function chain(stages: readonly Bounds[]): Bounds {
  let out = IDENTITY;
  let work = ZERO;
  for (const stage of stages) {
    work = add(work, compose(stage.work, out));
    out = compose(stage.out, out);
  }
  return { out, work };
}

/**
 * A projection applies `right` (and a filter's `condition`) to each element of the left side's
 * result: for elements of sizes x1..xk, Σ(a·xi + b) ≤ (a + b)·Σxi, since k ≤ Σxi.
 */
function project(left: Bounds, right: Bounds, condition: Bounds | undefined): Bounds {
  const perByte = (bound: Affine, extra: number) => scale(left.out, bound.a + bound.b + extra);
  const work = add(add(left.work, perByte(right.work, 1)), condition === undefined ? ZERO : perByte(condition.work, 1));
  // Each element also costs a comma, and the list its brackets.
  return { out: add(perByte(right.out, 1), { a: 0, b: 2 }), work };
}

function keyValue(pair: AstNode): Bounds {
  const value = bounds(pair.value);
  return { out: add(value.out, { a: 0, b: (pair.name?.length ?? 0) + 4 }), work: value.work };
}

function functionBounds(name: string, args: readonly unknown[]): Bounds {
  if (APPLYING.has(name)) {
    // The &expression is applied to every element of the other argument, the array.
    const first = args[0] as AstNode | undefined;
    const expression = first?.type === 'ExpressionReference' ? args[0] : args[1];
    const array = bounds(expression === args[0] ? args[1] : args[0]);
    const applied = project(array, bounds(expression), undefined);
    const sorting = name === 'sort_by' ? scale(array.out, SORT_FACTOR) : ZERO;
    return { out: add(name === 'map' ? applied.out : array.out, { a: 0, b: SCALAR_BYTES }), work: add(applied.work, sorting) };
  }
  const inputs = sum(args.map(bounds));
  if (name === 'to_string') return { out: add(scale(inputs.out, ESCAPE_FACTOR), { a: 0, b: 2 }), work: add(inputs.work, inputs.out) };
  // Every other built-in (length, keys, max, join, merge, sort, ...) returns no more than its arguments hold;
  // an unknown function fails when it runs and is charged the same.
  const sorting = name === 'sort' ? scale(inputs.out, SORT_FACTOR) : ZERO;
  return { out: add(inputs.out, { a: 0, b: SCALAR_BYTES }), work: add(add(inputs.work, inputs.out), sorting) };
}

function sum(parts: readonly Bounds[]): Bounds {
  return parts.reduce((total, part) => ({ out: add(total.out, part.out), work: add(total.work, part.work) }), { out: ZERO, work: ZERO });
}

/** f(g(x)) for affine f and g. */
function compose(f: Affine, g: Affine): Affine {
  return { a: f.a * g.a, b: f.a * g.b + f.b };
}

function add(f: Affine, g: Affine): Affine {
  return { a: f.a + g.a, b: f.b + g.b };
}

function scale(f: Affine, factor: number): Affine {
  return { a: f.a * factor, b: f.b * factor };
}

function at(f: Affine, size: number): number {
  return f.a * size + f.b;
}

function literalSize(value: unknown): number {
  try {
    return JSON.stringify(value ?? null).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
