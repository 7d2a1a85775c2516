import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import test from 'ava';
import fc from 'fast-check';
import protobuf from 'protobufjs/minimal.js';
import {
  decodeMountRequest,
  decodeMountResponse,
  decodeVersionRequest,
  decodeVersionResponse,
  encodeMountRequest,
  encodeMountResponse,
  encodeMountResponseChunks,
  encodeVersionRequest,
  encodeVersionResponse,
} from '../../src/server/proto.ts';
import { loadProviderProto } from '../../src/server/proto-client.ts';

// Courier's codec against @grpc/proto-loader's reading of the driver's own .proto file, both ways.
const PROTO = fileURLToPath(new URL('../../proto/v1alpha1/service.proto', import.meta.url));
const loader = loadSync(PROTO, { keepCase: false, longs: String, enums: String, defaults: true, arrays: true });
const method = (name: 'Mount' | 'Version') => (loader['v1alpha1.CSIDriverProvider'] as Record<string, MethodDefinition<object, object>>)[name] as MethodDefinition<object, object>;

const request = {
  attributes: JSON.stringify({ objects: '- source: file:app/db', 'csi.storage.k8s.io/pod.name': 'web-0 ✓' }),
  secrets: '{"clientid":"x"}',
  targetPath: '/var/lib/kubelet/pods/uid/volumes/kubernetes.io~csi/secrets/mount',
  permission: '420',
  currentObjectVersion: [{ id: 'file:app/db', version: 'v1' }, { id: 'b', version: '' }],
};
const response = {
  objectVersion: [{ id: 'file:app/db', version: 'sha256:abc' }],
  error: null,
  files: [
    { path: 'db/password', mode: 420, contents: Buffer.from('s3cret\u0000\u00ff', 'latin1') },
    { path: 'empty', mode: 256, contents: Buffer.alloc(0) },
    { path: 'big', mode: 0o600, contents: Buffer.alloc(300_000, 7) },
  ],
};

test('a MountRequest reads the same in both codecs', (t) => {
  t.deepEqual(method('Mount').requestDeserialize(encodeMountRequest(request)), request);
  t.deepEqual(decodeMountRequest(method('Mount').requestSerialize(request)), request);
});

test('a MountResponse with files, and one with only an error code, read the same in both codecs', (t) => {
  const fromOurs = method('Mount').responseDeserialize(encodeMountResponse(response)) as typeof response;
  t.deepEqual(fromOurs.files.map((file) => [file.path, file.mode, Buffer.from(file.contents).toString('base64')]), response.files.map((file) => [file.path, file.mode, file.contents.toString('base64')]));
  t.deepEqual(fromOurs.objectVersion, response.objectVersion);
  t.is(fromOurs.error, null);
  const decoded = decodeMountResponse(method('Mount').responseSerialize(response));
  t.deepEqual(decoded.files.map((file) => [file.path, file.mode, Buffer.from(file.contents).toString('base64')]), response.files.map((file) => [file.path, file.mode, file.contents.toString('base64')]));
  const failed = { objectVersion: [], error: { code: 'ProviderError' }, files: [] };
  t.deepEqual(method('Mount').responseDeserialize(encodeMountResponse(failed)), failed);
  t.deepEqual(decodeMountResponse(method('Mount').responseSerialize(failed)), failed);
});

test('a response is encoded in chunks that hand large contents over as they are, and the loader reads it back', (t) => {
  const sizes = [0, 10, 65_535, 65_536, 200_000, 1_100_000];
  const files = sizes.map((size, index) => ({ path: index === 3 ? 'ä/✓' : `f${index}`, mode: index % 2 === 0 ? 0 : 0o640, contents: Buffer.alloc(size, index + 1) }));
  const message = { objectVersion: [{ id: 'a', version: 'v' }], error: null, files };
  const chunks = encodeMountResponseChunks(message);
  for (const file of files) t.is(chunks.includes(file.contents), file.contents.byteLength >= 65_536, `${file.contents.byteLength}`);
  const joined = Buffer.concat(chunks);
  const read = method('Mount').responseDeserialize(joined) as typeof message;
  t.deepEqual(read.files.map((file) => [file.path, file.mode, Buffer.from(file.contents).equals(files.find((sent) => sent.path === file.path)?.contents ?? Buffer.alloc(1))]), files.map((file) => [file.path, file.mode, true]), 'the loader reads every file back');
  t.deepEqual(read.objectVersion, message.objectVersion);
  t.deepEqual(decodeMountResponse(joined).files.map((file) => [file.path, file.mode, file.contents.byteLength]), files.map((file) => [file.path, file.mode, file.contents.byteLength]));
  t.deepEqual(encodeMountResponseChunks({ objectVersion: [], error: null, files: [] }).map((chunk) => chunk.byteLength), [0]);
});

