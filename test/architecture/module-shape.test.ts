import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

// STYLE.md: every module opens with one line saying its job, and no source file grows past 300 lines.

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const MAX_LINES = 300;

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? sources(join(dir, entry.name)) : Promise.resolve(entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []))));
  return nested.flat();
}

test('every source module opens with a one-line comment saying its job', async (t) => {
  const files = await sources(SRC);
  t.true(files.length > 50);
  const missing: string[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    const first = lines[0]?.startsWith('#!') ? lines[1] : lines[0];
    if (!/^\/\*\* \S.* \*\/$/.test(first ?? '')) missing.push(relative(SRC, file));
  }
  t.deepEqual(missing, []);
});

test(`no source module is longer than ${MAX_LINES} lines`, async (t) => {
  const long: string[] = [];
  for (const file of await sources(SRC)) {
    const count = (await readFile(file, 'utf8')).split('\n').length;
    if (count > MAX_LINES) long.push(`${relative(SRC, file)}: ${count} lines`);
  }
  t.deepEqual(long, []);
});
