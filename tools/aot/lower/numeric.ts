// Code for the numeric instructions (wasm spec 4.3). `a` and `b` are
// memory operands (frame slots or locals) that hold the first and second
// operand, and `d` is the frame slot that receives the result. `b` may be
// an immediate for the integer instructions that emitNumeric's caller
// allows. rax, rcx, rdx, r8 and xmm0-xmm2 are scratch.
import { Trap } from "./target.ts";

export interface Emitter {
  emit(...lines: string[]): void;
  // Returns the label of this function's stub for the trap kind.
  trap(kind: number): string;
  // Returns a fresh local label.
  label(): string;
}

type Width = 32 | 64;

const intCompare = ["e", "ne", "l", "b", "g", "a", "le", "be", "ge", "ae"];

function reg(width: Width, name: "a" | "c" | "d"): string {
  return width === 32 ? `e${name}x` : `r${name}x`;
}

function size(width: Width): string {
  return width === 32 ? "dword" : "qword";
}

// Emits op if it is numeric and returns whether it was.
export function emitNumeric(e: Emitter, op: number, d: string, a: string, b: string): boolean {
  if (op === 0x45 || op === 0x50) {
    const width: Width = op === 0x45 ? 32 : 64;
    e.emit(`xor eax, eax`, `cmp ${size(width)} ${a}, 0`, `sete al`, `mov dword ${d}, eax`);
    return true;
  }
  if ((op >= 0x46 && op <= 0x4f) || (op >= 0x51 && op <= 0x5a)) {
    const width: Width = op <= 0x4f ? 32 : 64;
    const cc = intCompare[op - (width === 32 ? 0x46 : 0x51)];
    const ra = reg(width, "c");
    e.emit(`mov ${ra}, ${a}`, `xor eax, eax`, `cmp ${ra}, ${b}`, `set${cc} al`, `mov dword ${d}, eax`);
    return true;
  }
  if (op >= 0x5b && op <= 0x66) {
    emitFloatCompare(e, op <= 0x60 ? 32 : 64, op - (op <= 0x60 ? 0x5b : 0x61), d, a, b);
    return true;
  }
  if (op >= 0x67 && op <= 0x69) {
    emitIntUnary(e, 32, op - 0x67, d, a);
    return true;
  }
  if (op >= 0x79 && op <= 0x7b) {
    emitIntUnary(e, 64, op - 0x79, d, a);
    return true;
  }
  if (op >= 0x6a && op <= 0x78) {
    emitIntBinary(e, 32, op - 0x6a, d, a, b);
    return true;
  }
  if (op >= 0x7c && op <= 0x8a) {
    emitIntBinary(e, 64, op - 0x7c, d, a, b);
    return true;
  }
  if (op >= 0x8b && op <= 0x91) {
    emitFloatUnary(e, 32, op - 0x8b, d, a);
    return true;
  }
  if (op >= 0x99 && op <= 0x9f) {
    emitFloatUnary(e, 64, op - 0x99, d, a);
    return true;
  }
  if (op >= 0x92 && op <= 0x98) {
    emitFloatBinary(e, 32, op - 0x92, d, a, b);
    return true;
  }
  if (op >= 0xa0 && op <= 0xa6) {
    emitFloatBinary(e, 64, op - 0xa0, d, a, b);
    return true;
  }
  return emitConversion(e, op, d, a);
}

function emitFloatCompare(e: Emitter, width: Width, index: number, d: string, a: string, b: string): void {
  const s = width === 32 ? "ss" : "sd";
  const load = width === 32 ? "movss" : "movsd";
  const ucomi = `ucomi${s}`;
  e.emit(`${load} xmm0, ${a}`, `${load} xmm1, ${b}`, `xor eax, eax`);
  switch (index) {
    case 0: // eq: ordered and equal (ZF=1, PF=0), SDM Vol. 2B UCOMISS
      e.emit(`${ucomi} xmm0, xmm1`, `mov ecx, 0`, `sete al`, `setnp cl`, `and eax, ecx`);
      break;
    case 1: // ne: unordered or not equal
      e.emit(`${ucomi} xmm0, xmm1`, `mov ecx, 0`, `setne al`, `setp cl`, `or eax, ecx`);
      break;
    case 2: // lt: b > a, which is false when unordered (CF=ZF=1)
      e.emit(`${ucomi} xmm1, xmm0`, `seta al`);
      break;
    case 3: // gt
      e.emit(`${ucomi} xmm0, xmm1`, `seta al`);
      break;
    case 4: // le: b >= a
      e.emit(`${ucomi} xmm1, xmm0`, `setae al`);
      break;
    case 5: // ge
      e.emit(`${ucomi} xmm0, xmm1`, `setae al`);
      break;
  }
  e.emit(`mov dword ${d}, eax`);
}

