// Whole programs through the user target, compared with V8 running the
// same .wasm: control flow, calls, globals, memory, bulk memory, and an
// AssemblyScript program with the runtime imports.
import assert from "node:assert/strict";
import {
  ascToWasm,
  buildNative,
  printerFunctions,
  printerImports,
  runExecutable,
  runNative,
  runV8,
  watToWasm,
} from "./harness.ts";

function program(body: string, declarations = ""): Uint8Array {
  return watToWasm(`(module ${printerImports}
  (memory (export "memory") 1 4)
  ${printerFunctions}
  ${declarations}
  (func (export "main") (result i32) ${body}))`);
}

async function sameAsV8(wasm: Uint8Array): Promise<string> {
  const native = runNative(wasm);
  const v8 = await runV8(wasm);
  assert.equal(native.stderr, v8.stderr);
  assert.equal(native.stdout, v8.stdout);
  assert.equal(native.status, v8.status);
  return native.stdout;
}

const printI32 = (expression: string) => `(call $print (i64.extend_i32_s ${expression}))`;

describe("aot programs against V8", function () {
  this.timeout(60000);

  it("br_table with block results", async () => {
    const wasm = program(
      `${[0, 1, 2, 3, 7, -1].map((n) => printI32(`(call $classify (i32.const ${n}))`)).join("\n")}
      (i32.const 3)`,
      `(func $classify (param i32) (result i32)
        (block $default (result i32)
          (block $two (result i32)
            (block $one (result i32)
              (block $zero (result i32)
                (i32.const 100)
                (br_table $zero $one $two $default (local.get 0)))
              (i32.add (i32.const 1)))
            (i32.add (i32.const 20)))
          (i32.add (i32.const 300))))`,
    );
    const out = await sameAsV8(wasm);
    assert.equal(out, ["1a5", "1a4", "190", "64", "64", "64"].map((v) => `${v.padStart(16, "0")}\n`).join(""));
  });

  it("loops, if-else and a recursive function", async () => {
    const wasm = program(
      `${printI32("(call $fib (i32.const 20))")}
      ${printI32("(call $sum (i32.const 1000))")}
      (i32.const 0)`,
      `(func $fib (param i32) (result i32)
        (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
      (func $sum (param $n i32) (result i32) (local $acc i32)
        (loop $next
          (local.set $acc (i32.add (local.get $acc) (local.get $n)))
          (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $acc))`,
    );
    const out = await sameAsV8(wasm);
    assert.equal(out, "0000000000001a6d\n000000000007a314\n");
  });

  it("call_indirect through a table", async () => {
    const wasm = program(
      `${[0, 1, 2].map((i) => printI32(`(call_indirect (type $binary) (i32.const 7) (i32.const 3) (i32.const ${i}))`)).join("\n")}
      (i32.const 0)`,
      `(type $binary (func (param i32 i32) (result i32)))
      (table 3 funcref)
      (elem (i32.const 0) $add $sub $mul)
      (func $add (type $binary) (i32.add (local.get 0) (local.get 1)))
      (func $sub (type $binary) (i32.sub (local.get 0) (local.get 1)))
      (func $mul (type $binary) (i32.mul (local.get 0) (local.get 1)))`,
    );
    assert.equal(await sameAsV8(wasm), "000000000000000a\n0000000000000004\n0000000000000015\n");
  });

  it("mutable globals and multi-value results", async () => {
    const wasm = program(
      `(global.set $counter (i64.add (global.get $counter) (i64.const 5)))
      (call $print (global.get $counter))
      (call $pair (i32.const 9))
      (call $print (i64.extend_i32_u))
      (call $print)
      (block (result i32 i64) (i32.const 1) (i64.const 2))
      (call $print)
      (drop)
      (call $print (i64.reinterpret_f64 (global.get $ratio)))
      (i32.const 0)`,
      `(global $counter (mut i64) (i64.const 0x100000000))
      (global $ratio f64 (f64.const -0.25))
      (func $pair (param i32) (result i64 i32)
        (i64.extend_i32_u (i32.mul (local.get 0) (i32.const 2)))
        (i32.add (local.get 0) (i32.const 1)))`,
    );
    assert.equal(
      await sameAsV8(wasm),
      "0000000100000005\n000000000000000a\n0000000000000012\n0000000000000002\nbfd0000000000000\n",
    );
  });

  it("memory.grow and memory.size", async () => {
    const wasm = program(
      `${printI32("(memory.size)")}
      ${printI32("(memory.grow (i32.const 2))")}
      ${printI32("(memory.size)")}
      (i32.store (i32.const 0x2fffc) (i32.const 0x11223344))
      ${printI32("(i32.load (i32.const 0x2fffc))")}
      ${printI32("(memory.grow (i32.const 2))")}
      ${printI32("(memory.grow (i32.const 0))")}
      (i32.const 0)`,
    );
    assert.equal(
      await sameAsV8(wasm),
      ["1", "1", "3", "11223344", "ffffffffffffffff", "3"].map((v) => `${v.padStart(16, "0")}\n`).join(""),
    );
  });

  it("bulk memory and data segments", async () => {
    const wasm = program(
      `(memory.fill (i32.const 0x1000) (i32.const 0x61) (i32.const 8))
      (memory.copy (i32.const 0x1002) (i32.const 0x1000) (i32.const 4))
      (memory.init $passive (i32.const 0x1004) (i32.const 1) (i32.const 3))
      (call $print (i64.load (i32.const 0x1000)))
      (memory.copy (i32.const 0x2001) (i32.const 0x2000) (i32.const 7))
      (call $print (i64.load (i32.const 0x2000)))
      (data.drop $passive)
      (call $print (i64.load16_u (i32.const 0x3000)))
      (i32.const 0)`,
      `(data $passive "XYZW")
      (data (i32.const 0x2000) "\\01\\02\\03\\04\\05\\06\\07\\08")
      (data (i32.const 0x3000) "\\ff\\7f")`,
    );
    assert.equal(await sameAsV8(wasm), "61575a5961616161\n0706050403020101\n0000000000007fff\n");
  });

  it("memory.init after data.drop traps", async () => {
    const wasm = program(
      `(data.drop $passive)
      (memory.init $passive (i32.const 0) (i32.const 0) (i32.const 1))
      (i32.const 0)`,
      `(data $passive "X")`,
    );
    const native = runNative(wasm);
    assert.equal(native.status, 134);
    assert.match(native.stderr, /^trap: out of bounds memory access in /);
  });

  it("effective address adds the offset without wrapping", async () => {
    const wasm = program(
      `(i32.store offset=0x10 (i32.const 0xffe0) (i32.const 0x87654321))
      ${printI32("(i32.load (i32.const 0xfff0))")}
      ${printI32("(i32.load8_s offset=6 (i32.const 0xffed))")}
      ${printI32("(i32.load16_u offset=0xfff2 (i32.const 0))")}
      (i32.const 5)`,
    );
    assert.equal(await sameAsV8(wasm), "ffffffff87654321\nffffffffffffff87\n0000000000008765\n");
  });
});

