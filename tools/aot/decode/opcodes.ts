// Opcode names (wasm spec 5.4) and the operand types of the instructions
// whose signature does not depend on their immediates.
import type { ValType } from "./types.ts";

export interface OpInfo {
  name: string;
  // Popped and pushed types, for instructions with a fixed signature.
  params?: ValType[];
  results?: ValType[];
  // Memory access width in bytes, for loads and stores.
  size?: number;
}

export const opInfo = new Map<number, OpInfo>();

const typeLetters: Record<string, ValType> = {
  i: "i32",
  I: "i64",
  f: "f32",
  F: "f64",
};

function sig(text: string): { params: ValType[]; results: ValType[] } {
  const [params, results] = text.split(":");
  return {
    params: [...params].map((letter) => typeLetters[letter]),
    results: [...results].map((letter) => typeLetters[letter]),
  };
}

function define(op: number, name: string, signature?: string, size?: number): void {
  opInfo.set(op, { name, ...(signature === undefined ? {} : sig(signature)), size });
}

function defineRun(first: number, names: string[], signature: string): void {
  names.forEach((name, i) => define(first + i, name, signature));
}

const control: [number, string][] = [
  [0x00, "unreachable"],
  [0x01, "nop"],
  [0x02, "block"],
  [0x03, "loop"],
  [0x04, "if"],
  [0x05, "else"],
  [0x0b, "end"],
  [0x0c, "br"],
  [0x0d, "br_if"],
  [0x0e, "br_table"],
  [0x0f, "return"],
  [0x10, "call"],
  [0x11, "call_indirect"],
  [0x1a, "drop"],
  [0x1b, "select"],
  [0x1c, "select"],
  [0x20, "local.get"],
  [0x21, "local.set"],
  [0x22, "local.tee"],
  [0x23, "global.get"],
  [0x24, "global.set"],
  [0x25, "table.get"],
  [0x26, "table.set"],
  [0x3f, "memory.size"],
  [0x40, "memory.grow"],
  [0x41, "i32.const"],
  [0x42, "i64.const"],
  [0x43, "f32.const"],
  [0x44, "f64.const"],
  [0xd0, "ref.null"],
  [0xd1, "ref.is_null"],
  [0xd2, "ref.func"],
  [0xfc08, "memory.init"],
  [0xfc09, "data.drop"],
  [0xfc0a, "memory.copy"],
  [0xfc0b, "memory.fill"],
  [0xfc0c, "table.init"],
  [0xfc0d, "elem.drop"],
  [0xfc0e, "table.copy"],
  [0xfc0f, "table.grow"],
  [0xfc10, "table.size"],
  [0xfc11, "table.fill"],
];
for (const [op, name] of control) define(op, name);

define(0x28, "i32.load", "i:i", 4);
define(0x29, "i64.load", "i:I", 8);
define(0x2a, "f32.load", "i:f", 4);
define(0x2b, "f64.load", "i:F", 8);
define(0x2c, "i32.load8_s", "i:i", 1);
define(0x2d, "i32.load8_u", "i:i", 1);
define(0x2e, "i32.load16_s", "i:i", 2);
define(0x2f, "i32.load16_u", "i:i", 2);
define(0x30, "i64.load8_s", "i:I", 1);
define(0x31, "i64.load8_u", "i:I", 1);
define(0x32, "i64.load16_s", "i:I", 2);
define(0x33, "i64.load16_u", "i:I", 2);
define(0x34, "i64.load32_s", "i:I", 4);
define(0x35, "i64.load32_u", "i:I", 4);
define(0x36, "i32.store", "ii:", 4);
define(0x37, "i64.store", "iI:", 8);
define(0x38, "f32.store", "if:", 4);
define(0x39, "f64.store", "iF:", 8);
define(0x3a, "i32.store8", "ii:", 1);
define(0x3b, "i32.store16", "ii:", 2);
define(0x3c, "i64.store8", "iI:", 1);
define(0x3d, "i64.store16", "iI:", 2);
define(0x3e, "i64.store32", "iI:", 4);

