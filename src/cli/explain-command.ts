/** `courier explain`: what Courier would do for a SecretProviderClass — stores, identities, files, steps, socket — without fetching anything. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_BUDGETS } from '../spc/budgets.ts';
import { DEFAULT_PERMISSION } from '../spc/decode-request.ts';
import { planParameters } from '../spc/plan.ts';
import { loadTemplateEngine } from '../transform/template/engine-loader.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import type { StoresFlags } from '../stores/start-stores.ts';
import { explainPlan } from './explain-plan.ts';
import { lazyKube } from './lazy-kube.ts';
import { serviceAccountMounting } from './manifest-pods.ts';
import { kubeApiConfigured } from './pod-event-parts.ts';
import { readManifest } from './spc-manifest.ts';

/** The command's options, as commander parsed them. */
export interface ExplainFlags {
  readonly namespace?: string;
  readonly serviceAccount?: string;
  readonly kubeconfig?: string;
  /** `KEY=VALUE` annotations of the ServiceAccount, instead of reading it from the API. */
  readonly saAnnotation?: readonly string[];
  readonly stores: StoresFlags;
}

/** Prints the plan of every SecretProviderClass in `file`; returns 0, or 1 when a Mount of one would fail. */
export async function explainCommand(file: string, flags: ExplainFlags, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  // Planning checks templates: the engine loads first.
  await loadTemplateEngine();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    process.stderr.write(`courier explain: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})\n`);
    return 1;
  }
  const manifest = readManifest(text);
  const registry = createStoreRegistry();
  const enabled = new Set(registry.modules.filter((module) => module.enabled(flags.stores[module.name] ?? {})).map((module) => module.name));
  const out: string[] = [];
  let failed = manifest.problems.length > 0;
  for (const problem of manifest.problems) out.push(`${file}:${problem.document}: ${problem.field}: ${problem.message}`);
  if (manifest.classes.length === 0 && !failed) out.push(`${file} holds no SecretProviderClass`);
  for (const spc of manifest.classes) {
    const namespace = flags.namespace ?? spc.namespace ?? 'default';
    const name = flags.serviceAccount ?? serviceAccountMounting(text, spc.name) ?? 'default';
    out.push(`SecretProviderClass ${namespace}/${spc.name} (${file}:${spc.document})`);
    const provider = registry.catalog.dialects.has(spc.provider) ? spc.provider : 'native';
    const result = planParameters(spc.parameters, { permission: DEFAULT_PERMISSION, catalog: registry.catalog, budgets: DEFAULT_BUDGETS }, provider);
    if (!result.ok) {
      failed = true;
      out.push('  the class does not plan; a Mount fails with:', ...result.issues.map((issue) => `    ${issue.field}: ${issue.message}`), '');
      continue;
    }
    const { annotations, from } = await annotationsOf(namespace, name, flags, env);
    const explained = explainPlan({ plan: result.plan, provider: spc.provider, account: { namespace, name, annotations }, annotationsFrom: from, catalog: registry.catalog, modules: registry.modules, stores: flags.stores, enabled });
    out.push(...explained.lines.map((line) => `  ${line}`));
    if (explained.problems.length > 0) {
      failed = true;
      out.push('  a Mount would fail:', ...grouped(explained.problems).map((problem) => `    ${problem}`));
    }
    out.push('');
  }
  process.stdout.write(`${out.join('\n').trimEnd()}\n`);
  return failed ? 1 : 0;
}

/** `objects[0]: X` and `objects[1]: X` as `objects[0], objects[1]: X`, in first-seen order. */
function grouped(problems: readonly { readonly field: string; readonly message: string }[]): string[] {
  const fields = new Map<string, string[]>();
  for (const { field, message } of problems) fields.set(message, [...(fields.get(message) ?? []), field]);
  return [...fields].map(([message, names]) => `${names.join(', ')}: ${message}`);
}

/** The ServiceAccount's annotations: from --sa-annotation, else read from the API when one is configured. */
async function annotationsOf(namespace: string, name: string, flags: ExplainFlags, env: Readonly<Record<string, string | undefined>>): Promise<{ annotations: Record<string, string> | undefined; from: string }> {
  if (flags.saAnnotation !== undefined && flags.saAnnotation.length > 0) {
    const annotations: Record<string, string> = {};
    for (const entry of flags.saAnnotation) {
      const [key, value] = entry.split(/=(.*)/s);
      if (key) annotations[key] = value ?? '';
    }
    return { annotations, from: 'given with --sa-annotation' };
  }
  if (!kubeApiConfigured(flags.kubeconfig, env)) return { annotations: undefined, from: 'not read: no Kubernetes API; pass --kubeconfig, or --sa-annotation KEY=VALUE' };
  try {
    const annotations = await lazyKube(flags.kubeconfig, env).serviceAccounts.annotations(namespace, name, AbortSignal.timeout(10_000));
    return { annotations: { ...annotations }, from: 'read from the Kubernetes API' };
  } catch (error) {
    return { annotations: undefined, from: `not read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
