/** Template functions that quote a value for a shell script or a .env file. */
import type { FilterThis } from './filter-this.ts';
import { toText } from '../budgets.ts';

/**
 * `export DB_PASSWORD={{ db.password | sh_quote }}`: one POSIX shell word that is exactly the value:
 * single quotes, each `'` written as `'\''`. Newlines stay as they are, which sh reads back unchanged.
 */
export function shQuote(this: FilterThis, value: unknown): string {
  const text = toText(value);
  this.context.memoryLimit.use(text.length + 2);
  return `'${text.replaceAll("'", "'\\''")}'`;
}

const ENV_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', $: '\\$', '`': '\\`', '\n': '\\n', '\r': '\\r' };

/**
 * `DB_PASSWORD={{ db.password | env_quote }}`: a double-quoted .env value on one line, with `\`,
 * `"`, `$` and backquote escaped by a backslash and newlines written as `\n` (the dotenv readers'
 * convention: docker compose, python-dotenv, godotenv).
 */
export function envQuote(this: FilterThis, value: unknown): string {
  const text = toText(value);
  this.context.memoryLimit.use(text.length * 2 + 2);
  return `"${text.replace(/[\\"$`\n\r]/g, (char) => ENV_ESCAPES[char] ?? char)}"`;
}
