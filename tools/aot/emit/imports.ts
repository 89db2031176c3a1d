// Internal-convention entry points for imported functions and the System V
// wrappers for exports (docs/abi.md, "Native calling convention").
import { UnsupportedError } from "../errors.ts";
import type { FuncType, Module } from "../decode/types.ts";
import { lookupIntrinsic } from "../lower/intrinsics.ts";
import { areaSize, funcLabel, nameLabel } from "../lower/function.ts";
import type { Emitter } from "../lower/numeric.ts";
import type { Target } from "../lower/target.ts";
import { symbolName } from "./text.ts";

const intRegisters = ["rdi", "rsi", "rdx", "rcx", "r8", "r9"];
const intRegisters32 = ["edi", "esi", "edx", "ecx", "r8d", "r9d"];

// Small emitter for code outside a compiled function body.
class StubEmitter implements Emitter {
  lines: string[] = [];
  private labels = 0;
  traps = new Set<number>();

  emit(...lines: string[]): void {
    for (const line of lines) this.lines.push(line.endsWith(":") ? line : `    ${line}`);
  }

  label(): string {
    return `.L${this.labels++}`;
  }

  trap(kind: number): string {
    this.traps.add(kind);
    return `.trap${kind}`;
  }

  trapStubs(nameSymbol: string): string[] {
    return [...this.traps].flatMap((kind) => [
      `.trap${kind}:`,
      `    mov edi, ${kind}`,
      `    lea rsi, [rel ${nameSymbol}]`,
      `    call aot_trap`,
    ]);
  }
}

// Types of the env imports that the runtime provides, as AssemblyScript
// declares them.
const envImports: Record<string, string> = {
  abort: "i32,i32,i32,i32:",
  trace: "i32,i32,f64,f64,f64,f64,f64:",
  seed: ":f64",
};

// The native symbol that a System V import calls (not for module x86).
// Throws for env imports that the runtime does not provide.
export function importSymbol(module: string, name: string, type: FuncType, offset: number): string {
  if (module === "env") {
    if (!Object.hasOwn(envImports, name)) {
      throw new UnsupportedError(
        `unsupported import env.${name}: only env.abort, env.trace and env.seed are provided`,
        offset,
      );
    }
    const signature = `${type.params.join(",")}:${type.results.join(",")}`;
    if (signature !== envImports[name]) {
      throw new UnsupportedError(`import env.${name} has type ${signature}, expected ${envImports[name]}`, offset);
    }
    return `aot_env_${name}`;
  }
  return `${symbolName(module)}_${symbolName(name)}`;
}

// Emits aot_fN for imported function N: it takes arguments in the
// internal convention and calls the native routine or runs the intrinsic.
export function emitImportThunk(module: Module, index: number, target: Target): string[] {
  const imp = module.imports.filter((i) => i.kind === "func")[index];
  if (imp.kind !== "func") throw new Error("not a function import");
  const type = module.types[imp.typeIndex];
  const e = new StubEmitter();
  e.emit(`${funcLabel(index)}:`, `push rbp`, `mov rbp, rsp`);
  const arg = (i: number) => `[rbp+${16 + 8 * i}]`;
  if (imp.module === "x86") {
    const intrinsic = lookupIntrinsic(imp.name, type, target, imp.offset);
    intrinsic.emit(e, target, type.params.map((_, i) => arg(i)), arg(0));
  } else if (imp.module === "env" && target.name === "kernel") {
    importSymbol(imp.module, imp.name, type, imp.offset);
    emitKernelEnv(e, imp.name, index);
  } else {
    const symbol = importSymbol(imp.module, imp.name, type, imp.offset);
    emitSystemVCall(e, type, arg, symbol, imp.offset);
  }
  e.emit(`leave`, `ret`);
  return [...e.lines, ...e.trapStubs(nameLabel(index))];
}

// The kernel has no stderr: env.abort traps as unreachable (the trap
// handler names the function), env.trace does nothing and env.seed reads
// the time-stamp counter.
function emitKernelEnv(e: StubEmitter, name: string, index: number): void {
  if (name === "abort") {
    e.emit(`mov edi, 0`, `lea rsi, [rel ${nameLabel(index)}]`, `call aot_trap`);
  } else if (name === "seed") {
    e.emit(`rdtsc`, `shl rdx, 32`, `or rax, rdx`, `cvtsi2sd xmm0, rax`, `movsd [rbp+16], xmm0`);
  }
}

function emitSystemVCall(
  e: StubEmitter,
  type: FuncType,
  arg: (i: number) => string,
  symbol: string,
  offset: number,
): void {
  let ints = 0;
  let floats = 0;
  const stackArgs: string[] = [];
  const loads: string[] = [];
  type.params.forEach((param, i) => {
    if (param === "f32" || param === "f64") {
      if (floats < 8) loads.push(`${param === "f32" ? "movss" : "movsd"} xmm${floats++}, ${arg(i)}`);
      else stackArgs.push(arg(i));
    } else if (ints < 6) {
      loads.push(param === "i32" ? `mov ${intRegisters32[ints++]}, ${arg(i)}` : `mov ${intRegisters[ints++]}, ${arg(i)}`);
    } else {
      stackArgs.push(arg(i));
    }
  });
  if (stackArgs.length % 2) e.emit(`sub rsp, 8`);
  for (const slot of [...stackArgs].reverse()) e.emit(`push qword ${slot}`);
  e.emit(...loads, `call ${symbol}`);
  const result = type.results[0];
  if (type.results.length > 1) {
    throw new UnsupportedError(
      `import ${symbol} returns ${type.results.length} values; System V returns at most one`,
      offset,
    );
  }
  if (result === "f32") e.emit(`movss [rbp+16], xmm0`);
  else if (result === "f64") e.emit(`movsd [rbp+16], xmm0`);
  else if (result) e.emit(`mov [rbp+16], rax`);
}

// Emits wasm_export_NAME: a System V function that calls function `index`
// in the internal convention. Only the first of several results is
// returned (in rax or xmm0).
export function emitExportWrapper(module: Module, name: string, index: number): string[] {
  const type = module.types[module.funcTypes[index]];
  const e = new StubEmitter();
  const area = areaSize(type);
  e.emit(`wasm_export_${symbolName(name)}:`, `push rbp`, `mov rbp, rsp`);
  if (area) e.emit(`sub rsp, ${area}`);
  let ints = 0;
  let floats = 0;
  let stack = 0;
  type.params.forEach((param, i) => {
    const slot = `[rsp+${8 * i}]`;
    if (param === "f32" || param === "f64") {
      if (floats < 8) e.emit(`movq ${slot}, xmm${floats++}`);
      else e.emit(`mov rax, [rbp+${16 + 8 * stack++}]`, `mov ${slot}, rax`);
    } else if (ints < 6) {
      e.emit(`mov ${slot}, ${intRegisters[ints++]}`);
    } else {
      e.emit(`mov rax, [rbp+${16 + 8 * stack++}]`, `mov ${slot}, rax`);
    }
  });
  e.emit(`call ${funcLabel(index)}`);
  const result = type.results[0];
  if (result === "f32") e.emit(`movss xmm0, [rsp]`);
  else if (result === "f64") e.emit(`movsd xmm0, [rsp]`);
  else if (result) e.emit(`mov rax, [rsp]`);
  e.emit(`leave`, `ret`);
  return e.lines;
}
