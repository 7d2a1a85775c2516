import test from 'ava';
import { ConfigError } from '../../src/errors/courier-error.ts';
import type { Encoding } from '../../src/spc/types.ts';
import { decodeValue } from '../../src/transform/decode.ts';

const encoder = new TextEncoder();
const SECRET = 'c2VjcmV0LXZhbHVl';

const decodes = test.macro({
  exec(t, encoding: Encoding, input: string, expected: Uint8Array) {
    t.deepEqual(new Uint8Array(decodeValue(encoder.encode(input), encoding, 'objects[0]')), expected);
  },
  title: (given, encoding: Encoding, input: string) => given ?? `decodes ${encoding} ${JSON.stringify(input)}`,
});

const refuses = test.macro({
  exec(t, encoding: Encoding, input: string) {
    const error = t.throws(() => decodeValue(encoder.encode(input), encoding, 'objects[0]'), { instanceOf: ConfigError });
    t.is(error?.message, `objects[0].encoding: the value is not valid ${encoding}`);
    t.is(error?.field, 'objects[0].encoding');
    t.false(error?.message.includes(SECRET) ?? true);
  },
  title: (given, encoding: Encoding, input: string) => given ?? `refuses ${encoding} ${JSON.stringify(input)}`,
});

const bytes = (...values: number[]) => Uint8Array.from(values);

test('leaves utf-8 values untouched, whitespace included', (t) => {
  const value = encoder.encode(' raw\n');
  t.is(decodeValue(value, 'utf-8', 'objects[0]'), value);
});

test(decodes, 'base64', 'aGVsbG8=', encoder.encode('hello'));
test(decodes, 'base64', 'aGVsbG8', encoder.encode('hello'));
test(decodes, 'base64', '+/8=', bytes(0xfb, 0xff));
test(decodes, 'base64', '-_8=', bytes(0xfb, 0xff));
test(decodes, 'base64', '-_8', bytes(0xfb, 0xff));
test(decodes, 'base64', '', bytes());
test(decodes, 'base64', 'aGVs\nbG8=\n', encoder.encode('hello'));
test(decodes, 'base64', `${SECRET}`, encoder.encode('secret-value'));
test(decodes, 'hex', '00ff10', bytes(0x00, 0xff, 0x10));
test(decodes, 'hex', 'DEADbeef', bytes(0xde, 0xad, 0xbe, 0xef));
test(decodes, 'hex', ' 0a 0b\n', bytes(0x0a, 0x0b));
test(decodes, 'hex', '', bytes());

test(refuses, 'base64', `${SECRET}!`);
test(refuses, 'base64', `${SECRET}*`);
test(refuses, 'base64', 'a+b_');
test(refuses, 'base64', 'aGVsbG8===');
test(refuses, 'base64', 'aG=Vs');
test(refuses, 'base64', 'aGVsb');
test(refuses, 'hex', 'abc');
test(refuses, 'hex', '0g');
test(refuses, 'hex', `${SECRET}`);

test('refuses base64 bytes that are not text', (t) => {
  const error = t.throws(() => decodeValue(bytes(0xff, 0xfe, 0x41, 0x41), 'base64', 'objects[1]'), { instanceOf: ConfigError });
  t.is(error?.message, 'objects[1].encoding: the value is not valid base64');
});