function emitIntUnary(e: Emitter, width: Width, index: number, d: string, a: string): void {
  const r = reg(width, "a");
  const bits = width;
  switch (index) {
    case 0: {
      // clz with bsr, which leaves the destination undefined for 0.
      const zero = e.label();
      const done = e.label();
      e.emit(`bsr ${r}, ${size(width)} ${a}`, `jz ${zero}`, `xor ${r}, ${bits - 1}`, `jmp ${done}`);
      e.emit(`${zero}:`, `mov ${r}, ${bits}`, `${done}:`);
      break;
    }
    case 1: {
      const zero = e.label();
      const done = e.label();
      e.emit(`bsf ${r}, ${size(width)} ${a}`, `jz ${zero}`, `jmp ${done}`);
      e.emit(`${zero}:`, `mov ${r}, ${bits}`, `${done}:`);
      break;
    }
    case 2:
      // popcnt by bit-slicing, so that CPU models without POPCNT work too.
      e.emit(`mov ${r}, ${a}`);
      if (width === 32) {
        e.emit(
          `mov ecx, eax`, `shr ecx, 1`, `and ecx, 0x55555555`, `sub eax, ecx`,
          `mov ecx, eax`, `shr ecx, 2`, `and eax, 0x33333333`, `and ecx, 0x33333333`, `add eax, ecx`,
          `mov ecx, eax`, `shr ecx, 4`, `add eax, ecx`, `and eax, 0x0f0f0f0f`,
          `imul eax, eax, 0x01010101`, `shr eax, 24`,
        );
      } else {
        e.emit(
          `mov rcx, rax`, `shr rcx, 1`, `mov rdx, 0x5555555555555555`, `and rcx, rdx`, `sub rax, rcx`,
          `mov rdx, 0x3333333333333333`, `mov rcx, rax`, `shr rcx, 2`, `and rax, rdx`, `and rcx, rdx`, `add rax, rcx`,
          `mov rcx, rax`, `shr rcx, 4`, `add rax, rcx`, `mov rdx, 0x0f0f0f0f0f0f0f0f`, `and rax, rdx`,
          `mov rdx, 0x0101010101010101`, `imul rax, rdx`, `shr rax, 56`,
        );
      }
      break;
  }
  e.emit(`mov ${d}, ${r}`);
}

function emitIntBinary(e: Emitter, width: Width, index: number, d: string, a: string, b: string): void {
  const ra = reg(width, "a");
  const rc = reg(width, "c");
  const rd = reg(width, "d");
  const simple: Record<number, string> = { 0: "add", 1: "sub", 7: "and", 8: "or", 9: "xor" };
  if (index in simple) {
    e.emit(`mov ${ra}, ${a}`, `${simple[index]} ${ra}, ${b}`, `mov ${d}, ${ra}`);
    return;
  }
  switch (index) {
    case 2:
      e.emit(`mov ${ra}, ${a}`, `imul ${ra}, ${b}`, `mov ${d}, ${ra}`);
      return;
    case 3:
    case 5: {
      // Signed division: x86 raises #DE for INT_MIN / -1, so that case is
      // handled here. div_s traps (integer overflow); rem_s yields 0.
      const isRem = index === 5;
      const normal = e.label();
      const done = e.label();
      e.emit(`mov ${ra}, ${a}`, `mov ${rc}, ${b}`, `test ${rc}, ${rc}`, `jz ${e.trap(Trap.divideByZero)}`);
      e.emit(`cmp ${rc}, -1`, `jne ${normal}`);
      if (isRem) {
        e.emit(`xor eax, eax`, `jmp ${done}`);
      } else {
        const min = width === 32 ? "0x80000000" : "0x8000000000000000";
        if (width === 32) e.emit(`cmp eax, ${min}`);
        else e.emit(`mov rdx, ${min}`, `cmp rax, rdx`);
        e.emit(`je ${e.trap(Trap.integerOverflow)}`, `neg ${ra}`, `jmp ${done}`);
      }
      e.emit(`${normal}:`, width === 32 ? "cdq" : "cqo", `idiv ${rc}`);
      if (isRem) e.emit(`mov ${ra}, ${rd}`);
      e.emit(`${done}:`, `mov ${d}, ${ra}`);
      return;
    }
    case 4:
    case 6:
      e.emit(`mov ${ra}, ${a}`, `mov ${rc}, ${b}`, `test ${rc}, ${rc}`, `jz ${e.trap(Trap.divideByZero)}`);
      e.emit(`xor edx, edx`, `div ${rc}`, `mov ${d}, ${index === 4 ? ra : rd}`);
      return;
    case 10:
    case 11:
    case 12:
    case 13:
    case 14: {
      // x86 masks the count to 5 or 6 bits, as wasm requires
      // (SDM Vol. 2B SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR).
      const mnemonic = ["shl", "sar", "shr", "rol", "ror"][index - 10];
      e.emit(`mov ${ra}, ${a}`, `mov ecx, dword ${b}`, `${mnemonic} ${ra}, cl`, `mov ${d}, ${ra}`);
      return;
    }
  }
}

