// Builds user programs for the host test suites the way tools/build.ts does
// (asc, tools/aot --target user, nasm -f bin), into a temporary directory,
// once per mocha process. The user target makes static Linux executables,
// so the suites run them here as ordinary processes.
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import asc from "assemblyscript/asc";
import { root } from "../../tools/paths.ts";

// Every program in userland/bin and userland/tests that the suites run.
const BIN_PROGRAMS = ["cat", "echo", "hello", "init", "ls", "resident", "sh"];
const TEST_PROGRAMS = ["efault", "fault", "setuid-register"];

export interface BuiltPrograms {
  // Directory holding every built executable; use it as PATH.
  dir: string;
  path(name: string): string;
}

let built: Promise<BuiltPrograms> | undefined;

// Builds (once) and returns the user programs and hello-ld.
export function userPrograms(): Promise<BuiltPrograms> {
  built ??= buildAll();
  return built;
}

async function buildAll(): Promise<BuiltPrograms> {
  const dir = mkdtempSync(join(tmpdir(), "userland-"));
  const aotIndex = join(root, "tools/aot/index.ts");
  if (!existsSync(aotIndex)) {
    throw new Error(`${aotIndex} is missing: the user programs need the AOT compiler`);
  }
  const { compileModule } = await import(aotIndex);
  const sources = [
    ...BIN_PROGRAMS.map((name) => join(root, "userland/bin", `${name}.ts`)),
    ...TEST_PROGRAMS.map((name) => join(root, "userland/tests", `${name}.ts`)),
  ];
  for (const source of sources) {
    const name = source.slice(source.lastIndexOf("/") + 1, -3);
    const wasm = join(dir, `${name}.wasm`);
    await compileWasm(source, wasm);
    const asm = join(dir, `${name}.asm`);
    writeFileSync(asm, compileModule(readFileSync(wasm), { target: "user" }));
    const executable = join(dir, name);
    execFileSync("nasm", ["-f", "bin", "-o", executable, asm]);
    chmodSync(executable, 0o755);
  }
  buildHelloLd(dir);
  return { dir, path: (name: string) => join(dir, name) };
}

async function compileWasm(source: string, outFile: string): Promise<void> {
  const args = [relative(root, source), "--config", join(root, "asconfig.json"), "--target", "user", "--outFile", outFile];
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(args, { stdout: asc.createMemoryStream(), stderr });
  if (error) throw new Error(`asc ${relative(root, source)} failed:\n${stderr.toString()}${error.message}`);
}

function buildHelloLd(dir: string): void {
  const object = join(dir, "hello-ld.o");
  execFileSync("nasm", ["-f", "elf64", "-o", object, join(root, "userland/hello-ld/hello.asm")]);
  execFileSync("ld", ["-static", "-o", join(dir, "hello-ld"), object]);
}

export interface RunResult {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
  cwd?: string;
  argv0?: string;
}

// Runs `file` with `args` as a real process and collects its output.
export function runProgram(file: string, args: string[] = [], options: RunOptions = {}): RunResult {
  const result: SpawnSyncReturns<string> = spawnSync(file, args, {
    input: options.input ?? "",
    env: options.env ?? {},
    cwd: options.cwd,
    argv0: options.argv0,
    encoding: "utf8",
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal };
}

// Makes an empty scratch directory for one test.
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  mkdirSync(dir, { recursive: true });
  return dir;
}
