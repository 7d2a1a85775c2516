/** `npm run bench [-- filter...]`: runs the case modules in bench/cases/, prints their tables, writes bench/results.json. */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatCase, machineInfo } from './lib/report.ts';
import type { BenchModule, BenchResult } from './lib/types.ts';

const CASES_DIR = fileURLToPath(new URL('./cases/', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));

/** Case files whose name contains one of the filters (all of them without filters). */
async function discover(filters: readonly string[]): Promise<string[]> {
  const files = (await readdir(CASES_DIR)).filter((file) => file.endsWith('.ts')).sort();
  return filters.length === 0 ? files : files.filter((file) => filters.some((filter) => file.includes(filter)));
}

async function previousResults(): Promise<BenchResult[]> {
  try {
    const parsed = JSON.parse(await readFile(RESULTS_FILE, 'utf8')) as { results?: BenchResult[] };
    return Array.isArray(parsed.results) ? parsed.results : [];
  } catch {
    return [];
  }
}

async function main(): Promise<number> {
  const filters = process.argv.slice(2);
  const files = await discover(filters);
  if (files.length === 0) {
    console.error(`no benchmark case matches ${filters.join(', ')}`);
    return 1;
  }
  const machine = machineInfo();
  console.log(`Courier benchmarks on ${machine.cores} x ${machine.cpu}, Node.js ${machine.node}, load average ${machine.loadAverage}\n`);
  const results: BenchResult[] = [];
  let failures = 0;
  for (const file of files) {
    const module = (await import(pathToFileURL(`${CASES_DIR}${file}`).href)) as BenchModule;
    console.log(`running ${file}: ${module.title} ...`);
    const started = performance.now();
    try {
      const result = await module.run();
      results.push({ file, durationMs: Math.round(performance.now() - started), ...result });
      console.log(`${formatCase(result)}\n`);
    } catch (error) {
      failures += 1;
      console.error(`${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
  }
  // A filtered run replaces its own cases' entries and keeps the others' from earlier runs.
  const earlier = await previousResults();
  const merged = [...earlier.filter((result) => !files.includes(result.file)), ...results].sort((a, b) => a.file.localeCompare(b.file));
  await writeFile(RESULTS_FILE, `${JSON.stringify({ date: new Date().toISOString(), machine, results: merged }, null, 2)}\n`);
  console.log(`results written to ${RESULTS_FILE}`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
