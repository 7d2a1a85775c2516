/** The results `courier doctor` prints: one line per check, PASS, FAIL or SKIP, with the fix under a failure. */

/** One check's result. */
export interface CheckResult {
  /** `note`: something doctor cannot check from the flags, said once. */
  readonly status: 'pass' | 'fail' | 'skip' | 'note';
  /** What was checked and what was found, in one line. */
  readonly line: string;
  /** What to do; printed under a FAIL or SKIP. */
  readonly fix?: string;
}

/** A passed check. */
export const pass = (line: string): CheckResult => ({ status: 'pass', line });
/** A failed check and its fix. */
export const fail = (line: string, fix: string): CheckResult => ({ status: 'fail', line, fix });
/** A fact that needs no verdict. */
export const note = (line: string): CheckResult => ({ status: 'note', line });
/** A check that could not run here, and how to run it. */
export const skip = (line: string, fix: string): CheckResult => ({ status: 'skip', line, fix });

/** The printed report: the checks in order, then a summary line. */
export function formatReport(header: string, results: readonly CheckResult[]): string {
  const lines = [header];
  for (const result of results) {
    lines.push(`${result.status.toUpperCase().padEnd(4)}  ${result.line}`);
    if (result.fix && result.status !== 'pass') lines.push(`      fix: ${result.fix}`);
  }
  const count = (status: CheckResult['status']) => results.filter((result) => result.status === status).length;
  const [passed, failed, skipped] = [count('pass'), count('fail'), count('skip')];
  const also = skipped > 0 ? ` (${skipped} skipped)` : '';
  lines.push(failed === 0 ? `all ${passed} checks that could run pass${also}` : `${failed} of ${passed + failed + skipped} checks fail${also}`);
  return `${lines.join('\n')}\n`;
}
