/** The driver's provider contract (proto/v1alpha1/service.proto): its messages, read with protobufjs's wire Reader, written with proto-writer.ts. */
// Read as protobufjs's static code generator would. Parsing the .proto file at start-up instead
// (@grpc/proto-loader, which loads the whole of protobufjs) cost about 12 MiB and 90 ms per start;
// test/server/proto.test.ts holds this codec to that loader's reading of the same file.
import protobuf from 'protobufjs/minimal.js';
import { FieldWriter, fieldBytes, int32Bytes, LENGTH_DELIMITED, stringBytes, stringsBytes, VARINT, type StringFields } from './proto-writer.ts';

const { Reader } = protobuf;
type ProtoReader = InstanceType<typeof Reader>;

/** The wire types as the service hands them over (camelCase fields, bytes as Buffer, proto3 defaults filled in). */
export interface WireObjectVersion {
  id: string;
  version: string;
}
export interface WireFile {
  path: string;
  mode: number;
  contents: Uint8Array;
}
export interface WireMountRequest {
  attributes: string;
  secrets: string;
  targetPath: string;
  permission: string;
  currentObjectVersion: WireObjectVersion[];
}
/** Read-only, so that the service can hand over the Mount's own files and versions as they are. */
export interface WireMountResponse {
  readonly objectVersion: ReadonlyArray<Readonly<WireObjectVersion>>;
  readonly error?: { readonly code: string } | null;
  readonly files: ReadonlyArray<Readonly<WireFile>>;
}
export interface WireVersionRequest {
  version: string;
}
export interface WireVersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
}

const OBJECT_VERSION: StringFields<WireObjectVersion> = ['id', 'version'];
const ERROR: StringFields<{ code: string }> = ['code'];
const VERSION_REQUEST: StringFields<WireVersionRequest> = ['version'];
const VERSION_RESPONSE: StringFields<WireVersionResponse> = ['version', 'runtimeName', 'runtimeVersion'];
const MOUNT_REQUEST: StringFields<WireMountRequest> = ['attributes', 'secrets', 'targetPath', 'permission'];

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

/** The codec of a message of string fields only; `empty` makes its proto3 defaults. */
function stringsCodec<T>(names: StringFields<T>, empty: () => T): { readonly encode: (message: T) => Buffer; readonly decode: (bytes: Uint8Array) => T } {
  return {
    encode(message) {
      const out = new FieldWriter(stringsBytes(message, names));
      out.strings(message, names);
      return out.done();
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
  const versions = message.currentObjectVersion.map((version) => stringsBytes(version, OBJECT_VERSION));
  const out = new FieldWriter(stringsBytes(message, MOUNT_REQUEST) + versions.reduce((sum, bytes) => sum + fieldBytes(bytes), 0));
  out.strings(message, MOUNT_REQUEST);
  message.currentObjectVersion.forEach((version, index) => out.head(5, versions[index] as number).strings(version, OBJECT_VERSION));
  return out.done();
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
  // One chunk is the encoder's own buffer: a view of it, not a copy.
  return chunks.length === 1 && only ? Buffer.from(only.buffer, only.byteOffset, only.byteLength) : Buffer.concat(chunks);
}

/** File contents from this size on are sent as they are instead of being copied into the encoded message. */
const SHARED_CONTENTS_BYTES = 64 * 1024;

/**
 * A MountResponse as chunks whose concatenation is its encoding: contents of SHARED_CONTENTS_BYTES or more
 * are chunks of their own, by reference, so a response of megabytes of files is not copied once more to be
 * sent; everything else is written into one buffer, sized first, and the chunks between them are views of it.
 */
export function encodeMountResponseChunks(message: WireMountResponse): Uint8Array[] {
  // Indexed loops: an array iterator per loop was most of what a response's encoding allocated besides its buffer.
  const { objectVersion: versions, files } = message;
  const error = message.error === undefined || message.error === null ? undefined : message.error;
  let inline = error === undefined ? 0 : fieldBytes(stringsBytes(error, ERROR));
  for (let index = 0; index < versions.length; index += 1) inline += fieldBytes(versionBytes(versions[index] as WireObjectVersion));
  for (let index = 0; index < files.length; index += 1) {
    const file = files[index] as WireFile;
    const length = file.contents.byteLength;
    inline += fieldBytes(fileBytes(file)) - (length < SHARED_CONTENTS_BYTES ? 0 : length);
  }
  const out = new FieldWriter(inline);
  for (let index = 0; index < versions.length; index += 1) {
    const version = versions[index] as WireObjectVersion;
    out.head(1, versionBytes(version)).string(1, version.id).string(2, version.version);
  }
  if (error !== undefined) out.head(2, stringsBytes(error, ERROR)).strings(error, ERROR);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (let index = 0; index < files.length; index += 1) {
    const file = files[index] as WireFile;
    const length = file.contents.byteLength;
    out.head(3, fileBytes(file)).string(1, file.path);
    if (file.mode !== 0) out.tag(2, VARINT).int32(file.mode);
    if (length === 0) continue;
    out.head(3, length);
    if (length < SHARED_CONTENTS_BYTES) {
      out.bytes(file.contents);
      continue;
    }
    chunks.push(out.view(from), file.contents);
    from = out.pos;
  }
  if (out.pos > from || chunks.length === 0) chunks.push(out.view(from));
  out.full();
  return chunks;
}

/** Bytes of a File's fields: its path (field 1), mode (field 2) and contents (field 3). */
function fileBytes(file: Readonly<WireFile>): number {
  const length = file.contents.byteLength;
  return stringBytes(file.path) + (file.mode === 0 ? 0 : 1 + int32Bytes(file.mode)) + (length === 0 ? 0 : fieldBytes(length));
}

/** An ObjectVersion's fields: its id (field 1) and version (field 2). Written out, not by name as stringsBytes does: a warm Mount encodes many. */
function versionBytes(version: Readonly<WireObjectVersion>): number {
  return stringBytes(version.id) + stringBytes(version.version);
}

export function decodeMountResponse(bytes: Uint8Array): WireMountResponse {
  const reader = Reader.create(bytes);
  const objectVersion: WireObjectVersion[] = [];
  const files: WireFile[] = [];
  let error: { code: string } | null = null;
  readMessage(reader, reader.len, {}, [], (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) objectVersion.push(readEmbedded(reader, { id: '', version: '' }, OBJECT_VERSION));
    else if (number === 2) error = readEmbedded(reader, { code: '' }, ERROR);
    else if (number === 3) files.push(readFile(reader));
    else return false;
    return true;
  });
  return { objectVersion, error, files };
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
