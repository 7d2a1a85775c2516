/** Writes pieces of Liquid source: literal text, string literals and paths, always parsing back to the same value. */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STRING_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A Liquid string literal for `value`. */
export function liquidString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (char) => STRING_ESCAPES[char] ?? char)}"`;
}

/**
 * Literal text as Liquid text. A `{` that could start a tag or an output (followed by `{` or `%`,
 * or last, since the next piece may begin with one) is written as an output of the string "{".
 */
export function liquidText(text: string): string {
  return text.replace(/\{(?=[{%]|$)/g, '{{ "{" }}');
}

/** One step of a path: a literal key, or a Liquid expression whose value is the key. */
export type PathKey = { readonly literal: string | number } | { readonly expression: string };

/** `db.user`, `db["api-key"]`, `list[0]`, `db[key]`. */
export function liquidPath(base: string, keys: readonly PathKey[]): string {
  let text = base;
  for (const key of keys) {
    if ('expression' in key) text += `[${key.expression}]`;
    else if (typeof key.literal === 'number') text += `[${key.literal}]`;
    else text += IDENTIFIER.test(key.literal) ? `.${key.literal}` : `[${liquidString(key.literal)}]`;
  }
  return text;
}
