// Runs every numeric instruction of the MVP, sign extension and
// non-trapping float-to-int on edge-case operands. The native result of
// each must match V8's bit for bit, except that any two quiet NaNs match.
import assert from "node:assert/strict";
import { opInfo } from "../../tools/aot/decode/opcodes.ts";
import type { ValType } from "../../tools/aot/decode/types.ts";
import { printerFunctions, printerImports, runNative, runV8, watToWasm } from "./harness.ts";

const i32Values = ["0", "1", "-1", "2", "7", "-7", "31", "32", "33", "0x7fffffff", "0x80000000", "0x12345678"];
const i64Values = [
  "0", "1", "-1", "7", "-7", "63", "64", "65", "0xffffffff", "0x100000000",
  "0x7fffffffffffffff", "0x8000000000000000", "0x123456789abcdef0",
];
const floatValues = [
  "0", "-0", "1", "-1", "0.5", "-0.5", "1.5", "2.5", "-2.5", "0x1p-149", "0x1.fffffep127",
  "inf", "-inf", "nan", "-nan", "nan:0x200001", "2147483520", "2147483648", "-2147483648",
  "4294967040", "4294967296", "0x1p63", "-0x1p63", "0x1p64", "1e10", "-1e10", "0.49999997",
];
const f64Values = [
  ...floatValues.filter((value) => value !== "0x1p-149" && value !== "0x1.fffffep127"),
  "0x1p-1074", "0x1.fffffffffffffp1023", "-2147483649", "-2147483648.5", "2147483647.5",
  "4294967295.5", "0x1.fffffffffffffp62", "nan:0x4000000000001", "4503599627370497.5",
];
const values: Record<string, string[]> = { i32: i32Values, i64: i64Values, f32: floatValues, f64: f64Values };

// Operand pairs of a binary instruction: all pairs for integers; for
// floats, all pairs of a shorter list.
function pairs(type: ValType): [string, string][] {
  const list = type.startsWith("f") ? values[type].slice(0, 16).concat(["nan:0x200001", "0x1p63"]) : values[type];
  return list.flatMap((a) => list.map((b): [string, string] => [a, b]));
}

