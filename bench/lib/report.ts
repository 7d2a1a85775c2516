/** Prints benchmark cases as tables and describes the machine they ran on. */
import { cpus, totalmem, release, platform, loadavg } from 'node:os';
import type { BenchCase } from './types.ts';

/** The machine a run happened on, for bench/results.json. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryMiB: number;
  readonly platform: string;
  readonly node: string;
  /** 1-minute load average when the run started: others sharing the machine skew figures. */
  readonly loadAverage: number;
}

/** Describes this machine. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryMiB: Math.round(totalmem() / (1024 * 1024)),
    platform: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** Formats rows as an aligned text table; columns are the keys of the first row. */
export function formatTable(rows: ReadonlyArray<Record<string, string | number>>): string {
  const columns = Object.keys(rows[0] ?? {});
  if (columns.length === 0) return '(no rows)';
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  const lines = cells.map((line) => line.map((cell, index) => cell.padStart(widths[index] ?? 0)).join('  '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '));
  return lines.join('\n');
}

/** A case's table followed by its targets, each marked met or MISSED. */
export function formatCase(result: BenchCase): string {
  const targets = result.targets.map((target) => `  ${target.met ? 'met   ' : 'MISSED'}  ${target.metric}: ${target.value} (target ${target.target})`);
  return [`== ${result.title}`, formatTable(result.rows), ...(targets.length > 0 ? ['targets:', ...targets] : [])].join('\n');
}
