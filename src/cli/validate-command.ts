/** `courier validate`: static checks of SecretProviderClass manifests; prints every problem. */
import { readFile } from 'node:fs/promises';
import { DEFAULT_PERMISSION } from '../spc/decode-request.ts';
import { DEFAULT_BUDGETS } from '../spc/budgets.ts';
import { planParameters } from '../spc/plan.ts';
import { loadTemplateEngine } from '../transform/template/engine-loader.ts';
import type { StoreCatalog } from '../spc/store-catalog.ts';
import { createStoreRegistry } from '../stores/registry.ts';
import { readManifest } from './spc-manifest.ts';

/** Returns the exit code: 0 when every SecretProviderClass is clean, 1 otherwise. */
export async function validateCommand(files: readonly string[]): Promise<number> {
  // Planning checks templates: the engine loads first.
  await loadTemplateEngine();
  const lines: string[] = [];
  const { catalog } = createStoreRegistry();
  let checked = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      lines.push(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      continue;
    }
    const manifest = readManifest(text);
    const found: Array<{ document: number; field: string; message: string }> = [...manifest.problems];
    for (const spc of manifest.classes) {
      checked += 1;
      const result = planParameters(spc.parameters, { permission: DEFAULT_PERMISSION, catalog, budgets: DEFAULT_BUDGETS }, socketDialectFor(spc.provider, catalog));
      if (!result.ok) for (const issue of result.issues) found.push({ document: spc.document, ...issue });
    }
    // In document order, so the list reads top to bottom like the file (sort is stable).
    found.sort((a, b) => a.document - b.document);
    for (const problem of found) lines.push(`${file}:${problem.document}: ${problem.field}: ${problem.message}`);
  }
  if (lines.length > 0) {
    process.stderr.write(`${lines.join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`${checked} SecretProviderClass${checked === 1 ? '' : 'es'} in ${files.length} file${files.length === 1 ? '' : 's'}: no problems found\n`);
  return 0;
}

/** A class written for another provider is read in that provider's dialect, as the compat socket would. */
function socketDialectFor(provider: string, catalog: StoreCatalog): string {
  return catalog.dialects.has(provider) ? provider : 'native';
}
