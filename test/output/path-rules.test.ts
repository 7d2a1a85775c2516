import test from 'ava';
import { checkMountPath, cleanPath, directoryConflicts } from '../../src/output/path-rules.ts';

const rejects = test.macro({
  exec(t, path: string, message: string) {
    t.is(checkMountPath(path), message);
  },
  title: (given, path: string) => given ?? `rejects ${JSON.stringify(path)}`,
});

test(rejects, '', 'must not be empty');
test(rejects, '/etc/passwd', '"/etc/passwd" is absolute; paths are relative to the mount');
test(rejects, '../x', '"../x" leaves the mount ("..")');
test(rejects, 'a/../../x', '"a/../../x" leaves the mount ("..")');
test(rejects, '..data/x', '"..data/x" starts with "..", which is reserved for the atomic writer');
test(rejects, 'a//b', '"a//b" is not in clean form; write "a/b"');
test(rejects, 'a/./b', '"a/./b" is not in clean form; write "a/b"');
test(rejects, 'a/', '"a/" is not in clean form; write "a"');
test(rejects, '.', '"." names the mount itself, not a file in it');
test(rejects, 'a\0b', 'must not contain a NUL character');
test(rejects, 'x'.repeat(256), 'has an element longer than 255 bytes');
test(rejects, Array.from({ length: 20 }, () => 'y'.repeat(250)).join('/'), 'is longer than 4096 bytes');

test('accepts nested relative paths and dotfiles', (t) => {
  for (const path of ['a', 'db/config.json', '.env', 'a/.hidden', 'x'.repeat(255)]) t.is(checkMountPath(path), undefined, path);
});

test('cleans paths as the driver does', (t) => {
  t.is(cleanPath(''), '.');
  t.is(cleanPath('a//b/'), 'a/b');
  t.is(cleanPath('./a'), 'a');
});

test('names what the path is relative to', (t) => {
  t.is(checkMountPath('/x', 'the local store'), '"/x" is absolute; paths are relative to the local store');
  t.is(checkMountPath('a/../..', 'the local store'), '"a/../.." leaves the local store ("..")');
  t.is(checkMountPath('.', 'the local store'), '"." names the local store itself, not a file in it');
});

test('counts element length in bytes, as the driver does', (t) => {
  t.is(checkMountPath('é'.repeat(127)), undefined);
  t.is(checkMountPath('é'.repeat(128)), 'has an element longer than 255 bytes');
});

const conflict = test.macro({
  exec(t, paths: readonly string[], expected: number) {
    t.is((directoryConflicts(paths).get(paths.length - 1) ?? -1), expected);
  },
  title: (_given, paths: readonly string[], expected: number) => `${expected === -1 ? 'finds no conflict' : 'finds a file/directory conflict'} in ${paths.join(' ')}`,
});

test(conflict, ['a', 'a/b'], 0);
test(conflict, ['a/b', 'a'], 0);
test(conflict, ['x', 'a/b/c', 'a/b'], 1);
test(conflict, ['a', 'ab/c'], -1);
test(conflict, ['a.d', 'a/x'], -1);
test(conflict, ['a/b', 'a/c'], -1);
test(conflict, ['a', 'a'], -1);

test('finds no conflict for an index out of range', (t) => {
  t.is(directoryConflicts(['a']).get(3) ?? -1, -1);
});

test('finds the same conflicts as comparing every pair of paths', async (t) => {
  const { default: fc } = await import('fast-check');
  const naive = (paths: readonly string[]) => {
    const found = new Map<number, number>();
    paths.forEach((path, index) => {
      for (let other = 0; other < index; other += 1) {
        const earlier = paths[other] ?? '';
        if (path.startsWith(`${earlier}/`) || earlier.startsWith(`${path}/`)) {
          found.set(index, other);
          break;
        }
      }
    });
    return found;
  };
  const segment = fc.constantFrom('a', 'b', 'ab', 'c');
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/'));
  fc.assert(fc.property(fc.array(path, { maxLength: 12 }), (paths) => JSON.stringify([...directoryConflicts(paths)]) === JSON.stringify([...naive(paths)])), { numRuns: 500 });
  t.pass();
});
