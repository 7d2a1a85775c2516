/** Helpers for the template tests: render a template over text inputs in one call. */
import { compileTemplate, DEFAULT_TEMPLATE_BUDGETS, renderTemplate, type TemplateBudgets } from '../../../src/transform/template/index.ts';

/** The field every test template is at. */
export const FIELD = 'objects[0].template';

const encoder = new TextEncoder();

/** Inputs as the engine takes them: strings are UTF-8, byte arrays are used as they are. */
export function inputsOf(inputs: Readonly<Record<string, string | Uint8Array>>): Map<string, Uint8Array> {
  return new Map(Object.entries(inputs).map(([name, value]) => [name, typeof value === 'string' ? encoder.encode(value) : value]));
}

/** Compiles and renders `text`; returns the file's bytes. */
export function renderBytes(text: string, inputs: Readonly<Record<string, string | Uint8Array>> = {}, budgets: Partial<TemplateBudgets> = {}): Uint8Array {
  const all = { ...DEFAULT_TEMPLATE_BUDGETS, ...budgets };
  return renderTemplate(compileTemplate(text, FIELD, all), inputsOf(inputs), all, FIELD);
}

/** Compiles and renders `text`; returns the file as text. */
export function render(text: string, inputs: Readonly<Record<string, string | Uint8Array>> = {}, budgets: Partial<TemplateBudgets> = {}): string {
  return Buffer.from(renderBytes(text, inputs, budgets)).toString('utf8');
}
