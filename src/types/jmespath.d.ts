/** The parts of the `jmespath` package its published types leave out. */
export {};
declare module 'jmespath' {
  /** Parses an expression into its AST; throws on a syntax error. */
  export function compile(expression: string): unknown;
}
