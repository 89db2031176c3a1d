// Differential-test harness for tools/aot. It builds a module with the user
// target and runs the executable on this Linux host. It also runs the same
// .wasm in node's V8 with JavaScript stand-ins for the imports, so that the
// tests can compare exit status, stdout and stderr of both runs.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { buildUserExecutable } from "../../tools/aot/index.ts";

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export const workDir = mkdtempSync(join(tmpdir(), "aot-test-"));
let counter = 0;

// A root-level mocha hook: it runs once, after every suite.
after(() => rmSync(workDir, { recursive: true, force: true }));

export function watToWasm(text: string): Uint8Array {
  const base = join(workDir, `m${counter++}`);
  writeFileSync(`${base}.wat`, text);
  execFileSync("wat2wasm", ["--debug-names", `${base}.wat`, "-o", `${base}.wasm`]);
  return readFileSync(`${base}.wasm`);
}

// Compiles AssemblyScript with the options of asconfig.json's user target.
export async function ascToWasm(source: string): Promise<Uint8Array> {
  const result = await asc.compileString(source, {
    optimizeLevel: 3,
    shrinkLevel: 0,
    runtime: "incremental",
    debug: true,
    noAssert: false,
  });
  if (result.error || !result.binary) {
    throw new Error(`asc failed: ${result.stderr.toString()}`);
  }
  return result.binary;
}

export function buildNative(wasm: Uint8Array): string {
  const executable = join(workDir, `e${counter++}`);
  buildUserExecutable(wasm, executable);
  return executable;
}

export function runNative(wasm: Uint8Array, args: string[] = [], env?: NodeJS.ProcessEnv): RunResult {
  const executable = buildNative(wasm);
  return runExecutable(executable, args, env);
}

export function runExecutable(executable: string, args: string[] = [], env?: NodeJS.ProcessEnv): RunResult {
  const result = spawnSync(executable, args, { encoding: "utf8", timeout: 20000, env: env ?? {} });
  if (result.error) throw result.error;
  return {
    status: result.status ?? 128 + (result.signal ? 1 : 0),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

class Exit {
  constructor(readonly code: number) {}
}

// The trap kind of docs/abi.md that a V8 RuntimeError message stands for.
// V8 uses one message for NaN and out-of-range float-to-int conversions
// and one for null entries and signature mismatches.
export function v8TrapKind(message: string): string {
  const kinds: [RegExp, string][] = [
    [/unreachable/, "unreachable"],
    [/divide by zero|remainder by zero/, "integer divide by zero"],
    [/divide result unrepresentable|integer overflow/, "integer overflow"],
    [/float unrepresentable/, "integer overflow|invalid conversion to integer"],
    [/memory access out of bounds|out of bounds memory/, "out of bounds memory access"],
    [/table index is out of bounds/, "undefined element"],
    [/null function or function signature mismatch/, "uninitialized element|indirect call type mismatch"],
    [/table access|element segment out of bounds|table.*out of bounds/, "out of bounds table access"],
    [/Maximum call stack/, "call stack exhausted"],
  ];
  for (const [pattern, kind] of kinds) if (pattern.test(message)) return kind;
  return `unknown V8 error: ${message}`;
}

// Runs `main` of the module in V8. x86.syscall6 supports write (1) and
// exit_group (231); memory_base is 0, so wasm addresses are passed as they
// are. env.abort and env.trace print as the user runtime does.
export async function runV8(wasm: Uint8Array): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  let memory: WebAssembly.Memory | undefined;
  const bytes = () => new Uint8Array(memory!.buffer);
  const utf16 = (ptr: number) => {
    if (ptr === 0) return "null";
    const length = new Uint32Array(memory!.buffer, ptr - 4, 1)[0];
    return Buffer.from(bytes().slice(ptr, ptr + length)).toString("utf16le");
  };
  const imports = {
    x86: {
      syscall6(nr: bigint, a1: bigint, a2: bigint, a3: bigint): bigint {
        if (nr === 1n) {
          const text = Buffer.from(bytes().slice(Number(a2), Number(a2 + a3))).toString("utf8");
          if (a1 === 1n) stdout += text;
          else stderr += text;
          return a3;
        }
        if (nr === 231n || nr === 60n) throw new Exit(Number(a1 & 0xffn));
        return -38n;
      },
      memory_base: () => 0n,
      rdtsc: () => 0n,
      pause: () => {},
    },
    env: {
      abort(message: number, file: number, line: number, column: number) {
        stderr += `abort: ${utf16(message)} at ${utf16(file)}:${line >>> 0}:${column >>> 0}\n`;
        throw new Exit(134);
      },
      trace(message: number, n: number, ...values: number[]) {
        const numbers = values.slice(0, n).join(", ");
        stderr += `trace: ${utf16(message)}${n > 0 ? " " : ""}${numbers}\n`;
      },
      seed: () => 1,
    },
  };
  try {
    const { instance } = await WebAssembly.instantiate(wasm, imports);
    memory = instance.exports.memory as WebAssembly.Memory | undefined;
    const main = instance.exports.main as (() => number) | undefined;
    const status = main ? main() : 0;
    return { status: status & 0xff, stdout, stderr };
  } catch (error) {
    if (error instanceof Exit) return { status: error.code, stdout, stderr };
    if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) {
      return { status: 134, stdout, stderr: `${stderr}trap: ${v8TrapKind(error.message)} in V8\n` };
    }
    throw error;
  }
}

// The trap kind from the user runtime's `trap: KIND in FUNCTION` line.
export function nativeTrapKind(stderr: string): string | undefined {
  return /^trap: (.*) in .*$/m.exec(stderr)?.[1];
}

// WAT helpers shared by the tests: `$print` writes an i64 as 16 hex digits
// and a newline to stdout through x86.syscall6 and memory_base.
export const printerImports = `
  (import "x86" "syscall6" (func $syscall6 (param i64 i64 i64 i64 i64 i64 i64) (result i64)))
  (import "x86" "memory_base" (func $memory_base (result i64)))`;

export const printerFunctions = `
  (func $print (param $value i64)
    (local $i i32)
    (local.set $i (i32.const 15))
    (loop $digits
      (i32.store8 offset=0x100 (local.get $i)
        (i32.load8_u offset=0x80
          (i32.wrap_i64 (i64.and (local.get $value) (i64.const 15)))))
      (local.set $value (i64.shr_u (local.get $value) (i64.const 4)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $digits (i32.ge_s (local.get $i) (i32.const 0))))
    (i32.store8 offset=0x110 (i32.const 0) (i32.const 10))
    (drop (call $syscall6 (i64.const 1) (i64.const 1)
      (i64.add (call $memory_base) (i64.const 0x100)) (i64.const 17)
      (i64.const 0) (i64.const 0) (i64.const 0))))
  (data (i32.const 0x80) "0123456789abcdef")`;
