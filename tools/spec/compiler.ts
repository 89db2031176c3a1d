// Calls the AOT compiler (tools/aot) for the user target. Builds go through
// its library API (compileModule, then `nasm -f bin` as buildUserExecutable
// does), because a node start-up per module costs about a second. Checks of
// the exit status and the printed message go through its command line.

import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BuildError, RejectResult } from "./script.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cliPath = path.join(projectRoot, "tools/aot/cli.ts");
const apiPath = path.join(projectRoot, "tools/aot/index.ts");

interface CompilerApi {
  compileModule(bytes: Uint8Array, options: { target: "user" | "kernel" }): string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  CompileError: new (...args: any[]) => Error;
}

let api: Promise<CompilerApi> | undefined;

function loadApi(): Promise<CompilerApi> {
  api ??= import(apiPath) as Promise<CompilerApi>;
  return api;
}

/**
 * Describes the compiler under test: the last commit that changed
 * tools/aot, and whether its files have uncommitted changes.
 */
export function compilerVersion(): string {
  try {
    const git = (args: string[]) =>
      execFileSync("git", args, { cwd: projectRoot, encoding: "utf8" }).trim();
    const commit = git(["log", "-1", "--format=%h %cd", "--date=iso", "--", "tools/aot"]);
    const dirty = git(["status", "--porcelain", "--", "tools/aot"]) !== "";
    return `tools/aot at ${commit}${dirty ? " with uncommitted changes" : ""}`;
  } catch {
    return "tools/aot (git not available)";
  }
}

export function compilerAvailable(): boolean {
  return fs.existsSync(apiPath) && fs.existsSync(cliPath);
}

interface ExecResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: projectRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        let status: number | null = 0;
        if (error) {
          const code = (error as { code?: unknown }).code;
          status = typeof code === "number" ? code : null;
        }
        resolve({ status, stdout, stderr });
      },
    );
  });
}

/**
 * Compiles `wasmPath` to the executable `outPath` and keeps the nasm
 * source as `outPath.asm`. Throws BuildError when the compiler rejects the
 * module or crashes, or when nasm fails.
 */
export async function compileUser(wasmPath: string, outPath: string): Promise<void> {
  const { compileModule } = await loadApi();
  let assembly: string;
  try {
    assembly = compileModule(fs.readFileSync(wasmPath), { target: "user" });
  } catch (error) {
    const e = error as Error;
    throw new BuildError(`${e.constructor.name}: ${e.message}`);
  }
  const asmPath = `${outPath}.asm`;
  fs.writeFileSync(asmPath, assembly);
  fs.rmSync(outPath, { force: true });
  const nasm = await exec("nasm", ["-f", "bin", "-o", outPath, asmPath], 300_000);
  if (nasm.status !== 0 || !fs.existsSync(outPath))
    throw new BuildError(`nasm failed on ${asmPath}: ${nasm.stderr.trim().split("\n").slice(0, 4).join(" | ")}`);
  fs.chmodSync(outPath, 0o755);
}

/** A JavaScript stack trace line, as node prints for an uncaught error. */
const STACK_LINE = /^\s+at .+[(:]\d+/m;

/**
 * Compiles a module that the spec declares invalid or malformed, in
 * process, and checks that the compiler throws its CompileError with a
 * byte offset in the message (the command line prints that message alone
 * and exits with status 1).
 */
export async function rejectCheck(wasmPath: string): Promise<RejectResult> {
  const { compileModule, CompileError } = await loadApi();
  try {
    compileModule(fs.readFileSync(wasmPath), { target: "user" });
  } catch (error) {
    const e = error as Error;
    const isCompileError: boolean = e instanceof CompileError;
    if (!isCompileError)
      return {
        rejected: true,
        message: `${e.constructor.name}: ${e.message}`,
        problem: "the compiler crashed instead of rejecting the module",
      };
    if (!/offset/i.test(e.message))
      return { rejected: true, message: e.message, problem: "no byte offset in the message" };
    return { rejected: true, message: e.message };
  }
  return { rejected: false, message: "" };
}

/**
 * Runs the compiler's command line on a module that it must reject and
 * checks the contract: exit status 1, a message with a byte offset, no
 * stack trace.
 */
export async function rejectCheckCli(wasmPath: string, outBase: string): Promise<RejectResult> {
  fs.mkdirSync(path.dirname(outBase), { recursive: true });
  const result = await exec(
    process.execPath,
    ["--import", "tsx", cliPath, wasmPath, "--target", "user", "-o", outBase],
    60_000,
  );
  const message = (result.stderr || result.stdout).trim();
  if (result.status === 0) return { rejected: false, message };
  if (result.status === null)
    return { rejected: true, message, problem: "the compiler was killed or timed out" };
  if (STACK_LINE.test(message))
    return { rejected: true, message: message.split("\n")[0], problem: "stack trace printed" };
  if (!/offset/i.test(message))
    return { rejected: true, message, problem: "no byte offset in the message" };
  return { rejected: true, message };
}
