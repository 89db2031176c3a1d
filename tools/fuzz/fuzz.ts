// Differential fuzzing of the AOT compiler against V8. Binaryen's
// translate-to-fuzz (`wasm-opt -ttf`, from the binaryen npm package) turns
// random bytes into a valid module limited to the compiler's features.
// The spec runner's linker adds the `fuzzing-support` host functions and a
// driver. The driver calls every exported function and reports its
// results, the exported globals and a hash of linear memory. The same
// merged module runs in V8 (with emulated x86 intrinsics) and as the
// compiler's executable, and their outputs must be identical, run after run.

import { execFile } from "node:child_process";
import { Worker } from "node:worker_threads";
import fs from "node:fs";
import path from "node:path";
import {
  Code,
  DriverCommand,
  Helpers,
  MASK_RUN,
  MASK_SKIP,
  Operation,
  Value,
  addDriver,
  addFunction,
  addHelpers,
  encodeCommands,
  parseRecords,
} from "../spec/driver.ts";
import { Extern, LinkError, MergedModule, checkImport } from "../spec/link.ts";
import { compileUser, projectRoot } from "../spec/compiler.ts";
import { runExecutable } from "../spec/engines.ts";
import { ProcessResult, runInV8 } from "../spec/v8-process.ts";
import { BuildError } from "../spec/script.ts";
import {
  F32,
  F64,
  FuncType,
  I32,
  I64,
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  ValType,
  decodeModule,
  unsupportedFeature,
} from "../spec/wasm-binary.ts";

/** wasm-opt flags that limit -ttf to the features the compiler accepts. */
export const FEATURE_FLAGS = [
  "--mvp-features",
  "--enable-sign-ext",
  "--enable-nontrapping-float-to-int",
  "--enable-bulk-memory",
  "--enable-mutable-globals",
  "--enable-multivalue",
];

const wasmOpt = path.join(projectRoot, "node_modules/.bin/wasm-opt");

/** Time one run of a program may take, in V8 or natively. */
const RUN_TIMEOUT_MS = 10_000;

export interface SeedResult {
  seed: number;
  status: "agree" | "mismatch" | "skip";
  /** The difference found, or the reason the seed was skipped. */
  detail?: string;
  /** Export calls made, each export twice. */
  exports: number;
  /** Runs of the program: one more than the number of traps. */
  runs: number;
  traps: number;
  dir: string;
}

/** SplitMix64, so that a seed number always gives the same input bytes. */
export function randomBytes(seed: number, length: number): Uint8Array {
  let state = BigInt(seed) * 0x9e3779b97f4a7c15n;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 8) {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z ^= z >> 31n;
    for (let j = 0; j < 8 && i + j < length; j++) out[i + j] = Number((z >> BigInt(8 * j)) & 0xffn);
  }
  return out;
}

function exec(file: string, args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", timeout: 120_000 }, (error, _stdout, stderr) => {
      let status: number | null = 0;
      if (error) {
        const code = (error as { code?: unknown }).code;
        status = typeof code === "number" ? code : null;
      }
      resolve({ status, stderr });
    });
  });
}

/**
 * Runs wasm-opt -ttf, with --denan so that no NaN bit pattern is compared.
 * Even seeds get -O2 as well, because optimized code (what asc emits) has
 * other shapes than the fuzzer's raw output. Every fourth seed gets
 * --no-fuzz-oob, so that fewer calls end in an out-of-bounds trap.
 */
export async function generateModule(input: string, output: string, seed: number): Promise<void> {
  const optimize = seed % 2 === 0 ? ["-O2"] : [];
  const inBounds = seed % 4 === 3 ? ["--no-fuzz-oob"] : [];
  const args = [input, "-ttf", ...inBounds, "--denan", ...optimize, ...FEATURE_FLAGS, "-o", output];
  const result = await exec(wasmOpt, args);
  if (result.status !== 0) throw new Error(`wasm-opt -ttf failed: ${result.stderr.trim()}`);
}

/**
 * Adds Binaryen's fuzzing-support imports: log-* print their argument
 * through the driver, sleep returns its second argument, and the
 * call-export functions call nothing (a trap could not be caught natively)
 * and call-export-catch returns 0.
 */
