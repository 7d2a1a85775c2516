/** The contract between bench/run.ts and the case modules in bench/cases/ (documented in bench/README.md). */

/** One figure held against its target, e.g. p99 latency at concurrency 16 against "< 5 ms". */
export interface BenchTarget {
  /** What was measured, e.g. "p99 latency @16". */
  readonly metric: string;
  /** The target as a reader would say it, e.g. "< 5 ms". */
  readonly target: string;
  /** The measured value (a number in the unit of `target`, or a string such as "n/a"). */
  readonly value: number | string;
  readonly met: boolean;
}

/** What a case returns: a table of rows (same keys in every row) and the targets it checked. */
export interface BenchCase {
  readonly title: string;
  readonly rows: Array<Record<string, string | number>>;
  readonly targets: BenchTarget[];
}

/** A module in bench/cases/: `export const title` and `export async function run()`. */
export interface BenchModule {
  readonly title: string;
  run(): Promise<BenchCase>;
}

/** One case's entry in bench/results.json. */
export interface BenchResult extends BenchCase {
  /** File name of the case module, e.g. "core-local.ts". */
  readonly file: string;
  readonly durationMs: number;
}
