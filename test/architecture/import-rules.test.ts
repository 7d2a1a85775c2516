import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { tempDir } from '../helpers/temp-dir.ts';

// The import rules of docs/architecture.md, checked by dependency-cruiser over the real source tree, and
// shown to bite on a small tree that breaks each of them.

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

async function cruise(cwd: string): Promise<{ violations: Violation[]; modules: number }> {
  // Exit code 1 means "violations found"; the JSON report is on stdout either way.
  const result = await run(join(ROOT, 'node_modules/.bin/depcruise'), ['src', '--config', CONFIG, '--output-type', 'json'], { cwd, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const report = JSON.parse(result.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  return { violations: report.summary.violations, modules: report.summary.totalCruised };
}

test('the source tree keeps every import rule', async (t) => {
  const { violations, modules } = await cruise(ROOT);
  t.true(modules > 90, `cruised ${modules} modules`);
  t.deepEqual(violations.map(({ rule, from, to }) => `${rule.name}: ${from} -> ${to}`), []);
});

test('each rule reports a tree that breaks it', async (t) => {
  const dir = await tempDir(t);
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', allowImportingTsExtensions: true, noEmit: true } }),
    'src/stores/backend.ts': 'export type Backend = string;\n',
    'src/stores/alpha/index.ts': "import { b } from '../beta/index.ts';\nimport { serve } from '../../server/serve.ts';\nexport const a = b + serve;\n",
    'src/stores/beta/index.ts': 'export const b = 1;\n',
    'src/server/serve.ts': "import { a } from '../stores/alpha/index.ts';\nexport const serve = 2;\nexport const both = a;\n",
    'src/spc/plan.ts': "import { b } from '../stores/beta/index.ts';\nexport const plan = b;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const names = new Set((await cruise(dir)).violations.map(({ rule }) => rule.name));
  t.deepEqual([...names].sort(), ['no-cycles', 'one-store-does-not-import-another', 'planning-names-no-store', 'store-internals-stay-inside', 'stores-do-not-reach-up']);
});