function addFuzzingSupport(merged: MergedModule, h: Helpers): Map<string, Extern> {
  const externs = new Map<string, Extern>();
  const add = (name: string, type: FuncType, build: (c: Code) => void) => {
    const index = addFunction(merged, `fuzzing-support.${name}`, type, build);
    externs.set(name, { kind: KIND_FUNC, index, type });
  };
  const logTypes: [string, ValType][] = [
    ["log-i32", I32],
    ["log-i64", I64],
    ["log-f32", F32],
    ["log-f64", F64],
  ];
  for (const [name, type] of logTypes)
    add(name, { params: [type], results: [] }, (c) => {
      c.i32(-1).i32("L".charCodeAt(0)).call(h.begin);
      c.localGet(0).toBits(type).call(h.value).call(h.end);
    });
  add("sleep", { params: [I32, I32], results: [I32] }, (c) => c.localGet(1));
  add("call-export", { params: [I32, I32], results: [] }, () => {});
  add("call-export-catch", { params: [I32], results: [I32] }, (c) => c.i32(0));
  return externs;
}

/** Argument values: mostly small, some at the edges of their type. */
export function argumentFor(type: ValType, random: () => number): Value {
  const pick = random() % 8;
  const edges32 = [0n, 1n, 0xffffffffn, 0x80000000n, 0x7fffffffn];
  const edges64 = [0n, 1n, 0xffffffffffffffffn, 0x8000000000000000n, 0x7fffffffffffffffn];
  switch (type) {
    case I32:
      return { type, bits: pick < 4 ? BigInt(random() % 256) : edges32[random() % edges32.length] };
    case I64:
      return { type, bits: pick < 4 ? BigInt(random() % 256) : edges64[random() % edges64.length] };
    case F32: {
      const view = new DataView(new ArrayBuffer(4));
      view.setFloat32(0, pick < 6 ? (random() % 2000) / 8 - 125 : [0, -0, Infinity, -Infinity][random() % 4]);
      return { type, bits: BigInt(view.getUint32(0)) };
    }
    default: {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, pick < 6 ? (random() % 2000) / 8 - 125 : [0, -0, Infinity, -Infinity][random() % 4]);
      return { type, bits: view.getBigUint64(0) };
    }
  }
}

export interface Prepared {
  wasm: Uint8Array;
  stream: Uint8Array;
  exports: number;
  /**
   * Result types of each command, when NaN results may differ in their
   * bits (modules without --denan): then any two NaNs compare equal, and
   * memory is not compared.
   */
  resultTypes?: ValType[][];
}

/** Links the fuzz module with the host functions and a driver. */
function prepare(bytes: Uint8Array, seed: number): Prepared | string {
  const m = decodeModule(bytes);
  const feature = unsupportedFeature(m);
  if (feature) return `the generated module uses ${feature}`;
  const merged = new MergedModule();
  const h = addHelpers(merged);
  const host = addFuzzingSupport(merged, h);
  const imports: Extern[] = [];
  for (const imp of m.imports) {
    const ext = imp.module === "fuzzing-support" ? host.get(imp.name) : undefined;
    try {
      imports.push(checkImport(m, imp, ext));
    } catch (error) {
      if (error instanceof LinkError) return `the generated module has an ${error.message}`;
      throw error;
    }
  }
  const layout = merged.addInstance("fuzz", m, imports, true);
  const observeGlobals = [...layout.exports.values()]
    .filter((e): e is Extract<Extern, { kind: 3 }> => e.kind === KIND_GLOBAL)
    .map((e) => ({ index: e.index, type: e.type.type }));
  const operations: Operation[] = [{ kind: "instantiate", layout }];
  const commands: DriverCommand[] = [{ operation: 0, args: [] }];
  let state = seed * 7919 + 1;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state >>> 8;
  };
  const functions = [...layout.exports.values()].filter(
    (e): e is Extract<Extern, { kind: 0 }> => e.kind === KIND_FUNC,
  );
  for (const ext of functions)
    operations.push({ kind: "invoke", func: ext.index, observeGlobals, hashMemory: true });
  // Every export twice, the second time on the state that the first left.
  for (let round = 0; round < 2; round++)
    functions.forEach((ext, i) => {
      const args = ext.type.params.map((t) => argumentFor(t, random));
      commands.push({ operation: i + 1, args });
    });
  addDriver(merged, operations, layout.start, h, { memoryFile: true });
  // V8's side of the memory comparison after a trap reads this export.
  if (merged.memory) merged.exports.push({ name: "memory", index: 0, kind: KIND_MEMORY });
  return {
    wasm: merged.encode(),
    stream: encodeCommands(commands),
    exports: commands.length - 1,
  };
}