function floatConst(e: Emitter, width: Width, xmm: string, bits: bigint): void {
  if (width === 32) e.emit(`mov eax, 0x${bits.toString(16)}`, `movd ${xmm}, eax`);
  else e.emit(`mov rax, 0x${bits.toString(16)}`, `movq ${xmm}, rax`);
}

function emitFloatUnary(e: Emitter, width: Width, index: number, d: string, a: string): void {
  const s = width === 32 ? "ss" : "sd";
  const load = width === 32 ? "movss" : "movsd";
  switch (index) {
    case 0: // abs, neg: sign-bit operations that keep NaN payloads
      if (width === 32) e.emit(`mov eax, ${a}`, `and eax, 0x7fffffff`, `mov ${d}, eax`);
      else e.emit(`mov rax, ${a}`, `btr rax, 63`, `mov ${d}, rax`);
      return;
    case 1:
      if (width === 32) e.emit(`mov eax, ${a}`, `xor eax, 0x80000000`, `mov ${d}, eax`);
      else e.emit(`mov rax, ${a}`, `btc rax, 63`, `mov ${d}, rax`);
      return;
    case 2:
    case 3:
    case 4:
    case 5: {
      // ROUNDSS/ROUNDSD immediate: 0 nearest even, 1 down, 2 up, 3 toward
      // zero; bit 3 suppresses the precision exception (SDM Vol. 2B).
      const mode = { 2: 2, 3: 1, 4: 3, 5: 0 }[index]! | 8;
      e.emit(`${load} xmm0, ${a}`, `round${s} xmm0, xmm0, ${mode}`, `${load} ${d}, xmm0`);
      return;
    }
    case 6:
      e.emit(`${load} xmm0, ${a}`, `sqrt${s} xmm0, xmm0`, `${load} ${d}, xmm0`);
      return;
  }
}

function emitFloatBinary(e: Emitter, width: Width, index: number, d: string, a: string, b: string): void {
  const s = width === 32 ? "ss" : "sd";
  const p = width === 32 ? "ps" : "pd";
  const load = width === 32 ? "movss" : "movsd";
  if (index <= 3) {
    const mnemonic = ["add", "sub", "mul", "div"][index];
    e.emit(`${load} xmm0, ${a}`, `${mnemonic}${s} xmm0, ${b}`, `${load} ${d}, xmm0`);
    return;
  }
  if (index === 4 || index === 5) {
    // min/max: a NaN operand gives a NaN, and -0 < +0 (wasm spec 4.3.3).
    // MINSS/MAXSS return the second operand in both cases (SDM Vol. 2B), so
    // those cases are handled first.
    const isMin = index === 4;
    const nan = e.label();
    const equal = e.label();
    const done = e.label();
    e.emit(`${load} xmm0, ${a}`, `${load} xmm1, ${b}`, `ucomi${s} xmm0, xmm1`, `jp ${nan}`, `je ${equal}`);
    e.emit(`${isMin ? "min" : "max"}${s} xmm0, xmm1`, `jmp ${done}`);
    // Equal operands differ at most in the sign of zero: OR of the sign
    // bits picks -0 for min, AND picks +0 for max.
    e.emit(`${equal}:`, `${isMin ? "or" : "and"}${p} xmm0, xmm1`, `jmp ${done}`);
    e.emit(`${nan}:`, `add${s} xmm0, xmm1`);
    e.emit(`${done}:`, `${load} ${d}, xmm0`);
    return;
  }
  // copysign
  if (width === 32) {
    e.emit(
      `mov eax, ${a}`, `mov ecx, ${b}`, `and eax, 0x7fffffff`, `and ecx, 0x80000000`,
      `or eax, ecx`, `mov ${d}, eax`,
    );
  } else {
    e.emit(`mov rax, ${a}`, `mov rcx, ${b}`, `btr rax, 63`, `shr rcx, 63`, `shl rcx, 63`, `or rax, rcx`, `mov ${d}, rax`);
  }
}

