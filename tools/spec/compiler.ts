// Calls the AOT compiler (tools/aot) for the user target, through its
// command line: `tsx tools/aot/cli.ts IN --target user -o OUT`.

import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BuildError, RejectResult } from "./script.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cliPath = path.join(projectRoot, "tools/aot/cli.ts");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], timeoutMs: number): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", cliPath, ...args],
      { cwd: projectRoot, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({
          status: error ? (typeof code === "number" ? code : null) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

export function compilerAvailable(): boolean {
  return fs.existsSync(cliPath);
}

/** Compiles `wasmPath` to the executable `outPath`, or throws BuildError. */
export async function compileUser(wasmPath: string, outPath: string): Promise<void> {
  const result = await runCli([wasmPath, "--target", "user", "-o", outPath], 300_000);
  if (result.status !== 0 || !fs.existsSync(outPath)) {
    const message = (result.stderr || result.stdout).trim().split("\n").slice(0, 6).join("\n");
    throw new BuildError(`compiler exit status ${result.status}: ${message}`);
  }
}

/** A JavaScript stack trace line, as node prints for an uncaught error. */
const STACK_LINE = /^\s+at .+[(:]\d+/m;

/**
 * Compiles a module that the spec declares invalid or malformed and checks
 * the error contract: non-zero exit, a message with a byte offset, and no
 * stack trace.
 */
export async function rejectCheck(wasmPath: string, outBase: string): Promise<RejectResult> {
  fs.mkdirSync(path.dirname(outBase), { recursive: true });
  const result = await runCli([wasmPath, "--target", "user", "-o", outBase], 60_000);
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
