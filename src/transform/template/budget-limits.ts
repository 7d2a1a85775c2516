/** What one template may cost, and the defaults: plain values, so code that only reads them never loads the template engine. */

/** What one template may cost. Every limit is checked while the template is parsed or rendered. */
export interface TemplateBudgets {
  /** Largest template text, in UTF-8 bytes (checked before parsing). */
  readonly templateBytes: number;
  /** Largest rendered file, in bytes; nothing past it is ever produced (captured text counts too). */
  readonly outputBytes: number;
  /** Most template nodes rendered: each text, output and tag, once per loop iteration. */
  readonly steps: number;
  /** Longest render, in milliseconds of the time it ran (pauses for other tenants' work left out). */
  readonly renderMs: number;
  /** LiquidJS's allocation budget: the lengths of the strings and lists filters and ranges create (its memoryLimit). */
  readonly memory: number;
}

/**
 * Defaults sized for configuration files: a file the driver can still sync (1 MiB), and far more
 * steps than a connection string or config file needs (an env file of 1,000 keys takes about
 * 4,000). A step costs 2–5 µs, so the step budget is spent in 40–100 ms, before the time budget,
 * which stays as a backstop for slow filters on large inputs. A long render pauses for other
 * tenants' work (render-template.ts), so neither budget is what keeps a node responsive.
 */
export const DEFAULT_TEMPLATE_BUDGETS: TemplateBudgets = Object.freeze({
  templateBytes: 64 * 1024,
  outputBytes: 1024 * 1024,
  steps: 20_000,
  renderMs: 250,
  memory: 8 * 1024 * 1024,
});