// Float-to-int bounds: the conversion is defined for lower < x < upper,
// given as exact float bit patterns.
interface TruncBounds {
  lower: bigint;
  upper: bigint;
}

const f32Bits = (value: number) => {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return BigInt(view.getUint32(0));
};

const f64Bits = (value: number) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return view.getBigUint64(0);
};

// Indexed by [from f32 or f64][to i32_s, i32_u, i64_s, i64_u]. The lower
// bounds are the greatest representable value below the range:
// -2^31-1 is exact in f64; in f32 the next value below -2^31 is
// -(2^31 + 2^8), and below -2^63 it is -(2^63 + 2^40) in f32 and
// -(2^63 + 2^11) in f64.
const truncBounds: Record<Width, TruncBounds[]> = {
  32: [
    { lower: f32Bits(-2147483904), upper: f32Bits(2147483648) },
    { lower: f32Bits(-1), upper: f32Bits(4294967296) },
    { lower: f32Bits(-9223373136366403584), upper: f32Bits(9223372036854775808) },
    { lower: f32Bits(-1), upper: f32Bits(18446744073709551616) },
  ],
  64: [
    { lower: f64Bits(-2147483649), upper: f64Bits(2147483648) },
    { lower: f64Bits(-1), upper: f64Bits(4294967296) },
    { lower: f64Bits(-9223372036854777856), upper: f64Bits(9223372036854775808) },
    { lower: f64Bits(-1), upper: f64Bits(18446744073709551616) },
  ],
};

// Integer results of trunc_sat for inputs below and above the target range,
// as nasm immediates for `mov rax`.
function saturationBounds(to: Width, signed: boolean): { min: string; max: string } {
  if (to === 32) {
    if (signed) return { min: "0x80000000", max: "0x7fffffff" };
    return { min: "0", max: "0xffffffff" };
  }
  if (signed) return { min: "0x8000000000000000", max: "0x7fffffffffffffff" };
  return { min: "0", max: "-1" };
}

// Converts float to int: the trapping forms (wasm spec 4.3.3 trunc) trap
// on NaN (invalid conversion) and out of range (integer overflow); the
// saturating forms (trunc_sat) give 0 for NaN and clamp.
function emitTrunc(
  e: Emitter,
  from: Width,
  to: Width,
  signed: boolean,
  saturating: boolean,
  d: string,
  a: string,
): void {
  const s = from === 32 ? "ss" : "sd";
  const load = from === 32 ? "movss" : "movsd";
  const bounds = truncBounds[from][(to === 64 ? 2 : 0) + (signed ? 0 : 1)];
  const ucomi = `ucomi${s}`;
  const nanTarget = saturating ? e.label() : e.trap(Trap.invalidConversion);
  const lowTarget = saturating ? e.label() : e.trap(Trap.integerOverflow);
  const highTarget = saturating ? e.label() : lowTarget;
  const done = e.label();
  e.emit(`${load} xmm0, ${a}`, `${ucomi} xmm0, xmm0`, `jp ${nanTarget}`);
  floatConst(e, from, "xmm1", bounds.lower);
  e.emit(`${ucomi} xmm0, xmm1`, `jbe ${lowTarget}`);
  floatConst(e, from, "xmm1", bounds.upper);
  e.emit(`${ucomi} xmm0, xmm1`, `jae ${highTarget}`);
  if (to === 64 && !signed) {
    // Values from 2^63 up do not fit cvttss2si's signed range: subtract
    // 2^63 first and set bit 63 afterwards.
    const small = e.label();
    floatConst(e, from, "xmm2", from === 32 ? f32Bits(2 ** 63) : f64Bits(2 ** 63));
    e.emit(`${ucomi} xmm0, xmm2`, `jb ${small}`, `sub${s} xmm0, xmm2`, `cvtt${s}2si rax, xmm0`, `btc rax, 63`);
    e.emit(`jmp ${done}`, `${small}:`);
  }
  const dest = to === 32 && signed ? "eax" : "rax";
  e.emit(`cvtt${s}2si ${dest}, xmm0`);
  if (saturating) {
    const { min, max } = saturationBounds(to, signed);
    e.emit(`jmp ${done}`);
    e.emit(`${nanTarget}:`, `xor eax, eax`, `jmp ${done}`);
    e.emit(`${lowTarget}:`, `mov rax, ${min}`, `jmp ${done}`);
    e.emit(`${highTarget}:`, `mov rax, ${max}`);
  }
  e.emit(`${done}:`, `mov ${to === 32 ? "dword" : "qword"} ${d}, ${to === 32 ? "eax" : "rax"}`);
}

