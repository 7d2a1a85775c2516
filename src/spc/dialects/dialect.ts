/** The dialect seam: every dialect turns parameters into the same MountPlan. */
import type { DialectName, PlanResult } from '../types.ts';

/** What a dialect may know besides the parameters. */
export interface DialectContext {
  /** Mode for files whose entry sets none (the request's `permission`). */
  readonly permission: number;
}

/** A dialect: pure translation of SecretProviderClass parameters into a MountPlan. */
export interface Dialect {
  readonly name: DialectName;
  /** Top-level parameter keys this dialect reads; anything else without a `/` is reported. */
  readonly parameterKeys: readonly string[];
  plan(parameters: Readonly<Record<string, string>>, context: DialectContext): PlanResult;
}