/** Maps a trap kind to its group, because V8's messages cannot tell some apart. */
function trapGroup(kind: string): string {
  if (/undefined element|uninitialized element|indirect call type mismatch|out of bounds table/.test(kind))
    return "table or indirect call trap";
  if (/integer overflow|invalid conversion/.test(kind)) return "integer overflow or invalid conversion";
  return kind;
}

function describeRun(run: ProcessResult): string {
  const trap = /^trap: (.*) in /m.exec(run.stderr);
  if (run.timedOut) return "timed out";
  if (run.status === 134 && trap) return `trap (${trapGroup(trap[1])})`;
  return `exit status ${run.status}${run.signal ? ` signal ${run.signal}` : ""}`;
}

function firstDifference(a: string, b: string): string {
  const linesA = a.split("\n");
  const linesB = b.split("\n");
  for (let i = 0; i < Math.max(linesA.length, linesB.length); i++)
    if (linesA[i] !== linesB[i])
      return `line ${i + 1}: V8 "${linesA[i] ?? "(none)"}", native "${linesB[i] ?? "(none)"}"`;
  return "no difference";
}

export interface FuzzOptions {
  size: number;
  outDir: string;
  keep: boolean;
}

/** Describes the first difference between V8's memory and the native memory file. */
function compareMemory(v8: Uint8Array | undefined, nativeFile: string): string | undefined {
  if (!v8 || !fs.existsSync(nativeFile)) return undefined;
  const native = fs.readFileSync(nativeFile);
  const length = Math.min(v8.length, native.length);
  for (let i = 0; i < length; i++)
    if (v8[i] !== native[i])
      return `linear memory differs at address ${i}: V8 0x${v8[i].toString(16)}, native 0x${native[i].toString(16)}`;
  return undefined;
}

/**
 * Runs the program in V8 and natively until both complete, skipping each
 * call that trapped in both, and records the first difference in `result`.
 */
function isNaNBits(type: ValType, bits: bigint): boolean {
  if (type === F32) return (bits & 0x7f800000n) === 0x7f800000n && (bits & 0x7fffffn) !== 0n;
  if (type === F64)
    return (bits & 0x7ff0000000000000n) === 0x7ff0000000000000n && (bits & 0xfffffffffffffn) !== 0n;
  return false;
}

/**
 * Compares two outputs record by record; a NaN result equals any NaN,
 * because WebAssembly leaves the bits of most NaN results open.
 */
function sameResults(a: string, b: string, types: ValType[][]): boolean {
  const recordsA = parseRecords(a);
  const recordsB = parseRecords(b);
  if (recordsA.length !== recordsB.length) return false;
  return recordsA.every((ra, i) => {
    const rb = recordsB[i];
    if (ra.command !== rb.command || ra.failure !== rb.failure) return false;
    const va = ra.values ?? [];
    const vb = rb.values ?? [];
    if (va.length !== vb.length) return false;
    const resultTypes = types[ra.command] ?? [];
    return va.every((x, j) => x === vb[j] || (isNaNBits(resultTypes[j], x) && isNaNBits(resultTypes[j], vb[j])));
  });
}

/**
 * Runs a merged module in V8 in a worker thread, which is terminated after
 * `timeoutMs`: spec modules, unlike the fuzzer's, have no hang limit (fib
 * with a random argument runs for ages).
 */
