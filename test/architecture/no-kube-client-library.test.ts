import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

// Production code does not load @kubernetes/client-node (docs/operations.md: Kubernetes client): it cost
// about 70 MiB and most of a second on the first Mount after every rollout. Tests may use it; src/ may
// name its types only (`import type`, erased at run time).

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const LIBRARY = '@kubernetes/client-node';

/** The statements of `text` that load the library at run time: imports and re-exports that are not type-only, dynamic imports, require. */
function runtimeLoads(text: string): string[] {
  const quoted = `['"]${LIBRARY.replace('/', '\\/')}['"]`;
  const statements = new RegExp(`(?:^|;|\\n)\\s*((?:import|export)\\b[^;]*?\\bfrom\\s*${quoted}|import\\s*${quoted}|[^\\n;]*\\b(?:import|require)\\s*\\(\\s*${quoted}\\s*\\))`, 'g');
  return [...text.matchAll(statements)].map((match) => (match[1] ?? '').trim().replace(/\s+/g, ' ')).filter((statement) => !/^(?:import|export)\s+type\b/.test(statement));
}

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))));
  return nested.flat();
}

test('no source module loads @kubernetes/client-node at run time', async (t) => {
  const files = await sources(SRC);
  t.true(files.length > 50);
  const found: string[] = [];
  for (const file of files) for (const statement of runtimeLoads(await readFile(file, 'utf8'))) found.push(`${relative(SRC, file)}: ${statement}`);
  t.deepEqual(found, []);
});

test('the check finds every way of loading the library, and lets type-only imports through', (t) => {
  const text = [
    `import type { V1Secret } from '${LIBRARY}';`,
    `export type { V1Pod } from "${LIBRARY}";`,
    `import { CoreV1Api } from '${LIBRARY}';`,
    `import {\n  KubeConfig,\n  type V1Secret,\n} from '${LIBRARY}';`,
    `import * as k8s from '${LIBRARY}';`,
    `import '${LIBRARY}';`,
    `export { KubeConfig } from '${LIBRARY}';`,
    `const lib = await import('${LIBRARY}');`,
    `const old = require("${LIBRARY}");`,
    `import { parse } from 'yaml';`,
  ].join('\n');
  t.deepEqual(runtimeLoads(text), [
    `import { CoreV1Api } from '${LIBRARY}'`,
    `import { KubeConfig, type V1Secret, } from '${LIBRARY}'`,
    `import * as k8s from '${LIBRARY}'`,
    `import '${LIBRARY}'`,
    `export { KubeConfig } from '${LIBRARY}'`,
    `const lib = await import('${LIBRARY}')`,
    `const old = require("${LIBRARY}")`,
  ]);
});
