/** Static checks of a template: size, syntax and references to inputs it was not given. */
import { analyzeSync, type Template } from 'liquidjs';
import { nearestKey } from '../../spc/fields.ts';
import type { ConfigIssue } from '../../spc/types.ts';
import { DEFAULT_TEMPLATE_BUDGETS, type TemplateBudgets } from './budgets.ts';
import { parseTemplate } from './compile-template.ts';

/** Names LiquidJS defines inside blocks; not inputs. */
const BUILT_IN_NAMES = new Set(['forloop']);

/**
 * Every problem of the template at `field` (e.g. `objects[2].template`) that can be found without
 * its inputs: too large, a syntax error (LiquidJS stops at the first), and each name it reads that
 * is neither one of `inputNames` nor assigned by the template itself. Pure; never throws.
 */
export function checkTemplate(text: string, inputNames: readonly string[], field: string, budgets: TemplateBudgets = DEFAULT_TEMPLATE_BUDGETS): ConfigIssue[] {
  const parsed = parseTemplate(text, budgets);
  if ('problem' in parsed) return [{ field, message: parsed.problem }];
  return unknownNames(parsed.nodes, inputNames).map((message) => ({ field, message }));
}

function unknownNames(nodes: readonly Template[], inputNames: readonly string[]): string[] {
  const analysis = analyzeSync([...nodes], { partials: false });
  const messages: string[] = [];
  for (const [name, uses] of Object.entries(analysis.globals)) {
    if (inputNames.includes(name) || BUILT_IN_NAMES.has(name)) continue;
    const first = uses[0]?.location;
    const at = first ? `line ${first.row}, column ${first.col}: ` : '';
    messages.push(`${at}"${name}" is not an input${hint(name, inputNames)}`);
  }
  return messages;
}

function hint(name: string, inputNames: readonly string[]): string {
  const near = nearestKey(name, inputNames);
  if (near !== undefined) return `; did you mean "${near}"?`;
  return inputNames.length === 0 ? '; the template has no inputs' : `; the inputs are ${inputNames.join(', ')}`;
}
