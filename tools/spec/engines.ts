// The two ways to run a merged module: as an executable built by the AOT
// compiler's user target (the system under test), or in V8 with emulated
// intrinsics (to check the spec runner itself, and as the fuzzer's
// reference).

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BuildError, Engine, Program, RejectResult } from "./script.ts";
import { ProcessResult, runInV8 } from "./v8-process.ts";
import { compileUser, rejectCheck, rejectCheckCli } from "./compiler.ts";

export class V8Engine implements Engine {
  readonly name = "v8";
  readonly looseTrapKinds = true;

  async prepare(wasm: Uint8Array): Promise<Program> {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
    } catch (error) {
      throw new BuildError(`V8 rejected the merged module: ${(error as Error).message}`);
    }
    return { run: async (mask: string, stdin: Uint8Array) => runInV8(module, [mask], stdin) };
  }

  async checkRejected(wasmPath: string): Promise<RejectResult> {
    const bytes = fs.readFileSync(wasmPath);
    const valid = WebAssembly.validate(bytes);
    return { rejected: !valid, message: valid ? "" : "WebAssembly.validate returned false" };
  }
}

/** Runs an executable with `stdin` as input; stdout and stderr are captured. */
export function runExecutable(
  file: string,
  args: string[],
  stdin: Uint8Array,
  timeoutMs: number,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so that a timeout also ends the children
    // that the driver forks.
    const child = spawn(file, args, { env: {}, stdio: ["pipe", "pipe", "pipe"], detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // The process may exit before it reads all of stdin (a trap at start-up).
    child.stdin.on("error", () => {});
    child.stdin.end(stdin);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        status: timedOut ? null : status,
        signal: signal ?? undefined,
        timedOut,
      });
    });
  });
}

export class NativeEngine implements Engine {
  readonly name = "native";
  readonly looseTrapKinds = false;

  constructor(
    private readonly outDir: string,
    private readonly timeoutMs = 20_000,
  ) {
    fs.mkdirSync(outDir, { recursive: true });
  }

  async prepare(wasm: Uint8Array, label: string, stream: Uint8Array): Promise<Program> {
    const base = path.join(this.outDir, label.replace(/[^A-Za-z0-9_.-]/g, "_"));
    fs.writeFileSync(`${base}.wasm`, wasm);
    // Rerun by hand: ./BASE MASK < BASE.commands (MASK: one 0 per command).
    fs.writeFileSync(`${base}.commands`, stream);
    await compileUser(`${base}.wasm`, base);
    return {
      run: (mask: string, stdin: Uint8Array) => runExecutable(base, [mask], stdin, this.timeoutMs),
    };
  }

  async checkRejected(wasmPath: string, label: string, viaCli: boolean): Promise<RejectResult> {
    if (!viaCli) return rejectCheck(wasmPath);
    const base = path.join(this.outDir, "rejected", label.replace(/[^A-Za-z0-9_.-]/g, "_"));
    return rejectCheckCli(wasmPath, base);
  }
}