// The loader writes a field it is handed even when it holds the proto3 default ('' or 0), where Courier leaves
// it out as proto3 asks; with no defaults the two encodings are the same bytes, and with them they read the same.
const PLAIN = { noNullPrototype: true } as const;
const arbitraryMessages = (least: number) => {
  const text = fc.string({ unit: 'binary', minLength: least, maxLength: 40 });
  const version = fc.record({ id: text, version: text }, PLAIN);
  const size = fc.oneof(fc.constantFrom(0, 1, 127, 128, 16_383, 16_384, 65_535, 65_536).filter((bytes) => bytes >= least), fc.integer({ min: least, max: 70_000 }));
  const int32 = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 }).filter((mode) => least === 0 || mode !== 0);
  const file = fc.record({ path: text, mode: fc.oneof(fc.constantFrom(0o644, -1, -2_147_483_648, 2_147_483_647, ...(least === 0 ? [0] : [])), int32), contents: size.map((bytes) => Buffer.alloc(bytes, bytes % 251)) }, PLAIN);
  return {
    response: fc.record({ objectVersion: fc.array(version, { maxLength: 4 }), error: fc.option(fc.record({ code: text }, PLAIN), { nil: null }), files: fc.array(file, { maxLength: 4 }) }, PLAIN),
    request: fc.record({ attributes: text, secrets: text, targetPath: text, permission: text, currentObjectVersion: fc.array(version, { maxLength: 4 }) }, PLAIN),
    answer: fc.record({ version: text, runtimeName: text, runtimeVersion: text }, PLAIN),
  };
};

test('every message without proto3 defaults is encoded byte for byte as the loader encodes it: unicode, any int32 mode, contents either side of the shared size', (t) => {
  const { response, request: mountRequest, answer: versionAnswer } = arbitraryMessages(1);
  const same = (ours: Uint8Array, theirs: Uint8Array) => Buffer.from(ours).equals(theirs);
  // fc.assert throws with the smallest message it finds that is encoded differently.
  t.notThrows(() => fc.assert(
    fc.property(response, mountRequest, versionAnswer, (message, sent, answer) =>
      same(Buffer.concat(encodeMountResponseChunks(message)), method('Mount').responseSerialize(message)) &&
      same(encodeMountResponse(message), method('Mount').responseSerialize(message)) &&
      same(encodeMountRequest(sent), method('Mount').requestSerialize(sent)) &&
      same(encodeVersionResponse(answer), method('Version').responseSerialize(answer)) &&
      same(encodeVersionRequest({ version: answer.version }), method('Version').requestSerialize({ version: answer.version })),
    ),
    { numRuns: 300 },
  ));
});

test('every message, proto3 defaults included, reads back through the loader as it was', (t) => {
  const { response, request: mountRequest, answer: versionAnswer } = arbitraryMessages(0);
  const files = (message: { files: Array<{ path: string; mode: number; contents: Uint8Array }> }) => message.files.map((file) => ({ ...file, contents: Buffer.from(file.contents).toString('base64') }));
  t.notThrows(() => fc.assert(
    fc.property(response, mountRequest, versionAnswer, (message, sent, answer) => {
      const read = method('Mount').responseDeserialize(Buffer.concat(encodeMountResponseChunks(message))) as typeof message;
      return isDeepStrictEqual([read.objectVersion, read.error, files(read)], [message.objectVersion, message.error, files(message)]) &&
        isDeepStrictEqual(method('Mount').requestDeserialize(encodeMountRequest(sent)), sent) &&
        isDeepStrictEqual(method('Version').responseDeserialize(encodeVersionResponse(answer)), answer);
    }),
    { numRuns: 300 },
  ));
});

test('Version messages read the same in both codecs', (t) => {
  const answer = { version: 'v1alpha1', runtimeName: 'courier', runtimeVersion: '0.1.0' };
  t.deepEqual(method('Version').responseDeserialize(encodeVersionResponse(answer)), answer);
  t.deepEqual(decodeVersionResponse(method('Version').responseSerialize(answer)), answer);
  t.deepEqual(decodeVersionRequest(method('Version').requestSerialize({ version: 'v1alpha1' })), { version: 'v1alpha1' });
  t.deepEqual(method('Version').requestDeserialize(encodeVersionRequest({ version: 'v1alpha1' })), { version: 'v1alpha1' });
});

test('empty messages decode to proto3 defaults, and unknown fields are skipped', (t) => {
  t.deepEqual(decodeMountRequest(Buffer.alloc(0)), { attributes: '', secrets: '', targetPath: '', permission: '', currentObjectVersion: [] });
  t.deepEqual(decodeMountResponse(Buffer.alloc(0)), { objectVersion: [], error: null, files: [] });
  // A later driver's field 9 (varint), 10 (bytes) and 11 (fixed64) between known ones.
  const writer = protobuf.Writer.create();
  writer.uint32((9 << 3) | 0).uint64(123456789);
  writer.uint32((1 << 3) | 2).string('{"a":"b"}');
  writer.uint32((10 << 3) | 2).bytes(Buffer.from('ignored'));
  writer.uint32((11 << 3) | 1).fixed64(1);
  writer.uint32((4 << 3) | 2).string('420');
  t.deepEqual(decodeMountRequest(writer.finish()), { attributes: '{"a":"b"}', secrets: '', targetPath: '', permission: '420', currentObjectVersion: [] });
});

test('the service has the paths and shapes the driver calls', (t) => {
  const { service, Client } = loadProviderProto();
  t.deepEqual(Object.fromEntries(Object.entries(service).map(([name, definition]) => [name, [definition.path, definition.requestStream, definition.responseStream]])), Object.fromEntries(Object.entries(loader['v1alpha1.CSIDriverProvider'] as Record<string, MethodDefinition<object, object>>).map(([name, definition]) => [name, [definition.path, definition.requestStream, definition.responseStream]])));
  t.is(typeof Client, 'function');
  t.is(loadProviderProto(), loadProviderProto(), 'built once');
});
