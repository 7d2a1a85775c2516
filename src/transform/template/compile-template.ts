/** Parses a template once, within its size budget, into what renderTemplate runs. */
import type { Liquid, Template } from 'liquidjs';
import { ConfigError } from '../../errors/courier-error.ts';
import { DEFAULT_TEMPLATE_BUDGETS, type TemplateBudgets } from './budgets.ts';
import { createEngine } from './engine.ts';
import { parseErrorMessage } from './engine-errors.ts';

/** A parsed template. Opaque: pass it to renderTemplate; it holds no input and may be cached. */
export interface CompiledTemplate {
  readonly engine: Liquid;
  readonly nodes: readonly Template[];
  /** The template's text, to tell its own expressions from ones a function builds. */
  readonly text: string;
}

/** Parses or returns the problem as a message; shared by compileTemplate and checkTemplate. */
export function parseTemplate(text: string, budgets: TemplateBudgets): CompiledTemplate | { readonly problem: string } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > budgets.templateBytes) return { problem: `is ${bytes} bytes, more than the template size budget of ${budgets.templateBytes}` };
  const engine = createEngine(budgets);
  try {
    return { engine, nodes: engine.parse(text), text };
  } catch (error) {
    return { problem: parseErrorMessage(error) };
  }
}

/**
 * Compiles `text` (the template of the object at `field`, e.g. `objects[2].template`). Throws a
 * ConfigError naming the line and column of a syntax error; call checkTemplate first to list them all.
 */
export function compileTemplate(text: string, field: string, budgets: TemplateBudgets = DEFAULT_TEMPLATE_BUDGETS): CompiledTemplate {
  const parsed = parseTemplate(text, budgets);
  if ('problem' in parsed) throw new ConfigError(parsed.problem, { field });
  return parsed;
}
