/** The driver's provider contract (proto/v1alpha1/service.proto): its messages, coded with protobufjs's wire Reader and Writer. */
// Written as protobufjs's static code generator would. Parsing the .proto file at start-up instead
// (@grpc/proto-loader, which loads the whole of protobufjs) cost about 12 MiB and 90 ms per start;
// test/server/proto.test.ts holds this codec to that loader's reading of the same file.
import protobuf from 'protobufjs/minimal.js';

const { Reader, Writer } = protobuf;
type ProtoReader = InstanceType<typeof Reader>;
type ProtoWriter = InstanceType<typeof Writer>;

/** The wire types as the service hands them over (camelCase fields, bytes as Buffer, proto3 defaults filled in). */
export interface WireObjectVersion {
  id: string;
  version: string;
}
export interface WireMountRequest {
  attributes: string;
  secrets: string;
  targetPath: string;
  permission: string;
  currentObjectVersion: WireObjectVersion[];
}
export interface WireMountResponse {
  objectVersion: WireObjectVersion[];
  error?: { code: string } | null;
  files: Array<{ path: string; mode: number; contents: Uint8Array }>;
}
export interface WireVersionRequest {
  version: string;
}
export interface WireVersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
}

/** Wire types of protobuf fields: varint and length-delimited are all this contract uses. */
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

/**
 * The string fields of a message, in field-number order: the first is field 1. Every message of the
 * contract starts with its strings; the few other fields are handled beside them.
 */
type StringFields<T> = ReadonlyArray<keyof T & string>;

const OBJECT_VERSION: StringFields<WireObjectVersion> = ['id', 'version'];
const ERROR: StringFields<{ code: string }> = ['code'];
const VERSION_REQUEST: StringFields<WireVersionRequest> = ['version'];
const VERSION_RESPONSE: StringFields<WireVersionResponse> = ['version', 'runtimeName', 'runtimeVersion'];
const MOUNT_REQUEST: StringFields<WireMountRequest> = ['attributes', 'secrets', 'targetPath', 'permission'];

/** Writes `names` of `message` as fields 1, 2, ...; proto3 leaves out empty strings. */
function writeStrings<T>(writer: ProtoWriter, message: T, names: StringFields<T>): void {
  names.forEach((name, index) => {
    const value = message[name] as unknown;
    if (typeof value === 'string' && value !== '') writer.uint32(tag(index + 1, LENGTH_DELIMITED)).string(value);
  });
}

/** Writes each item as an embedded message in `field`. */
function writeEmbedded<T>(writer: ProtoWriter, field: number, items: readonly T[] | undefined, write: (item: T) => void): void {
  for (const item of items ?? []) {
    writer.uint32(tag(field, LENGTH_DELIMITED)).fork();
    write(item);
    writer.ldelim();
  }
}

/**
 * Reads one message from `reader` up to `end` into `message`: its string fields by `names`, any other
 * field by `other` (which returns false for a field it does not take). Fields nobody takes are
 * skipped, as proto3 requires of unknown fields.
 */
function readMessage<T>(reader: ProtoReader, end: number, message: T, names: StringFields<T>, other?: (number: number, wireType: number) => boolean): T {
  while (reader.pos < end) {
    const key = reader.uint32();
    const number = key >>> 3;
    const wireType = key & 7;
    const name = wireType === LENGTH_DELIMITED ? names[number - 1] : undefined;
    if (name !== undefined) (message as Record<string, unknown>)[name] = reader.string();
    else if (other?.(number, wireType) !== true) reader.skipType(wireType);
  }
  return message;
}

/** Reads an embedded message: its length, then its fields. */
function readEmbedded<T>(reader: ProtoReader, message: T, names: StringFields<T>, other?: (number: number, wireType: number) => boolean): T {
  const end = reader.uint32() + reader.pos;
  return readMessage(reader, end, message, names, other);
}

