/** Describes a planned SecretProviderClass in plain lines: per object its store, identity, file, extraction; templates; mirrors. Pure. */
import type { StoreCatalog } from '../spc/store-catalog.ts';
import type { Extract, MountPlan, ObjectSpec } from '../spc/types.ts';
import type { ExplainedAccount, IdentityExplanation, StoreFlags, StoreModule } from '../stores/store-module.ts';

/** Everything the description is made from. */
export interface ExplainInput {
  readonly plan: MountPlan;
  /** `spec.provider` of the class: the socket `<provider>.sock` that reads it. */
  readonly provider: string;
  readonly account: ExplainedAccount;
  /** Where the annotations came from, for the `pod:` line (`read from the API`, `given with --sa-annotation`, `not read`). */
  readonly annotationsFrom: string;
  readonly catalog: StoreCatalog;
  readonly modules: readonly StoreModule[];
  readonly stores: Readonly<Record<string, StoreFlags>>;
  /** Stores these flags enable (as `courier serve` with them would). */
  readonly enabled: ReadonlySet<string>;
}

/** The description, and the problems a Mount of this class would fail on. */
export interface Explanation {
  readonly lines: readonly string[];
  readonly problems: ReadonlyArray<{ readonly field: string; readonly message: string }>;
  /** Every pod-token audience the class needs. */
  readonly audiences: readonly string[];
}

/** Describes the plan; each problem also appears under the object it belongs to. */
export function explainPlan(input: ExplainInput): Explanation {
  const { plan, account } = input;
  const lines: string[] = [];
  const problems: Array<{ field: string; message: string }> = [];
  const audiences = new Set<string>();
  const socket = plan.dialect === 'native' ? `${input.provider}.sock (native dialect)` : `${input.provider}.sock (${plan.dialect} dialect${input.provider === plan.dialect ? `: courier serve --compat ${plan.dialect}` : ''})`;
  lines.push(`read by: ${socket}`);
  lines.push(`pod: namespace ${account.namespace}, service account ${account.name} (annotations ${input.annotationsFrom})`);
  const describe = (object: ObjectSpec, indent: string, withFile: boolean) => {
    const explained = identityOf(object, input);
    if (explained.tokenAudience) audiences.add(explained.tokenAudience);
    if (explained.problem) problems.push({ field: object.id, message: explained.problem });
    const out = [`${indent}store: ${object.store}, locator ${object.locator}${selector(object)}${object.optional ? ' (optional: skipped when missing)' : ''}`, `${indent}identity: ${explained.identity}`];
    if (explained.tokenAudience) out.push(`${indent}pod token: audience ${explained.tokenAudience}`);
    const steps = [...(object.extract ? [extraction(object.extract)] : []), ...(object.encoding === 'utf-8' ? [] : [`decode ${object.encoding}`])];
    if (steps.length > 0) out.push(`${indent}extract: ${steps.join(', then ')}`);
    if (withFile) out.push(`${indent}file: ${object.path} (${formatFileMode(object.mode)})`);
    if (explained.problem) out.push(`${indent}problem: ${explained.problem}`);
    return out;
  };
  for (const object of plan.objects) lines.push(`${object.id}:`, ...describe(object, '  ', true));
  for (const template of plan.templates ?? []) {
    lines.push(`${template.id}: template`, `  file: ${template.path} (${formatFileMode(template.mode)}), rendered from ${template.inputs.length} input${template.inputs.length === 1 ? '' : 's'}`);
    for (const { name, object } of template.inputs) lines.push(`  input ${name}:`, ...describe(object, '    ', false));
  }
  for (const mirror of plan.mirrors ?? []) {
    lines.push(`${mirror.field}: mirror Secret ${account.namespace}/${mirror.secretName} (${mirror.type}) with ${mirror.data.map((entry) => `${entry.key} from ${entry.objectName}`).join(', ')} (needs courier serve --mirror-secrets)`);
  }
  if (audiences.size > 0) lines.push(`pod tokens: the CSIDriver's tokenRequests must include ${[...audiences].map((audience) => `"${audience}"`).join(', ')}`);
  return { lines, problems, audiences: [...audiences] };
}

function identityOf(object: ObjectSpec, input: ExplainInput): IdentityExplanation {
  const store = input.catalog.sources.get(object.store)?.store;
  const module = input.modules.find((candidate) => candidate.name === store);
  if (!module) return { identity: 'unknown store', problem: `store "${object.store}" is not part of this Courier` };
  const flags = input.stores[module.name] ?? {};
  const explained = module.explainIdentity?.({ source: object.store, storeParams: object.storeParams }, input.account, flags) ?? { identity: `decided by ${module.title} at mount time` };
  if (input.enabled.has(module.name)) return explained;
  const hint = input.catalog.sources.get(object.store)?.enableHint;
  return { ...explained, problem: explained.problem ?? `store "${object.store}" is not enabled with these flags${hint ? ` (${hint})` : ''}` };
}

/** `0400`, as the class writes a mode. */
function formatFileMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function selector(object: ObjectSpec): string {
  if (object.version !== undefined) return `, version ${object.version}`;
  if (object.stage !== undefined) return `, stage ${object.stage}`;
  return '';
}

function extraction(extract: Extract): string {
  if (extract.kind === 'jsonKey') return `JSON key "${extract.key}"`;
  if (extract.kind === 'yamlKey') return `YAML key "${extract.key}"`;
  return `JMESPath ${extract.expression}`;
}
