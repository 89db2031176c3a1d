// The two ways to run a merged module: as an executable built by the AOT
// compiler's user target (the system under test), or in V8 with emulated
// intrinsics (to check the spec runner itself, and as the fuzzer's
// reference).

import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { BuildError, Engine, Program, RejectResult } from "./script.ts";
import { ProcessResult, runInV8 } from "./v8-process.ts";
import { compileUser, rejectCheck } from "./compiler.ts";

export class V8Engine implements Engine {
  readonly name = "v8";
  readonly looseTrapKinds = true;

  async prepare(wasm: Uint8Array): Promise<Program> {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(wasm);
    } catch (error) {
      throw new BuildError(`V8 rejected the merged module: ${(error as Error).message}`);
    }
    return { run: async (mask: string) => runInV8(module, [mask]) };
  }

  async checkRejected(wasmPath: string): Promise<RejectResult> {
    const bytes = fs.readFileSync(wasmPath);
    const valid = WebAssembly.validate(bytes);
    return { rejected: !valid, message: valid ? "" : "WebAssembly.validate returned false" };
  }
}

/** Runs an executable with one argument; stderr and stdout are captured. */
export function runExecutable(
  file: string,
  args: string[],
  timeoutMs: number,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8", env: {} },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr, status: 0 });
          return;
        }
        const e = error as NodeJS.ErrnoException & {
          code?: number | string;
          killed?: boolean;
          signal?: string;
        };
        if (e.killed && e.signal === "SIGTERM")
          resolve({ stdout, stderr, status: null, timedOut: true });
        else if (typeof e.code === "number") resolve({ stdout, stderr, status: e.code });
        else resolve({ stdout, stderr, status: null, signal: e.signal ?? String(e.code) });
      },
    );
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

  async prepare(wasm: Uint8Array, label: string): Promise<Program> {
    const base = path.join(this.outDir, label.replace(/[^A-Za-z0-9_.-]/g, "_"));
    fs.writeFileSync(`${base}.wasm`, wasm);
    await compileUser(`${base}.wasm`, base);
    return { run: (mask: string) => runExecutable(base, [mask], this.timeoutMs) };
  }

  async checkRejected(wasmPath: string, label: string): Promise<RejectResult> {
    const base = path.join(this.outDir, "rejected", label.replace(/[^A-Za-z0-9_.-]/g, "_"));
    return rejectCheck(wasmPath, base);
  }
}
