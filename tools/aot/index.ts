// WebAssembly -> x86-64 ahead-of-time compiler (docs/abi.md, "AOT
// compiler"). Library API for the build driver and the tests:
//
//   compileModule(bytes: Uint8Array, options: CompileOptions): string
//     Decodes, validates and lowers a module; returns nasm source.
//     target "kernel": for `nasm -f elf64`, linked into the kernel.
//     target "user": for `nasm -f bin`, which writes a static ELF64
//     executable directly (no linker).
//     Throws CompileError (MalformedError, InvalidError, UnsupportedError)
//     with the reason and byte offset for a module it rejects.
//
//   buildUserExecutable(bytes: Uint8Array, outFile: string,
//                       options?: { emitAsm?: string; extraAssembly?: string }): void
//     compileModule for the user target, then nasm -f bin to outFile
//     (mode 755). emitAsm keeps the nasm source in that file.
//
// Imports of modules other than "x86" and "env" call the System V symbol
// MODULE_NAME; an imported global is the 8-byte cell at symbol
// MODULE_NAME. The kernel declares them extern; a user build has no
// linker, so options.extraAssembly must define them.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeModule } from "./decode/module.ts";
import { validateModule } from "./validate/validate.ts";
import { lowerModule } from "./emit/module.ts";
import { userAssembly } from "./emit/user.ts";
import { kernelAssembly } from "./emit/kernel.ts";
import { targets, type TargetName } from "./lower/target.ts";

export { CompileError, InvalidError, MalformedError, UnsupportedError } from "./errors.ts";
export type { TargetName } from "./lower/target.ts";

export interface CompileOptions {
  target: TargetName;
  // User target: nasm source added to the code section, for example the
  // definitions of imports from modules other than x86 and env.
  extraAssembly?: string;
}

export function compileModule(bytes: Uint8Array, options: CompileOptions): string {
  const target = targets[options.target];
  if (!target) throw new Error(`unknown target "${options.target}": expected user or kernel`);
  const module = decodeModule(bytes);
  validateModule(module);
  const parts = lowerModule(module, target);
  return target.name === "user"
    ? userAssembly(parts, target, options.extraAssembly)
    : kernelAssembly(parts);
}

export interface UserBuildOptions {
  emitAsm?: string;
  extraAssembly?: string;
}

export function buildUserExecutable(bytes: Uint8Array, outFile: string, options: UserBuildOptions = {}): void {
  const assembly = compileModule(bytes, { target: "user", extraAssembly: options.extraAssembly });
  const dir = options.emitAsm ? undefined : mkdtempSync(join(tmpdir(), "aot-"));
  const asmFile = options.emitAsm ?? join(dir!, "module.asm");
  try {
    writeFileSync(asmFile, assembly);
    assemble(["-f", "bin", "-o", outFile, asmFile]);
    chmodSync(outFile, 0o755);
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

function assemble(args: string[]): void {
  try {
    execFileSync("nasm", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`nasm ${args.join(" ")} failed:\n${stderr}`);
  }
}
