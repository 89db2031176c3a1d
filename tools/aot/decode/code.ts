// Decoding of instruction sequences (wasm spec 5.4) into Instr records.
// Only the immediates are read here; the validator checks types.
import { Reader } from "./reader.ts";
import type { BlockType, Instr, ValType } from "./types.ts";

export function readValType(reader: Reader): ValType {
  const start = reader.offset;
  const byte = reader.u8();
  switch (byte) {
    case 0x7f:
      return "i32";
    case 0x7e:
      return "i64";
    case 0x7d:
      return "f32";
    case 0x7c:
      return "f64";
    case 0x70:
      return "funcref";
    case 0x6f:
      return "externref";
  }
  return reader.fail(`malformed value type 0x${byte.toString(16)}`, start);
}

function readBlockType(reader: Reader): BlockType {
  const byte = reader.bytes[reader.offset];
  if (byte === 0x40) {
    reader.offset++;
    return { kind: "empty" };
  }
  if ([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f].includes(byte)) {
    return { kind: "value", type: readValType(reader) };
  }
  const start = reader.offset;
  const index = reader.s33();
  if (index < 0) reader.fail("malformed block type", start);
  return { kind: "index", index };
}

// Memory-access opcodes 0x28..0x3e carry a memarg.
function isMemoryAccess(op: number): boolean {
  return op >= 0x28 && op <= 0x3e;
}

// Reads instructions until the `end` that closes the body (depth 0).
export function readBody(reader: Reader): Instr[] {
  const body: Instr[] = [];
  let depth = 0;
  for (;;) {
    const offset = reader.offset;
    let op = reader.u8();
    const instr: Instr = { op, offset, a: 0, b: 0 };
    if (op === 0xfc) {
      const sub = reader.u32();
      op = 0xfc00 | (sub & 0xff);
      if (sub > 0xff) op = 0xfcff;
      instr.op = op;
      readPrefixed(reader, instr, sub);
      body.push(instr);
      continue;
    }
    switch (op) {
      case 0x02:
      case 0x03:
      case 0x04:
        instr.block = readBlockType(reader);
        depth++;
        break;
      case 0x0b:
        body.push(instr);
        if (depth === 0) return body;
        depth--;
        continue;
      case 0x0c:
      case 0x0d:
      case 0x10:
      case 0x20:
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24:
      case 0x25:
      case 0x26:
      case 0xd2:
        instr.a = reader.u32();
        break;
      case 0x0e: {
        const count = reader.u32();
        const targets: number[] = [];
        for (let i = 0; i < count; i++) targets.push(reader.u32());
        instr.targets = targets;
        instr.a = reader.u32();
        break;
      }
      case 0x11:
        instr.a = reader.u32();
        instr.b = reader.u32();
        break;
      case 0x1c: {
        const count = reader.u32();
        if (count !== 1) reader.fail("invalid result arity", offset);
        instr.selectType = readValType(reader);
        break;
      }
      case 0x3f:
      case 0x40: {
        const start = reader.offset;
        const zero = reader.u8();
        if (zero !== 0) reader.fail("zero byte expected", start);
        break;
      }
      case 0x41:
        instr.bits = BigInt(reader.s32());
        break;
      case 0x42:
        instr.bits = reader.s64();
        break;
      case 0x43:
        instr.bits = BigInt(reader.u32Fixed());
        break;
      case 0x44:
        instr.bits = reader.u64Fixed();
        break;
      case 0xd0:
        instr.selectType = readValType(reader);
        break;
      default:
        if (isMemoryAccess(op)) {
          instr.a = reader.u32();
          instr.b = reader.u32();
        }
    }
    body.push(instr);
  }
}

function readPrefixed(reader: Reader, instr: Instr, sub: number): void {
  switch (sub) {
    case 8: // memory.init dataidx 0x00
      instr.a = reader.u32();
      zeroByte(reader);
      break;
    case 9: // data.drop dataidx
      instr.a = reader.u32();
      break;
    case 10: // memory.copy 0x00 0x00
      zeroByte(reader);
      zeroByte(reader);
      break;
    case 11: // memory.fill 0x00
      zeroByte(reader);
      break;
    case 12: // table.init elemidx tableidx
      instr.a = reader.u32();
      instr.b = reader.u32();
      break;
    case 13: // elem.drop elemidx
      instr.a = reader.u32();
      break;
    case 14: // table.copy dst src
      instr.a = reader.u32();
      instr.b = reader.u32();
      break;
    case 15: // table.grow, table.size, table.fill: tableidx
    case 16:
    case 17:
      instr.a = reader.u32();
      break;
  }
}

function zeroByte(reader: Reader): void {
  const start = reader.offset;
  if (reader.u8() !== 0) reader.fail("zero byte expected", start);
}
