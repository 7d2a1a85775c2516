/** The template engine's API: check, compile, render and version template objects. */
export { DEFAULT_TEMPLATE_BUDGETS, type TemplateBudgets } from './budgets.ts';
export { checkTemplate } from './check-template.ts';
export { compileTemplate, type CompiledTemplate } from './compile-template.ts';
export { renderTemplate, renderTemplateSteps } from './render-template.ts';
export { templateVersion } from './template-version.ts';
export { INPUT_NAME } from './input-name.ts';