const compare = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const floatCompare = ["eq", "ne", "lt", "gt", "le", "ge"];
const intUnary = ["clz", "ctz", "popcnt"];
const intBinary = [
  "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u",
  "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
];
const floatUnary = ["abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt"];
const floatBinary = ["add", "sub", "mul", "div", "min", "max", "copysign"];
const prefixed = (type: string, names: string[]) => names.map((name) => `${type}.${name}`);

define(0x45, "i32.eqz", "i:i");
defineRun(0x46, prefixed("i32", compare), "ii:i");
define(0x50, "i64.eqz", "I:i");
defineRun(0x51, prefixed("i64", compare), "II:i");
defineRun(0x5b, prefixed("f32", floatCompare), "ff:i");
defineRun(0x61, prefixed("f64", floatCompare), "FF:i");
defineRun(0x67, prefixed("i32", intUnary), "i:i");
defineRun(0x6a, prefixed("i32", intBinary), "ii:i");
defineRun(0x79, prefixed("i64", intUnary), "I:I");
defineRun(0x7c, prefixed("i64", intBinary), "II:I");
defineRun(0x8b, prefixed("f32", floatUnary), "f:f");
defineRun(0x92, prefixed("f32", floatBinary), "ff:f");
defineRun(0x99, prefixed("f64", floatUnary), "F:F");
defineRun(0xa0, prefixed("f64", floatBinary), "FF:F");

const conversions: [number, string, string][] = [
  [0xa7, "i32.wrap_i64", "I:i"],
  [0xa8, "i32.trunc_f32_s", "f:i"],
  [0xa9, "i32.trunc_f32_u", "f:i"],
  [0xaa, "i32.trunc_f64_s", "F:i"],
  [0xab, "i32.trunc_f64_u", "F:i"],
  [0xac, "i64.extend_i32_s", "i:I"],
  [0xad, "i64.extend_i32_u", "i:I"],
  [0xae, "i64.trunc_f32_s", "f:I"],
  [0xaf, "i64.trunc_f32_u", "f:I"],
  [0xb0, "i64.trunc_f64_s", "F:I"],
  [0xb1, "i64.trunc_f64_u", "F:I"],
  [0xb2, "f32.convert_i32_s", "i:f"],
  [0xb3, "f32.convert_i32_u", "i:f"],
  [0xb4, "f32.convert_i64_s", "I:f"],
  [0xb5, "f32.convert_i64_u", "I:f"],
  [0xb6, "f32.demote_f64", "F:f"],
  [0xb7, "f64.convert_i32_s", "i:F"],
  [0xb8, "f64.convert_i32_u", "i:F"],
  [0xb9, "f64.convert_i64_s", "I:F"],
  [0xba, "f64.convert_i64_u", "I:F"],
  [0xbb, "f64.promote_f32", "f:F"],
  [0xbc, "i32.reinterpret_f32", "f:i"],
  [0xbd, "i64.reinterpret_f64", "F:I"],
  [0xbe, "f32.reinterpret_i32", "i:f"],
  [0xbf, "f64.reinterpret_i64", "I:F"],
  [0xc0, "i32.extend8_s", "i:i"],
  [0xc1, "i32.extend16_s", "i:i"],
  [0xc2, "i64.extend8_s", "I:I"],
  [0xc3, "i64.extend16_s", "I:I"],
  [0xc4, "i64.extend32_s", "I:I"],
  [0xfc00, "i32.trunc_sat_f32_s", "f:i"],
  [0xfc01, "i32.trunc_sat_f32_u", "f:i"],
  [0xfc02, "i32.trunc_sat_f64_s", "F:i"],
  [0xfc03, "i32.trunc_sat_f64_u", "F:i"],
  [0xfc04, "i64.trunc_sat_f32_s", "f:I"],
  [0xfc05, "i64.trunc_sat_f32_u", "f:I"],
  [0xfc06, "i64.trunc_sat_f64_s", "F:I"],
  [0xfc07, "i64.trunc_sat_f64_u", "F:I"],
];
for (const [op, name, signature] of conversions) define(op, name, signature);

export function opName(op: number): string {
  const info = opInfo.get(op);
  if (info) return info.name;
  return op >= 0xfc00 ? `0xfc ${op & 0xff}` : `0x${op.toString(16).padStart(2, "0")}`;
}
