// Differential testing of the spec suite's modules: every exported
// function of every module that the compiler supports is called with
// random arguments (edge values of each type included), in V8 and
// natively, and the results and traps must match. The spec's assertions
// cover chosen inputs; this covers the inputs in between.

import fs from "node:fs";
import path from "node:path";
import {
  DriverCommand,
  Operation,
  Value,
  addDriver,
  addHelpers,
  encodeCommands,
} from "../spec/driver.ts";
import { Extern, LinkError, MergedModule, checkImport, spectestModule } from "../spec/link.ts";
import { BuildError, JsonCommand } from "../spec/script.ts";
import { compileUser } from "../spec/compiler.ts";
import {
  F32,
  F64,
  KIND_FUNC,
  KIND_MEMORY,
  KIND_TABLE,
  ValType,
  decodeModule,
  unsupportedFeature,
} from "../spec/wasm-binary.ts";
import { Prepared, SeedResult, argumentFor, compareEngines } from "./fuzz.ts";

/** Floating-point arguments that random numbers seldom hit. */
function specialFloat(type: ValType, random: () => number): Value | undefined {
  if (random() % 4 !== 0) return undefined;
  const f32 = [0x7fc00000n, 0xff800000n, 0x00000001n, 0x80000001n, 0x7f7fffffn, 0x4f000000n, 0xcf000000n];
  const f64 = [
    0x7ff8000000000000n,
    0xfff0000000000000n,
    0x0000000000000001n,
    0x7fefffffffffffffn,
    0x43e0000000000000n,
    0xc3e0000000000000n,
    0x41e0000000000000n,
  ];
  if (type === F32) return { type, bits: f32[random() % f32.length] };
  if (type === F64) return { type, bits: f64[random() % f64.length] };
  return undefined;
}

/** Links one spec module with spectest and a driver that calls every export. */
export function prepareSpecModule(bytes: Uint8Array, seed: number, rounds = 3): Prepared | string {
  const m = decodeModule(bytes);
  const feature = unsupportedFeature(m);
  if (feature) return `uses ${feature}`;
  const merged = new MergedModule();
  const h = addHelpers(merged);
  const importsKind = (kind: number) =>
    m.imports.some((imp) => imp.module === "spectest" && imp.kind === kind);
  const spectest = merged.addInstance(
    "spectest",
    spectestModule({ table: importsKind(KIND_TABLE), memory: importsKind(KIND_MEMORY) }),
    [],
    true,
  );
  const imports: Extern[] = [];
  for (const imp of m.imports) {
    const ext = imp.module === "spectest" ? spectest.exports.get(imp.name) : undefined;
    try {
      imports.push(checkImport(m, imp, ext));
    } catch (error) {
      if (error instanceof LinkError) return `imports from a module other than spectest`;
      throw error;
    }
  }
  const layout = merged.addInstance("module", m, imports, true);
  const functions = [...layout.exports.values()].filter(
    (e): e is Extract<Extern, { kind: 0 }> => e.kind === KIND_FUNC,
  );
  if (functions.length === 0) return "exports no function";
  const operations: Operation[] = [{ kind: "instantiate", layout }];
  for (const ext of functions) operations.push({ kind: "invoke", func: ext.index });
  const commands: DriverCommand[] = [{ operation: 0, args: [] }];
  const resultTypes: ValType[][] = [[]];
  let state = seed * 7919 + 1;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state >>> 8;
  };
  for (let round = 0; round < rounds; round++)
    functions.forEach((ext, i) => {
      const args = ext.type.params.map((t) => specialFloat(t, random) ?? argumentFor(t, random));
      commands.push({ operation: i + 1, args });
      resultTypes.push(ext.type.results);
    });
  addDriver(merged, operations, layout.start, h);
  return {
    wasm: merged.encode(),
    stream: encodeCommands(commands),
    exports: commands.length - 1,
    resultTypes,
  };
}

/** Lists the binary modules that the converted spec scripts define. */
export function specModules(specDir: string): { name: string; file: string }[] {
  const modules: { name: string; file: string }[] = [];
  if (!fs.existsSync(specDir)) return modules;
  for (const script of fs.readdirSync(specDir).sort()) {
    const json = path.join(specDir, script, `${script}.json`);
    if (!fs.existsSync(json)) continue;
    const { commands } = JSON.parse(fs.readFileSync(json, "utf8")) as { commands: JsonCommand[] };
    for (const c of commands)
      if (c.type === "module" && c.filename)
        modules.push({ name: `${script}:${c.line}`, file: path.join(specDir, script, c.filename) });
  }
  return modules;
}

/** Calls the exports of one spec module with random arguments in both engines. */
export async function fuzzSpecModule(
  module: { name: string; file: string },
  seed: number,
  outDir: string,
): Promise<SeedResult> {
  const dir = path.join(outDir, module.name.replace(/[^A-Za-z0-9_.-]/g, "_"));
  const result: SeedResult = { seed, status: "agree", exports: 0, runs: 0, traps: 0, dir };
  const prepared = prepareSpecModule(fs.readFileSync(module.file), seed);
  if (typeof prepared === "string") return { ...result, status: "skip", detail: prepared };
  result.exports = prepared.exports;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "merged.wasm"), prepared.wasm);
  fs.writeFileSync(path.join(dir, "commands.bin"), prepared.stream);
  const reference = new WebAssembly.Module(prepared.wasm as Uint8Array<ArrayBuffer>);
  const exe = path.join(dir, "merged");
  try {
    await compileUser(path.join(dir, "merged.wasm"), exe);
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    return { ...result, status: "mismatch", detail: `the compiler rejected the module: ${error.message}` };
  }
  await compareEngines(reference, exe, prepared, result);
  if (result.status === "agree") fs.rmSync(dir, { recursive: true, force: true });
  return result;
}
