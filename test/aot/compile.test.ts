// The compiler's contract outside of running code. A rejected module gets a
// message with the reason and byte offset, and the command line prints no
// stack trace. The user target rejects privileged intrinsics. Kernel output
// assembles for the higher-half link with the symbols of docs/abi.md.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { compileModule, CompileError, InvalidError, MalformedError, UnsupportedError } from "../../tools/aot/index.ts";
import { watToWasm, workDir } from "./harness.ts";

function rejects(bytes: Uint8Array, kind: typeof CompileError, pattern: RegExp): void {
  assert.throws(
    () => compileModule(bytes, { target: "user" }),
    (error: unknown) => {
      assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
      assert.match((error as Error).message, pattern);
      assert.match((error as Error).message, /at byte offset \d+/);
      return true;
    },
  );
}

const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

describe("aot compile errors", () => {
  it("bad magic is malformed", () => {
    rejects(new Uint8Array([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]), MalformedError, /magic header not detected/);
  });

  it("truncated section is malformed", () => {
    rejects(new Uint8Array([...header, 1, 5, 1, 0x60]), MalformedError, /length out of bounds|unexpected end/);
  });

  it("overlong LEB128 is malformed", () => {
    const bytes = new Uint8Array([...header, 1, 8, 1, 0x60, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    rejects(bytes, MalformedError, /integer representation too long/);
  });

  it("operand type mismatch is invalid", () => {
    // wat2wasm checks types too, so this module is built with --no-check.
    const bad = buildUnchecked(`(module (func $f (result i32) (i32.add (i32.const 1) (f32.const 2))))`);
    rejects(bad, InvalidError, /type mismatch: expected i32, found f32 in i32\.add of func\[0\] f/);
  });

  it("unknown local is invalid", () => {
    const bad = buildUnchecked(`(module (func (local.get 3) (drop)))`);
    rejects(bad, InvalidError, /unknown local 3/);
  });

  it("privileged intrinsic in the user target", () => {
    const wasm = watToWasm(`(module (import "x86" "outb" (func $outb (param i32 i32)))
      (func (export "main") (call $outb (i32.const 0x3f8) (i32.const 65))))`);
    rejects(wasm, UnsupportedError, /intrinsic x86\.outb is privileged/);
    assert.doesNotThrow(() => compileModule(wasm, { target: "kernel" }));
  });

  it("intrinsic with the wrong type", () => {
    const wasm = watToWasm(`(module (import "x86" "rdtsc" (func (result i32))))`);
    rejects(wasm, UnsupportedError, /x86\.rdtsc has type :i, expected :I/);
  });

  it("unsupported opcode names it and the function", () => {
    const wasm = watToWasm(`(module (table 1 funcref)
      (func $size (result i32) (table.size 0)))`);
    rejects(wasm, UnsupportedError, /unsupported opcode table\.size in size \(func\[0\]\)/);
  });

  it("command line prints one line and exits 1", () => {
    const file = join(workDir, "bad.wasm");
    writeFileSync(file, new Uint8Array([...header, 1, 5, 1]));
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/aot/cli.ts", file, "--target", "user", "-o", join(workDir, "bad")], {
      encoding: "utf8",
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^aot: .*bad\.wasm: .* at byte offset \d+ \(0x[0-9a-f]+\)\n$/);
  });

  it("command line usage error exits 2", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "tools/aot/cli.ts", "--target", "arm"], {
      encoding: "utf8",
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^usage: aot IN\.wasm --target user\|kernel -o OUT/);
  });
});

function buildUnchecked(text: string): Uint8Array {
  const base = join(workDir, `unchecked${Math.random().toString(36).slice(2)}`);
  writeFileSync(`${base}.wat`, text);
  execFileSync("wat2wasm", ["--no-check", "--debug-names", `${base}.wat`, "-o", `${base}.wasm`]);
  return new Uint8Array(execFileSync("cat", [`${base}.wasm`]));
}

describe("aot kernel target", () => {
  const source = `(module
    (import "arch" "switch" (func $switch (param i64 i64)))
    (import "x86" "outb" (func $outb (param i32 i32)))
    (import "x86" "read_cr3" (func $read_cr3 (result i64)))
    (memory 2 2)
    (data (i32.const 0x1000) "kernel")
    (global $__heap_base i32 (i32.const 0x1800))
    (table 2 funcref)
    (elem (i32.const 0) $kmain $helper)
    (func $helper (param i32) (result i32) (i32.load (local.get 0)))
    (func $kmain (export "kmain")
      (call $outb (i32.const 0xe9) (call $helper (i32.const 0x1000)))
      (call $switch (call $read_cr3) (i64.const 0))))`;

  it("assembles with nasm -f elf64 and exports the ABI symbols", () => {
    const assembly = compileModule(watToWasm(source), { target: "kernel" });
    assert.match(assembly, /^default rel$/m);
    const asmFile = join(workDir, "kernel.asm");
    const object = join(workDir, "kernel.o");
    writeFileSync(asmFile, assembly);
    execFileSync("nasm", ["-f", "elf64", "-o", object, asmFile]);
    const symbols = execFileSync("nm", [object], { encoding: "utf8" });
    assert.match(symbols, / T aot_init$/m);
    assert.match(symbols, / T wasm_export_kmain$/m);
    assert.match(symbols, / R aot_symbols$/m);
    assert.match(symbols, / U aot_trap$/m);
    assert.match(symbols, / U arch_switch$/m);
  });

  it("uses no 32-bit absolute relocations", () => {
    const assembly = compileModule(watToWasm(source), { target: "kernel" });
    const asmFile = join(workDir, "kernel-relocations.asm");
    const object = join(workDir, "kernel-relocations.o");
    writeFileSync(asmFile, assembly);
    execFileSync("nasm", ["-f", "elf64", "-o", object, asmFile]);
    const relocations = execFileSync("readelf", ["-r", object], { encoding: "utf8" });
    assert.doesNotMatch(relocations, /R_X86_64_32S?\b/);
  });

  it("inlines intrinsics and addresses memory through the direct map", () => {
    const assembly = compileModule(watToWasm(source), { target: "kernel" });
    assert.match(assembly, /^\s+out dx, al$/m);
    assert.match(assembly, /^\s+mov rax, cr3$/m);
    assert.match(assembly, /mov rcx, 0xffff800000000000/);
    // aot_init zeroes from the first data segment to __heap_base.
    assert.match(assembly, /mov rdi, 0xffff800000000000\+0x1000\n\s+mov rcx, 0x800\n/);
    assert.doesNotMatch(assembly, /cmp rcx, \[rel aot_memory_bytes\]/);
  });
});
