/** Renders a compiled template over its inputs' bytes, within its budgets, into the file's bytes. */
import { Context, toValueSync } from 'liquidjs';
import type { CourierError } from '../../errors/courier-error.ts';
import { FileEmitter, RenderMeter, type TemplateBudgets } from './budgets.ts';
import type { CompiledTemplate } from './compile-template.ts';
import { attachMeter } from './engine.ts';
import { renderError } from './engine-errors.ts';
import { toTemplateValue } from './values.ts';

/**
 * Renders `compiled` with `inputs` (input name to the bytes its object resolved to). Pure and
 * synchronous; throws only CourierErrors with `field` (the template's field, e.g.
 * `objects[2].template`): ConfigError for misuse or a spent budget, NotFoundError for a missing key.
 * Messages name the line, column and key, never a value.
 */
export function renderTemplate(compiled: CompiledTemplate, inputs: ReadonlyMap<string, Uint8Array>, budgets: TemplateBudgets, field: string): Uint8Array {
  // A null-prototype scope: an input named "constructor" or "__proto__" is just a name.
  const scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const meter = new RenderMeter(budgets);
  const file = new FileEmitter(meter);
  try {
    for (const [name, bytes] of inputs) scope[name] = toTemplateValue(bytes, name);
    const ctx = new Context(scope, compiled.engine.options, { sync: true, memoryLimit: budgets.memory, renderLimit: budgets.renderMs }, { liquid: compiled.engine });
    attachMeter(ctx, meter);
    toValueSync(compiled.engine.renderer.renderTemplates([...compiled.nodes], ctx, file));
  } catch (error) {
    throw renderError(error, { field, budgets, inputNames: new Set(inputs.keys()), text: compiled.text }) satisfies CourierError;
  }
  return file.contents();
}
