import test, { type ExecutionContext } from 'ava';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MountFile } from '../../src/output/assemble.ts';
import { createAtomicWriter, writeAtomically } from '../../src/output/atomic-writer.ts';

// What the writer refuses to do: follow or delete what it did not make, rewrite an unchanged set,
// overlap two writes of one target, or go past its size cap.

const encoder = new TextEncoder();
const file = (path: string, contents: string, mode = 0o644): MountFile => ({ path, mode, contents: encoder.encode(contents) });
const timestamped = async (target: string) => (await readdir(target)).filter((name) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./.test(name));

async function tempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-writer-safety-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('an unchanged set is not written again', async (t) => {
  const target = join(await tempDir(t), 'target');
  t.true(await writeAtomically(target, [file('a', 'A'), file('d/b', 'B', 0o400)]));
  const before = await readlink(join(target, '..data'));
  t.false(await writeAtomically(target, [file('d/b', 'B', 0o400), file('a', 'A')]));
  t.is(await readlink(join(target, '..data')), before);
  t.deepEqual(await timestamped(target), [before]);
  t.true(await writeAtomically(target, [file('a', 'A'), file('d/b', 'B', 0o440)]), 'a changed mode is a change');
});

test('a ..data link that does not name a timestamped directory is neither followed nor removed', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'target');
  await mkdir(target);
  await writeFile(join(dir, 'precious'), 'keep');
  await symlink('..', join(target, '..data'));
  t.true(await writeAtomically(target, [file('a', 'A')]));
  t.is(await readFile(join(dir, 'precious'), 'utf8'), 'keep', 'the parent of the target is still there');
  t.is(await readFile(join(target, 'a'), 'utf8'), 'A');
});

test('a top-level link that points elsewhere is replaced by the link into ..data', async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, 'target');
  await mkdir(target);
  await writeFile(join(dir, 'outside'), 'not yours');
  await symlink(join(dir, 'outside'), join(target, 'a'));
  await writeAtomically(target, [file('a', 'A')]);
  t.is(await readlink(join(target, 'a')), '..data/a');
  t.is(await readFile(join(target, 'a'), 'utf8'), 'A');
  t.is(await readFile(join(dir, 'outside'), 'utf8'), 'not yours');
});

test('writes of one target through one writer do not overlap and leave one directory', async (t) => {
  const target = join(await tempDir(t), 'target');
  const writer = createAtomicWriter();
  await Promise.all(Array.from({ length: 10 }, (_, round) => writer.write(target, [file('a', `A${round}`), file('b', `B${round}`)])));
  t.is((await timestamped(target)).length, 1);
  t.is(await readFile(join(target, 'a'), 'utf8'), 'A9');
  t.is(await readFile(join(target, 'b'), 'utf8'), 'B9');
});

test('a set over the size cap is refused before anything is written', async (t) => {
  const target = join(await tempDir(t), 'target');
  await t.throwsAsync(writeAtomically(target, [file('a', 'x'.repeat(100))], { maxBytes: 99 }), { message: 'the files total 100 bytes, over the 99 bytes a write may hold' });
  await t.throwsAsync(stat(target), { code: 'ENOENT' });
});