function finish(writer: ProtoWriter): Buffer {
  const bytes = writer.finish();
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The codec of a message of string fields only; `empty` makes its proto3 defaults. */
function stringsCodec<T>(names: StringFields<T>, empty: () => T): { readonly encode: (message: T) => Buffer; readonly decode: (bytes: Uint8Array) => T } {
  return {
    encode(message) {
      const writer = Writer.create();
      writeStrings(writer, message, names);
      return finish(writer);
    },
    decode(bytes) {
      const reader = Reader.create(bytes);
      return readMessage(reader, reader.len, empty(), names);
    },
  };
}

const versionRequest = stringsCodec(VERSION_REQUEST, () => ({ version: '' }));
const versionResponse = stringsCodec(VERSION_RESPONSE, () => ({ version: '', runtimeName: '', runtimeVersion: '' }));
export const encodeVersionRequest = versionRequest.encode;
export const decodeVersionRequest = versionRequest.decode;
export const encodeVersionResponse = versionResponse.encode;
export const decodeVersionResponse = versionResponse.decode;

export function encodeMountRequest(message: WireMountRequest): Buffer {
  const writer = Writer.create();
  writeStrings(writer, message, MOUNT_REQUEST);
  writeEmbedded(writer, 5, message.currentObjectVersion, (version) => writeStrings(writer, version, OBJECT_VERSION));
  return finish(writer);
}

export function decodeMountRequest(bytes: Uint8Array): WireMountRequest {
  const reader = Reader.create(bytes);
  const message: WireMountRequest = { attributes: '', secrets: '', targetPath: '', permission: '', currentObjectVersion: [] };
  return readMessage(reader, reader.len, message, MOUNT_REQUEST, (number, wireType) => {
    if (number !== 5 || wireType !== LENGTH_DELIMITED) return false;
    message.currentObjectVersion.push(readEmbedded(reader, { id: '', version: '' }, OBJECT_VERSION));
    return true;
  });
}

export function encodeMountResponse(message: WireMountResponse): Buffer {
  const chunks = encodeMountResponseChunks(message);
  const [only] = chunks;
  // One chunk is the writer's own buffer: a view of it, not a copy.
  return chunks.length === 1 && only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.concat(chunks);
}

/** File contents from this size on are sent as they are instead of being copied into the encoded message. */
const SHARED_CONTENTS_BYTES = 64 * 1024;

/**
 * A MountResponse as chunks whose concatenation is its encoding: contents of SHARED_CONTENTS_BYTES or more
 * are chunks of their own, by reference, so a response of megabytes of files is not copied once more to be
 * sent; everything else is encoded into the chunks between them.
 */
export function encodeMountResponseChunks(message: WireMountResponse): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let writer = Writer.create();
  writeEmbedded(writer, 1, message.objectVersion, (version) => writeStrings(writer, version, OBJECT_VERSION));
  writeEmbedded(writer, 2, message.error === undefined || message.error === null ? [] : [message.error], (error) => writeStrings(writer, error, ERROR));
  for (const file of message.files) {
    const length = file.contents.byteLength;
    if (length < SHARED_CONTENTS_BYTES) {
      writeEmbedded(writer, 3, [file], () => {
        writeFileHead(writer, file);
        if (length > 0) writer.uint32(tag(3, LENGTH_DELIMITED)).bytes(file.contents);
      });
      continue;
    }
    // The File's length is known without encoding it: its path, its mode, and the contents' tag and length.
    const pathBytes = Buffer.byteLength(file.path, 'utf8');
    const size = (pathBytes > 0 ? 1 + varintBytes(pathBytes) + pathBytes : 0) + (file.mode !== 0 ? 1 + (file.mode < 0 ? 10 : varintBytes(file.mode)) : 0) + 1 + varintBytes(length) + length;
    writer.uint32(tag(3, LENGTH_DELIMITED)).uint32(size);
    writeFileHead(writer, file);
    writer.uint32(tag(3, LENGTH_DELIMITED)).uint32(length);
    chunks.push(finish(writer), file.contents);
    writer = Writer.create();
  }
  const rest = finish(writer);
  if (rest.byteLength > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

type WireFile = WireMountResponse['files'][number];

/** A File's path (field 1) and mode (field 2); its contents (field 3) follow. */
function writeFileHead(writer: ProtoWriter, file: WireFile): void {
  writeStrings(writer, file, ['path']);
  if (file.mode !== 0) writer.uint32(tag(2, VARINT)).int32(file.mode);
}

/** Bytes of an unsigned varint. */
function varintBytes(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

export function decodeMountResponse(bytes: Uint8Array): WireMountResponse {
  const reader = Reader.create(bytes);
  const message: WireMountResponse = { objectVersion: [], error: null, files: [] };
  return readMessage(reader, reader.len, message, [], (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) message.objectVersion.push(readEmbedded(reader, { id: '', version: '' }, OBJECT_VERSION));
    else if (number === 2) message.error = readEmbedded(reader, { code: '' }, ERROR);
    else if (number === 3) message.files.push(readFile(reader));
    else return false;
    return true;
  });
}

/** A File: its path (field 1) by name, its mode and contents beside it. */
function readFile(reader: ProtoReader): WireFile {
  const file: WireFile = { path: '', mode: 0, contents: Buffer.alloc(0) };
  return readEmbedded(reader, file, ['path'], (number, wireType) => {
    if (number === 2 && wireType === VARINT) file.mode = reader.int32();
    else if (number === 3 && wireType === LENGTH_DELIMITED) file.contents = reader.bytes();
    else return false;
    return true;
  });
}
