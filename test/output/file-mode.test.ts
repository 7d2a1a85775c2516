import test from 'ava';
import { parseFileMode } from '../../src/output/file-mode.ts';

const reads = test.macro({
  exec(t, value: unknown, mode: number) {
    t.is(parseFileMode(value), mode);
  },
  title: (_given, value: unknown, mode: number) => `reads ${JSON.stringify(value)} as 0${mode.toString(8).padStart(3, '0')}`,
});

const refuses = test.macro({
  exec(t, value: unknown, error: string) {
    t.deepEqual(parseFileMode(value), { error });
  },
  title: (_given, value: unknown) => `refuses ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
});

test(reads, 256, 0o400);
test(reads, 0, 0);
test(reads, 0o777, 0o777);
test(reads, '0400', 0o400);
test(reads, '400', 0o400);
test(reads, '0o400', 0o400);
test(reads, '0', 0);
test(reads, '7', 0o7);
test(reads, ' 0644 ', 0o644);

test(refuses, 0o1000, '512 (octal 01000) is more than 0777; only permission bits may be set');
test(refuses, 0o4755, '2541 (octal 04755) is more than 0777; only permission bits may be set');
test(refuses, -1, '-1 is not a file mode between 0 and 0777');
test(refuses, 0.5, '0.5 is not a file mode between 0 and 0777');
test(refuses, Number.NaN, 'NaN is not a file mode between 0 and 0777');
test(refuses, Number.POSITIVE_INFINITY, 'Infinity is not a file mode between 0 and 0777');
test(refuses, '0999', '"0999" is not an octal file mode such as "0400"');
test(refuses, '1777', '"1777" is not an octal file mode such as "0400"');
test(refuses, '0o1777', '"0o1777" is not an octal file mode such as "0400"');
test(refuses, '00400', '"00400" is not an octal file mode such as "0400"');
test(refuses, '0x1a4', '"0x1a4" is not an octal file mode such as "0400"');
test(refuses, '', '"" is not an octal file mode such as "0400"');
test(refuses, true, 'must be an octal string such as "0400" or an integer');
test(refuses, null, 'must be an octal string such as "0400" or an integer');
