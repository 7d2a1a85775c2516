/** Loads the template engine (LiquidJS and Courier's template code) on first need: a node whose classes have no template never loads it. */
// About 10 MiB of resident memory and 27 ms in a fresh process (docs/operations.md#footprint). Planning
// is synchronous, so whoever plans a class that may hold a template loads the engine first.

type TemplateEngine = typeof import('./index.ts');

let loaded: TemplateEngine | undefined;
let loading: Promise<TemplateEngine> | undefined;

/** Loads the engine once; later calls return the same module. */
export async function loadTemplateEngine(): Promise<TemplateEngine> {
  loading ??= import('./index.ts').then((engine) => (loaded = engine));
  return loading;
}

/** The loaded engine; planning or rendering a template before loadTemplateEngine is a bug. */
export function templateEngine(): TemplateEngine {
  if (!loaded) throw new Error('the template engine was used before it was loaded (loadTemplateEngine)');
  return loaded;
}

/** True once the engine is loaded. */
export function templateEngineLoaded(): boolean {
  return loaded !== undefined;
}

/**
 * Whether a class's parameters may hold a template: every template entry has a `template` key (and the
 * other dialects' `courier.templates`), spelt out or, in a double-quoted YAML key, with escapes, which
 * need a backslash. Over-approximates, which only loads the engine early.
 */
export function mayHoldTemplate(parameters: Readonly<Record<string, string>>): boolean {
  for (const [name, value] of Object.entries(parameters)) if (name.includes('template') || value.includes('template') || value.includes('\\')) return true;
  return false;
}
