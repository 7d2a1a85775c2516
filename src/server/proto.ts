/** The driver's provider contract (proto/v1alpha1/service.proto) as a grpc-js service, its messages coded with protobufjs's wire Reader and Writer. */
// Written as protobufjs's static code generator would. Parsing the .proto file at start-up instead
// (@grpc/proto-loader, which loads the whole of protobufjs) cost about 12 MiB and 90 ms per start;
// test/server/proto.test.ts holds this codec to that loader's reading of the same file.
import { makeClientConstructor, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
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

/** The loaded `v1alpha1.CSIDriverProvider` service: its definition and a client constructor. */
export interface ProviderProto {
  readonly service: ServiceDefinition;
  readonly Client: ServiceClientConstructor;
}

/** Wire types of protobuf fields: varint and length-delimited are all this contract uses. */
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

function writeString(writer: ProtoWriter, field: number, value: string | undefined): void {
  if (value !== undefined && value !== null && value !== '') writer.uint32(tag(field, LENGTH_DELIMITED)).string(value);
}

function writeObjectVersions(writer: ProtoWriter, field: number, versions: readonly WireObjectVersion[] | undefined): void {
  for (const version of versions ?? []) {
    writer.uint32(tag(field, LENGTH_DELIMITED)).fork();
    writeString(writer, 1, version.id);
    writeString(writer, 2, version.version);
    writer.ldelim();
  }
}

/**
 * Reads the fields of one message from `reader` up to `end`, handing each to `field`; a field the
 * callback does not take (it returns false) is skipped, as proto3 requires of unknown fields.
 */
function readFields(reader: ProtoReader, end: number, field: (number: number, wireType: number) => boolean): void {
  while (reader.pos < end) {
    const key = reader.uint32();
    const number = key >>> 3;
    const wireType = key & 7;
    if (!field(number, wireType)) reader.skipType(wireType);
  }
}

function readObjectVersion(reader: ProtoReader): WireObjectVersion {
  const end = reader.uint32() + reader.pos;
  const version: WireObjectVersion = { id: '', version: '' };
  readFields(reader, end, (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) version.id = reader.string();
    else if (number === 2) version.version = reader.string();
    else return false;
    return true;
  });
  return version;
}

function finish(writer: ProtoWriter): Buffer {
  const bytes = writer.finish();
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function encodeVersionRequest(message: WireVersionRequest): Buffer {
  const writer = Writer.create();
  writeString(writer, 1, message.version);
  return finish(writer);
}

export function decodeVersionRequest(bytes: Uint8Array): WireVersionRequest {
  const reader = Reader.create(bytes);
  const message: WireVersionRequest = { version: '' };
  readFields(reader, reader.len, (number, wireType) => {
    if (number !== 1 || wireType !== LENGTH_DELIMITED) return false;
    message.version = reader.string();
    return true;
  });
  return message;
}

export function encodeVersionResponse(message: WireVersionResponse): Buffer {
  const writer = Writer.create();
  writeString(writer, 1, message.version);
  writeString(writer, 2, message.runtimeName);
  writeString(writer, 3, message.runtimeVersion);
  return finish(writer);
}

export function decodeVersionResponse(bytes: Uint8Array): WireVersionResponse {
  const reader = Reader.create(bytes);
  const message: WireVersionResponse = { version: '', runtimeName: '', runtimeVersion: '' };
  readFields(reader, reader.len, (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) message.version = reader.string();
    else if (number === 2) message.runtimeName = reader.string();
    else if (number === 3) message.runtimeVersion = reader.string();
    else return false;
    return true;
  });
  return message;
}

export function encodeMountRequest(message: WireMountRequest): Buffer {
  const writer = Writer.create();
  writeString(writer, 1, message.attributes);
  writeString(writer, 2, message.secrets);
  writeString(writer, 3, message.targetPath);
  writeString(writer, 4, message.permission);
  writeObjectVersions(writer, 5, message.currentObjectVersion);
  return finish(writer);
}