// JavaScript value of a literal, to leave out operands that trap.
function numberOf(text: string): number {
  if (text.includes("nan")) return NaN;
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  if (/^-?0x[0-9a-f.]*p/i.test(text)) {
    const match = /^(-?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?p(-?\d+)$/i.exec(text)!;
    const fraction = match[3] ? parseInt(match[3], 16) / 16 ** match[3].length : 0;
    const mantissa = parseInt(match[2] || "0", 16) + fraction;
    return (match[1] ? -1 : 1) * mantissa * 2 ** Number(match[4]);
  }
  return Number(text);
}

function bigOf(text: string, bits: number): bigint {
  const negative = text.startsWith("-");
  const magnitude = BigInt(negative ? text.slice(1) : text);
  return BigInt.asIntN(bits, negative ? -magnitude : magnitude);
}

// Float-to-int truncations that trap: the range of the result type.
function truncTraps(name: string, operand: string): boolean {
  const value = Math.trunc(numberOf(operand));
  if (Number.isNaN(value)) return true;
  const [low, high] = {
    "i32.trunc_s": [-(2 ** 31), 2 ** 31],
    "i32.trunc_u": [0, 2 ** 32],
    "i64.trunc_s": [-(2 ** 63), 2 ** 63],
    "i64.trunc_u": [0, 2 ** 64],
  }[name.replace(/_f(32|64)/, "")]!;
  return !(value >= low && value < high);
}

function divisionTraps(name: string, a: string, b: string): boolean {
  const bits = name.startsWith("i32") ? 32 : 64;
  const divisor = bigOf(b, bits);
  if (divisor === 0n) return true;
  return name.endsWith("div_s") && divisor === -1n && bigOf(a, bits) === -(1n << BigInt(bits - 1));
}

interface Case {
  expression: string;
  type: ValType;
}

function widen(expression: string, type: ValType): string {
  switch (type) {
    case "i32":
      return `(i64.extend_i32_u ${expression})`;
    case "f32":
      return `(i64.extend_i32_u (i32.reinterpret_f32 ${expression}))`;
    case "f64":
      return `(i64.reinterpret_f64 ${expression})`;
    default:
      return expression;
  }
}

function casesFor(filter: (name: string) => boolean): Case[] {
  const cases: Case[] = [];
  for (const info of opInfo.values()) {
    if (!info.params || info.size !== undefined || !filter(info.name)) continue;
    const [first, second] = info.params;
    const result = info.results![0];
    if (info.params.length === 1) {
      for (const operand of values[first]) {
        if (/trunc_f/.test(info.name) && truncTraps(info.name, operand)) continue;
        cases.push({ expression: `(${info.name} (${first}.const ${operand}))`, type: result });
      }
    } else {
      for (const [a, b] of pairs(first)) {
        if (/\.(div|rem)_/.test(info.name) && divisionTraps(info.name, a, b)) continue;
        cases.push({ expression: `(${info.name} (${first}.const ${a}) (${second}.const ${b}))`, type: result });
      }
    }
  }
  return cases;
}

function moduleFor(cases: Case[]): string {
  const calls = cases.map((c) => `    (call $print ${widen(c.expression, c.type)})`).join("\n");
  return `(module ${printerImports}
  (memory (export "memory") 1)
  ${printerFunctions}
  (func (export "main") (result i32)
${calls}
    (i32.const 0)))`;
}

// Replaces a quiet NaN's bits with "nan:quiet". V8 returns the canonical
// NaN where x86 keeps an input's payload, and the spec accepts both for an
// arithmetic NaN input (the spec suite checks the finer rules).
function normalise(line: string, type: ValType): string {
  if (type !== "f32" && type !== "f64") return line;
  const bits = BigInt(`0x${line}`);
  const [exponentMask, quiet, payloadMask] =
    type === "f32"
      ? [0x7f800000n, 0x400000n, 0x7fffffn]
      : [0x7ff0000000000000n, 0x8000000000000n, 0xfffffffffffffn];
  const payload = bits & payloadMask;
  if ((bits & exponentMask) !== exponentMask || payload === 0n) return line;
  return payload & quiet ? "nan:quiet" : `nan:signalling ${line}`;
}

async function compare(cases: Case[]): Promise<void> {
  const wasm = watToWasm(moduleFor(cases));
  const native = runNative(wasm);
  const v8 = await runV8(wasm);
  assert.equal(native.stderr, "");
  assert.equal(native.status, 0);
  const nativeLines = native.stdout.trimEnd().split("\n");
  const v8Lines = v8.stdout.trimEnd().split("\n");
  assert.equal(nativeLines.length, cases.length);
  const mismatches: string[] = [];
  cases.forEach((c, i) => {
    const mine = normalise(nativeLines[i], c.type);
    const reference = normalise(v8Lines[i], c.type);
    if (mine !== reference) mismatches.push(`${c.expression}: native ${mine}, V8 ${reference}`);
  });
  assert.deepEqual(mismatches, []);
}

// Integer comparisons as the condition of if and br_if, which the code
// generator turns into cmp and a conditional jump.
function branchCases(): Case[] {
  const comparisons = casesFor((name) => /^i(32|64)\.(eqz|eq|ne|lt|gt|le|ge)/.test(name));
  return comparisons.flatMap(({ expression }) => [
    { expression: `(if (result i32) ${expression} (then (i32.const 1)) (else (i32.const 0)))`, type: "i32" as ValType },
    {
      expression: `(block (result i32) (drop (br_if 0 (i32.const 7) ${expression})) (i32.const 3))`,
      type: "i32" as ValType,
    },
  ]);
}

describe("aot numeric instructions against V8", function () {
  this.timeout(60000);

  it("i32 operations", () => compare(casesFor((name) => /^i32\.(?!trunc|convert|reinterpret|wrap)/.test(name))));
  it("i64 operations", () => compare(casesFor((name) => /^i64\.(?!trunc|convert|reinterpret|extend_i32)/.test(name))));
  it("f32 operations", () => compare(casesFor((name) => /^f32\.(?!convert|demote|reinterpret)/.test(name))));
  it("f64 operations", () => compare(casesFor((name) => /^f64\.(?!convert|promote|reinterpret)/.test(name))));
  it("comparisons as branch conditions", () => compare(branchCases()));
  it("conversions", () =>
    compare(casesFor((name) => /wrap|extend_i32|trunc_f|trunc_sat|convert|demote|promote|reinterpret/.test(name))));
});
