import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MountFile } from '../../src/output/assemble.ts';
import { writeAtomically } from '../../src/output/atomic-writer.ts';

const encoder = new TextEncoder();

async function tempTarget(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'courier-writer-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'target');
}

const file = (path: string, contents: string, mode = 0o644): MountFile => ({ path, mode, contents: encoder.encode(contents) });
const read = (path: string) => readFile(path, 'utf8');
const timestamped = async (target: string) => (await readdir(target)).filter((name) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./.test(name));

test('writes a first set through a timestamped directory and the ..data link', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('a', 'A'), file('b.json', '{}')]);
  const data = await readlink(join(target, '..data'));
  t.regex(data, /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\w+$/);
  t.deepEqual((await readdir(target)).sort(), ['..data', data, 'a', 'b.json'].sort());
  t.is(await readlink(join(target, 'a')), '..data/a');
  t.true((await lstat(join(target, 'a'))).isSymbolicLink());
  t.is(await read(join(target, 'a')), 'A');
  t.is(await read(join(target, 'b.json')), '{}');
  t.is((await stat(join(target, data))).mode & 0o777, 0o755);
});

test('rewrites a changed set: stale names and the old directory go, ..data moves', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('a', 'A1'), file('gone', 'G')]);
  const first = await readlink(join(target, '..data'));
  await writeAtomically(target, [file('a', 'A2'), file('new', 'N')]);
  const second = await readlink(join(target, '..data'));
  t.not(second, first);
  t.deepEqual(await timestamped(target), [second]);
  t.deepEqual((await readdir(target)).sort(), ['..data', second, 'a', 'new'].sort());
  t.is(await read(join(target, 'a')), 'A2');
  t.is(await read(join(target, 'new')), 'N');
});

test('writes nested paths under one top-level link', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('db/config.json', 'C'), file('db/users/admin', 'U'), file('top', 'T')]);
  t.is(await readlink(join(target, 'db')), '..data/db');
  t.is(await read(join(target, 'db/config.json')), 'C');
  t.is(await read(join(target, 'db/users/admin')), 'U');
  await writeAtomically(target, [file('db/users/admin', 'U2')]);
  t.deepEqual((await readdir(join(target, 'db'))).sort(), ['users']);
  t.is(await read(join(target, 'db/users/admin')), 'U2');
  t.false((await readdir(target)).includes('top'));
});

test('an empty set leaves only an empty ..data', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('a', 'A')]);
  await writeAtomically(target, []);
  const data = await readlink(join(target, '..data'));
  t.deepEqual((await readdir(target)).sort(), ['..data', data].sort());
  t.deepEqual(await readdir(join(target, '..data')), []);
});

test('a write that fails halfway leaves the previous set untouched', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('a', 'A1'), file('b', 'B1')]);
  const before = await readlink(join(target, '..data'));
  // "x" as a file and as a directory cannot both be written: the second file fails after the first landed.
  await t.throwsAsync(writeAtomically(target, [file('a', 'A2'), file('x', 'X'), file('x/y', 'Y')]));
  t.is(await readlink(join(target, '..data')), before);
  t.deepEqual((await readdir(target)).sort(), ['..data', before, 'a', 'b'].sort());
  t.is(await read(join(target, 'a')), 'A1');
  t.is(await read(join(target, 'b')), 'B1');
});

test('gives files and directories exact modes despite a umask of 077', async (t) => {
  const target = await tempTarget(t);
  const fixture = new URL('fixtures/write-under-umask.ts', import.meta.url).pathname;
  await promisify(execFile)('sh', ['-c', 'umask 077 && exec "$0" "$1" "$2"', process.execPath, fixture, target], { timeout: 20_000 });
  const modeOf = async (path: string) => (await stat(join(target, path))).mode & 0o777;
  t.is(await modeOf('public'), 0o644);
  t.is(await modeOf('db/nested/secret'), 0o440);
  t.is(await modeOf('script'), 0o755);
  t.is(await modeOf('db'), 0o755);
  t.is(await modeOf('db/nested'), 0o755);
  t.is(await modeOf('..data'), 0o755);
});

test('a reader never sees a partial set while the set is rewritten', async (t) => {
  const target = await tempTarget(t);
  const names = ['a', 'b', 'nested/c'];
  const textOf = (version: number, name: string) => `v${version}:`.padEnd(64 * 1024, name);
  const setOf = (version: number) => names.map((name) => file(name, textOf(version, name)));
  await writeAtomically(target, setOf(0));
  let writing = true;
  let reads = 0;
  const versionsSeen = new Set<number>();
  const problems: string[] = [];
  const reader = (async () => {
    // Bounded in count as well as by the writer finishing.
    while (writing && reads < 5000) {
      reads += 1;
      const dir = await realpath(join(target, '..data')).catch(() => undefined);
      if (dir === undefined) continue;
      const contents = await Promise.all(names.map((name) => read(join(dir, name)).catch(() => undefined)));
      if (contents.some((text) => text === undefined)) {
        // Only a directory that `..data` no longer points at may lose files (it is being removed).
        const current = await realpath(join(target, '..data')).catch(() => undefined);
        if (current === dir) problems.push(`files missing from ${dir}, which is still the current set`);
        continue;
      }
      const version = Number(contents[0]?.slice(1, contents[0].indexOf(':')));
      versionsSeen.add(version);
      if (names.some((name, index) => contents[index] !== textOf(version, name))) problems.push(`mixed or partial set at version ${version}`);
    }
  })();
  for (let version = 1; version <= 25; version += 1) await writeAtomically(target, setOf(version));
  writing = false;
  await reader;
  t.deepEqual(problems, []);
  t.true(reads > 1);
  t.true(versionsSeen.size > 1, `the reader saw only versions ${[...versionsSeen].join(', ')}`);
  t.is(await read(join(target, 'nested/c')), textOf(25, 'nested/c'));
  t.deepEqual(await timestamped(target), [await readlink(join(target, '..data'))]);
});

test('two writes racing on one target leave a complete set behind', async (t) => {
  const target = await tempTarget(t);
  await writeAtomically(target, [file('a', 'A0'), file('b', 'B0')]);
  const failures: unknown[] = [];
  for (let round = 1; round <= 20; round += 1) {
    const results = await Promise.allSettled([
      writeAtomically(target, [file('a', `A${round}x`), file('b', `B${round}x`)]),
      writeAtomically(target, [file('a', `A${round}y`), file('b', `B${round}y`)]),
    ]);
    for (const result of results) if (result.status === 'rejected') failures.push(result.reason);
    const a = await read(join(target, 'a')).catch(() => 'missing');
    const b = await read(join(target, 'b')).catch(() => 'missing');
    t.is(b, `B${a.slice(1)}`, `round ${round}: a=${a} b=${b}`);
  }
  t.deepEqual(failures, []);
});
