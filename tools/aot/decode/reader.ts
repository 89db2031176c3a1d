// Byte reader for the WebAssembly binary format: fixed-size values and
// LEB128 integers (wasm spec 5.2.2).
import { MalformedError } from "../errors.ts";

export class Reader {
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  get atEnd(): boolean {
    return this.offset >= this.end;
  }

  fail(message: string, offset = this.offset): never {
    throw new MalformedError(message, offset);
  }

  // The message for reading past the end: a reader of one section or
  // function body ends before the module does.
  private get endMessage(): string {
    return this.end < this.bytes.length ? "unexpected end of section or function" : "unexpected end";
  }

  u8(): number {
    if (this.offset >= this.end) this.fail(this.endMessage);
    return this.bytes[this.offset++];
  }

  bytesOf(length: number): Uint8Array {
    if (length > this.end - this.offset) this.fail(this.endMessage);
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  u32Fixed(): number {
    const b = this.bytesOf(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  u64Fixed(): bigint {
    const low = BigInt(this.u32Fixed());
    const high = BigInt(this.u32Fixed());
    return (high << 32n) | low;
  }

  // Unsigned LEB128 of at most `bits` bits; unused bits of the last byte
  // must be zero (wasm spec 5.2.2).
  private unsigned(bits: number): bigint {
    const start = this.offset;
    let result = 0n;
    let shift = 0n;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; ; i++) {
      if (i >= maxBytes) this.fail("integer representation too long", start);
      if (this.offset >= this.end) this.fail(this.endMessage, start);
      const byte = this.bytes[this.offset++];
      result |= BigInt(byte & 0x7f) << shift;
      if (i === maxBytes - 1) {
        const used = bits - 7 * i;
        if (byte & 0x80) this.fail("integer representation too long", start);
        if (byte >> used !== 0) this.fail("integer too large", start);
      }
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  }

  // Signed LEB128 of at most `bits` bits; the unused bits of the last byte
  // must repeat the sign bit (wasm spec 5.2.2).
  private signed(bits: number): bigint {
    const start = this.offset;
    let result = 0n;
    let shift = 0n;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; ; i++) {
      if (i >= maxBytes) this.fail("integer representation too long", start);
      if (this.offset >= this.end) this.fail(this.endMessage, start);
      const byte = this.bytes[this.offset++];
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (i === maxBytes - 1) {
        if (byte & 0x80) this.fail("integer representation too long", start);
        const used = bits - 7 * i;
        const rest = byte >> (used - 1);
        const expected = byte & 0x40 ? 0x7f >> (used - 1) : 0;
        if (rest !== expected) this.fail("integer too large", start);
      }
      if (!(byte & 0x80)) {
        if (byte & 0x40) result -= 1n << shift;
        return result;
      }
    }
  }

  u32(): number {
    return Number(this.unsigned(32));
  }

  s32(): number {
    return Number(this.signed(32));
  }

  s33(): number {
    return Number(this.signed(33));
  }

  s64(): bigint {
    return this.signed(64);
  }

  // A UTF-8 name with its length prefix (wasm spec 5.2.4).
  name(): string {
    const length = this.u32();
    const start = this.offset;
    const raw = this.bytesOf(length);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      this.fail("malformed UTF-8 encoding", start);
    }
  }
}
