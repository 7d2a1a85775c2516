/** Helpers for dialect tests: plan a native `objects` parameter and read the result as plain strings. */
import type { ExecutionContext } from 'ava';
import { planParameters } from '../../src/spc/plan.ts';
import type { ObjectSpec, PlanResult } from '../../src/spc/types.ts';
import { planContext } from '../helpers/catalog.ts';

/** The request permission the helpers plan with (0644, what the driver sends). */
export const PERMISSION = 0o644;

/** Plans `objects` (YAML text) with any other parameters given. */
export function planObjects(objects: string, parameters: Readonly<Record<string, string>> = {}): PlanResult {
  return planParameters({ objects, ...parameters }, planContext(PERMISSION));
}

/** The problems of a result as `field: message` lines; empty when it planned. */
export function problems(result: PlanResult): string[] {
  return result.ok ? [] : result.issues.map((issue) => `${issue.field}: ${issue.message}`);
}

/** The planned objects, failing the test when planning failed. */
export function plannedObjects(t: ExecutionContext, result: PlanResult): readonly ObjectSpec[] {
  if (!result.ok) {
    t.fail(`planning failed: ${problems(result).join('; ')}`);
    return [];
  }
  return result.plan.objects;
}