export function decodeMountRequest(bytes: Uint8Array): WireMountRequest {
  const reader = Reader.create(bytes);
  const message: WireMountRequest = { attributes: '', secrets: '', targetPath: '', permission: '', currentObjectVersion: [] };
  readFields(reader, reader.len, (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) message.attributes = reader.string();
    else if (number === 2) message.secrets = reader.string();
    else if (number === 3) message.targetPath = reader.string();
    else if (number === 4) message.permission = reader.string();
    else if (number === 5) message.currentObjectVersion.push(readObjectVersion(reader));
    else return false;
    return true;
  });
  return message;
}

export function encodeMountResponse(message: WireMountResponse): Buffer {
  const writer = Writer.create();
  writeObjectVersions(writer, 1, message.objectVersion);
  if (message.error !== undefined && message.error !== null) {
    writer.uint32(tag(2, LENGTH_DELIMITED)).fork();
    writeString(writer, 1, message.error.code);
    writer.ldelim();
  }
  for (const file of message.files ?? []) {
    writer.uint32(tag(3, LENGTH_DELIMITED)).fork();
    writeString(writer, 1, file.path);
    if (file.mode !== 0) writer.uint32(tag(2, VARINT)).int32(file.mode);
    if (file.contents.byteLength > 0) writer.uint32(tag(3, LENGTH_DELIMITED)).bytes(file.contents);
    writer.ldelim();
  }
  return finish(writer);
}

export function decodeMountResponse(bytes: Uint8Array): WireMountResponse {
  const reader = Reader.create(bytes);
  const message: WireMountResponse = { objectVersion: [], error: null, files: [] };
  readFields(reader, reader.len, (number, wireType) => {
    if (wireType !== LENGTH_DELIMITED) return false;
    if (number === 1) message.objectVersion.push(readObjectVersion(reader));
    else if (number === 2) message.error = readError(reader);
    else if (number === 3) message.files.push(readFile(reader));
    else return false;
    return true;
  });
  return message;
}

function readError(reader: ProtoReader): { code: string } {
  const end = reader.uint32() + reader.pos;
  const error = { code: '' };
  readFields(reader, end, (number, wireType) => {
    if (number !== 1 || wireType !== LENGTH_DELIMITED) return false;
    error.code = reader.string();
    return true;
  });
  return error;
}

function readFile(reader: ProtoReader): { path: string; mode: number; contents: Uint8Array } {
  const end = reader.uint32() + reader.pos;
  const file = { path: '', mode: 0, contents: Buffer.alloc(0) as Uint8Array };
  readFields(reader, end, (number, wireType) => {
    if (number === 1 && wireType === LENGTH_DELIMITED) file.path = reader.string();
    else if (number === 2 && wireType === VARINT) file.mode = reader.int32();
    else if (number === 3 && wireType === LENGTH_DELIMITED) file.contents = reader.bytes();
    else return false;
    return true;
  });
  return file;
}

/** One unary method of the service, as grpc-js describes it. */
function unary<Request, Response>(name: string, encodeRequest: (message: Request) => Buffer, decodeRequest: (bytes: Buffer) => Request, encodeResponse: (message: Response) => Buffer, decodeResponse: (bytes: Buffer) => Response) {
  return {
    path: `/v1alpha1.CSIDriverProvider/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

const SERVICE: ServiceDefinition = {
  Version: unary('Version', encodeVersionRequest, decodeVersionRequest, encodeVersionResponse, decodeVersionResponse),
  Mount: unary('Mount', encodeMountRequest, decodeMountRequest, encodeMountResponse, decodeMountResponse),
};

let loaded: ProviderProto | undefined;

/** The contract; missing strings are '' and missing lists [] as in proto3, a missing error is null. */
export function loadProviderProto(): ProviderProto {
  loaded ??= { service: SERVICE, Client: makeClientConstructor(SERVICE, 'v1alpha1.CSIDriverProvider') };
  return loaded;
}