export function runInV8Limited(
  wasm: Uint8Array,
  args: string[],
  stdin: Uint8Array,
  timeoutMs: number,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./v8-worker.mjs", import.meta.url), {
      workerData: { wasm, args, stdin },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ stdout: "", stderr: "", status: null, timedOut: true });
    }, timeoutMs);
    worker.once("message", (result: ProcessResult) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function compareEngines(
  reference: WebAssembly.Module,
  exe: string,
  prepared: Prepared,
  result: SeedResult,
): Promise<void> {
  const count = prepared.exports + 1;
  const mask = new Array<string>(count).fill(MASK_RUN);
  const memoryFile = `${exe}.memory`;
  for (let attempt = 0; attempt <= count; attempt++) {
    const v8 = prepared.resultTypes
      ? await runInV8Limited(prepared.wasm, [mask.join("")], prepared.stream, RUN_TIMEOUT_MS)
      : runInV8(reference, [mask.join("")], prepared.stream);
    fs.rmSync(memoryFile, { force: true });
    const native = await runExecutable(exe, [mask.join(""), memoryFile], prepared.stream, RUN_TIMEOUT_MS);
    result.runs++;

    if (v8.timedOut && native.timedOut) {
      // Both ran too long in the same call (V8's output is lost with its
      // worker): the next run skips the call that native did not finish.
      const seen = new Set(parseRecords(native.stdout).map((r) => r.command));
      const pending = mask.findIndex((m, k) => m !== MASK_SKIP && !seen.has(k));
      if (pending <= 0) return;
      mask[pending] = MASK_SKIP;
      continue;
    }

    const v8State = describeRun(v8);
    const nativeState = describeRun(native);
    const sameOutput = prepared.resultTypes
      ? sameResults(v8.stdout, native.stdout, prepared.resultTypes)
      : v8.stdout === native.stdout;
    if (!sameOutput || v8State !== nativeState) {
      const stderr = native.stderr.trim().split("\n")[0];
      result.status = "mismatch";
      result.detail =
        `run ${result.runs} (mask ${mask.join("")}): V8 ended with ${v8State}, ` +
        `native with ${nativeState}; output ${firstDifference(v8.stdout, native.stdout)}` +
        (stderr ? `; native stderr: ${stderr}` : "");
      return;
    }
    // Linear memory as the run left it, which after a trap shows the stores
    // that the trapping call made before it trapped.
    const memoryDifference = prepared.resultTypes ? undefined : compareMemory(v8.memory, memoryFile);
    if (memoryDifference) {
      result.status = "mismatch";
      result.detail = `run ${result.runs} (mask ${mask.join("")}), ${v8State}: ${memoryDifference}`;
      return;
    }
    if (v8.status === 0) return;

    // Both trapped in the same call: the next run skips it.
    const seen = new Set(parseRecords(v8.stdout).map((r) => r.command));
    const pending = mask.findIndex((m, k) => m !== MASK_SKIP && !seen.has(k));
    if (pending <= 0) return;
    result.traps++;
    mask[pending] = MASK_SKIP;
  }
}

/** Generates, compiles and runs one seed in both engines. */
export async function fuzzSeed(seed: number, options: FuzzOptions): Promise<SeedResult> {
  const dir = path.join(options.outDir, `seed-${seed}-size-${options.size}`);
  fs.mkdirSync(dir, { recursive: true });
  const result: SeedResult = { seed, status: "agree", exports: 0, runs: 0, traps: 0, dir };

  const inputPath = path.join(dir, "input.dat");
  fs.writeFileSync(inputPath, randomBytes(seed, options.size));
  const fuzzPath = path.join(dir, "fuzz.wasm");
  await generateModule(inputPath, fuzzPath, seed);
  const prepared = prepare(fs.readFileSync(fuzzPath), seed);
  if (typeof prepared === "string") return { ...result, status: "skip", detail: prepared };
  result.exports = prepared.exports;
  fs.writeFileSync(path.join(dir, "merged.wasm"), prepared.wasm);
  fs.writeFileSync(path.join(dir, "commands.bin"), prepared.stream);

  const reference = new WebAssembly.Module(prepared.wasm as Uint8Array<ArrayBuffer>);
  const exe = path.join(dir, "merged");
  try {
    await compileUser(path.join(dir, "merged.wasm"), exe);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    const detail = `the compiler rejected a module that V8 accepts: ${error.message}`;
    return { ...result, status: "mismatch", detail };
  }
  await compareEngines(reference, exe, prepared, result);

  if (result.status === "agree" && !options.keep) fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