const ascSource = `
@external("x86", "syscall6")
declare function syscall6(nr: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64): i64;
@external("x86", "memory_base") declare function memoryBase(): u64;

function print(text: string): void {
  const bytes = String.UTF8.encode(text);
  syscall6(1, 1, <i64>(memoryBase() + changetype<usize>(bytes)), bytes.byteLength, 0, 0, 0);
}

class Point {
  constructor(public x: f64, public y: f64) {}
}

export function main(): i32 {
  const points = new Array<Point>();
  for (let i = 0; i < 200; i++) points.push(new Point(i, i * 0.25));
  let sum = 0.0;
  for (let i = 0; i < points.length; i++) sum += points[i].x * points[i].y;
  const names = new Map<string, i32>();
  names.set("one", 1);
  names.set("two", 2);
  print("sum=" + sum.toString() + " two=" + names.get("two").toString() + "\\n");
  print("i64 " + (i64.MAX_VALUE / 3).toString() + " u64 " + (u64.MAX_VALUE / 7).toString() + "\\n");
  print("f32 " + (<f32>1.0 / <f32>3.0).toString() + " caf\\u00e9 \\u{1F600}\\n");
  trace("traced", 2, 1.5, -42);
  if (points.length > 100) abort("too many points");
  return 3;
}
`;

const argvSource = `
@external("x86", "syscall6")
declare function syscall6(nr: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64): i64;
@external("x86", "memory_base") declare function memoryBase(): u64;
@external("x86", "initial_sp") declare function initialSp(): u64;
@external("x86", "native_load64") declare function nativeLoad64(address: u64): u64;
@external("x86", "native_load8") declare function nativeLoad8(address: u64): u8;

function print(text: string): void {
  const bytes = String.UTF8.encode(text);
  syscall6(1, 1, <i64>(memoryBase() + changetype<usize>(bytes)), bytes.byteLength, 0, 0, 0);
}

function cString(address: u64): string {
  let text = "";
  let byte = nativeLoad8(address);
  while (byte != 0) {
    text += String.fromCharCode(byte);
    byte = nativeLoad8(++address);
  }
  return text;
}

export function main(): i32 {
  const sp = initialSp();
  const argc = <i32>nativeLoad64(sp);
  for (let i = 1; i < argc; i++) print(cString(nativeLoad64(sp + 8 + 8 * <u64>i)) + "\\n");
  const envp = sp + 16 + 8 * <u64>argc;
  for (let i: u64 = 0; nativeLoad64(envp + 8 * i) != 0; i++) print(cString(nativeLoad64(envp + 8 * i)) + "\\n");
  return argc;
}
`;

describe("aot AssemblyScript programs", function () {
  this.timeout(60000);

  it("strings, arrays, maps, trace and abort", async () => {
    const wasm = await ascToWasm(ascSource);
    const native = runNative(wasm);
    const v8 = await runV8(wasm);
    assert.equal(native.stdout, v8.stdout);
    assert.equal(native.stderr, v8.stderr);
    assert.equal(native.status, 134);
    assert.equal(v8.status, 134);
    assert.match(native.stderr, /^trace: traced 1\.5, -42\nabort: too many points at /);
  });

  it("argv and envp through initial_sp", async () => {
    const executable = buildNative(await ascToWasm(argvSource));
    const result = runExecutable(executable, ["first", "sécond"], { GREETING: "hello" });
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, "first\nsÃ©cond\nGREETING=hello\n");
    assert.equal(result.status, 3);
  });

  it("resident hook reports a failed registration", async () => {
    const executable = buildNative(await ascToWasm(argvSource));
    const register = runExecutable(executable, [], { LD_RESIDENT_REGISTER_NOW: "yes" });
    // Linux has no system call 1000, so it returns -ENOSYS (38).
    assert.equal(register.stderr, "resident: cannot register: errno 38\n");
    assert.equal(register.stdout, "");
    assert.equal(register.status, 1);
    const unregister = runExecutable(executable, [], { LD_RESIDENT_UNREGISTER_NOW: "yes" });
    assert.equal(unregister.stderr, "resident: cannot unregister: errno 38\n");
    assert.equal(unregister.status, 1);
    const other = runExecutable(executable, [], { LD_RESIDENT_REGISTER_NOW: "no" });
    assert.equal(other.stdout, "LD_RESIDENT_REGISTER_NOW=no\n");
    assert.equal(other.status, 1);
  });
});
