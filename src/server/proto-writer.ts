/** Protobuf's wire format written into one buffer sized beforehand: the encoding side of the driver's contract (proto.ts). */

/** Wire types of protobuf fields: varint and length-delimited are all the contract uses. */
export const VARINT = 0;
export const LENGTH_DELIMITED = 2;
export const tag = (field: number, wireType: number) => (field << 3) | wireType;

/**
 * The string fields of a message, in field-number order: the first is field 1. Every message of the
 * contract starts with its strings; the few other fields are handled beside them.
 */
export type StringFields<T> = ReadonlyArray<keyof T & string>;

/** Bytes of the non-empty string fields `names` of `message` (proto3 leaves out empty strings). */
export function stringsBytes<T>(message: T, names: StringFields<T>): number {
  let bytes = 0;
  for (const name of names) {
    const value = message[name] as unknown;
    if (typeof value === 'string') bytes += stringBytes(value);
  }
  return bytes;
}

/** Bytes of a string field; none when it is empty. */
export function stringBytes(value: string): number {
  return value === '' ? 0 : fieldBytes(Buffer.byteLength(value, 'utf8'));
}

/** Bytes of a length-delimited field (tag, length, contents) of a field number below 16, whose tag is one byte. */
export function fieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

/** Bytes of an unsigned varint. */
function varintBytes(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x20_0000) return 3;
  if (value < 0x1000_0000) return 4;
  return 5;
}

/** An int32 is a varint; a negative one is sign-extended to 64 bits, ten bytes. */
export function int32Bytes(value: number): number {
  return value < 0 ? 10 : varintBytes(value);
}

/**
 * Writes fields into one buffer of a size computed beforehand. protobufjs's Writer kept an operation
 * object per field and a state per embedded message, and was the largest allocation of a warm Mount.
 */
export class FieldWriter {
  readonly #buffer: Buffer;
  pos = 0;

  constructor(bytes: number) {
    this.#buffer = Buffer.allocUnsafe(bytes);
  }

  tag(field: number, wireType: number): this {
    return this.varint(tag(field, wireType));
  }

  /** The tag and length of a length-delimited field; its `length` bytes are written next. */
  head(field: number, length: number): this {
    return this.tag(field, LENGTH_DELIMITED).varint(length);
  }

  /** Writes `names` of `message` as fields 1, 2, ...; proto3 leaves out empty strings. */
  strings<T>(message: T, names: StringFields<T>): this {
    names.forEach((name, index) => {
      const value = message[name] as unknown;
      if (typeof value === 'string') this.string(index + 1, value);
    });
    return this;
  }

  /** A string field; nothing when it is empty. */
  string(field: number, value: string): this {
    if (value === '') return this;
    const length = Buffer.byteLength(value, 'utf8');
    this.head(field, length);
    this.pos += this.#buffer.write(value, this.pos, length, 'utf8');
    return this;
  }

  bytes(bytes: Uint8Array): this {
    this.#buffer.set(bytes, this.pos);
    this.pos += bytes.byteLength;
    return this;
  }

  varint(value: number): this {
    let rest = value >>> 0;
    while (rest > 0x7f) {
      this.#buffer[this.pos++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.#buffer[this.pos++] = rest;
    return this;
  }

  /** A negative int32 as the ten bytes of its 64-bit two's complement. */
  int32(value: number): this {
    if (value >= 0) return this.varint(value);
    let low = value >>> 0;
    let high = 0xffff_ffff;
    while (high !== 0) {
      this.#buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    return this.varint(low);
  }

  /** The bytes written from `from` on, by reference. */
  view(from: number): Buffer {
    return this.#buffer.subarray(from, this.pos);
  }

  /** Throws unless every byte was written: the buffer comes uninitialised (from Node's pool, for small ones). */
  full(): void {
    if (this.pos !== this.#buffer.byteLength) throw new Error(`encoded ${this.pos} of ${this.#buffer.byteLength} bytes`);
  }

  /** The whole buffer, which must be full. */
  done(): Buffer {
    this.full();
    return this.#buffer;
  }
}