// Converts an unsigned 64-bit integer in rax to a float in xmm0. Values
// with bit 63 set are halved with the lost bit kept as a sticky bit, so
// the single rounding of CVTSI2SS/SD gives the correctly rounded result.
function emitConvertU64(e: Emitter, width: Width): void {
  const s = width === 32 ? "ss" : "sd";
  const large = e.label();
  const done = e.label();
  e.emit(`test rax, rax`, `js ${large}`, `cvtsi2${s} xmm0, rax`, `jmp ${done}`);
  e.emit(`${large}:`, `mov rcx, rax`, `shr rcx, 1`, `and eax, 1`, `or rcx, rax`);
  e.emit(`cvtsi2${s} xmm0, rcx`, `add${s} xmm0, xmm0`, `${done}:`);
}

function emitConversion(e: Emitter, op: number, d: string, a: string): boolean {
  switch (op) {
    case 0xa7: // i32.wrap_i64: the low half is the result
    case 0xbc: // reinterpretations keep the bits
    case 0xbd:
    case 0xbe:
    case 0xbf:
      if (d !== a) e.emit(`mov rax, ${a}`, `mov ${d}, rax`);
      return true;
    case 0xa8:
    case 0xa9:
    case 0xaa:
    case 0xab:
      emitTrunc(e, op <= 0xa9 ? 32 : 64, 32, op % 2 === 0, false, d, a);
      return true;
    case 0xae:
    case 0xaf:
    case 0xb0:
    case 0xb1:
      emitTrunc(e, op <= 0xaf ? 32 : 64, 64, op % 2 === 0, false, d, a);
      return true;
    case 0xac:
      e.emit(`movsxd rax, dword ${a}`, `mov ${d}, rax`);
      return true;
    case 0xad:
      e.emit(`mov eax, dword ${a}`, `mov ${d}, rax`);
      return true;
    case 0xb2:
    case 0xb7:
      e.emit(`cvtsi2${op === 0xb2 ? "ss" : "sd"} xmm0, dword ${a}`);
      break;
    case 0xb3:
    case 0xb8:
      // A zero-extended u32 is exact in the signed 64-bit conversion.
      e.emit(`mov eax, dword ${a}`, `cvtsi2${op === 0xb3 ? "ss" : "sd"} xmm0, rax`);
      break;
    case 0xb4:
    case 0xb9:
      e.emit(`cvtsi2${op === 0xb4 ? "ss" : "sd"} xmm0, qword ${a}`);
      break;
    case 0xb5:
    case 0xba:
      e.emit(`mov rax, ${a}`);
      emitConvertU64(e, op === 0xb5 ? 32 : 64);
      break;
    case 0xb6:
      e.emit(`cvtsd2ss xmm0, qword ${a}`, `movss dword ${d}, xmm0`);
      return true;
    case 0xbb:
      e.emit(`cvtss2sd xmm0, dword ${a}`, `movsd qword ${d}, xmm0`);
      return true;
    case 0xc0:
      e.emit(`movsx eax, byte ${a}`, `mov ${d}, eax`);
      return true;
    case 0xc1:
      e.emit(`movsx eax, word ${a}`, `mov ${d}, eax`);
      return true;
    case 0xc2:
      e.emit(`movsx rax, byte ${a}`, `mov ${d}, rax`);
      return true;
    case 0xc3:
      e.emit(`movsx rax, word ${a}`, `mov ${d}, rax`);
      return true;
    case 0xc4:
      e.emit(`movsxd rax, dword ${a}`, `mov ${d}, rax`);
      return true;
    default:
      if (op >= 0xfc00 && op <= 0xfc07) {
        const sub = op - 0xfc00;
        emitTrunc(e, sub % 4 < 2 ? 32 : 64, sub < 4 ? 32 : 64, sub % 2 === 0, true, d, a);
        return true;
      }
      return false;
  }
  // The int-to-float conversions above leave their result in xmm0.
  const toF32 = op <= 0xb5;
  e.emit(toF32 ? `movss dword ${d}, xmm0` : `movsd qword ${d}, xmm0`);
  return true;
}
