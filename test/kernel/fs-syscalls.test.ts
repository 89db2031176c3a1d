// Runs test/kernel/programs/fs-syscalls.ts, which checks the file system
// calls against the results Linux gives, first on the Linux host (so the
// expectations are Linux's) and then on this kernel in QEMU. In QEMU the
// program and an empty /scratch directory come from a second cpio archive
// appended to build/initrd.cpio.
import { strict as assert } from "node:assert";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { StringDecoder } from "node:string_decoder";
import asc from "assemblyscript/asc";
import { buildArchive } from "../../tools/mkinitrd.ts";
import { buildDir, initrdFile, kernelElf, root } from "../../tools/paths.ts";
import { qemuArgs } from "../../tools/qemu-args.ts";

const PROGRAM = "fs-syscalls";
const PROMPT = /(?:^|\n)[#$] $/;

// Compiles the program as tools/build.ts compiles userland/tests, into
// `dir`. Returns the executable's path.
async function buildProgram(dir: string): Promise<string> {
  const source = join(root, "test/kernel/programs", `${PROGRAM}.ts`);
  const wasm = join(dir, `${PROGRAM}.wasm`);
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(
    [relative(root, source), "--config", join(root, "asconfig.json"), "--target", "user", "--outFile", wasm],
    { stdout: asc.createMemoryStream(), stderr },
  );
  if (error) throw new Error(`asc ${relative(root, source)} failed:\n${stderr.toString()}${error.message}`);
  const { compileModule } = await import("../../tools/aot/index.ts");
  const asm = join(dir, `${PROGRAM}.asm`);
  writeFileSync(asm, compileModule(readFileSync(wasm), { target: "user" }));
  const executable = join(dir, PROGRAM);
  execFileSync("nasm", ["-f", "bin", "-o", executable, asm]);
  chmodSync(executable, 0o755);
  return executable;
}

// Lines of the program's output that report a failed check.
function failedChecks(output: string): string[] {
  return output.split("\n").filter((line) => line.startsWith("not ok"));
}

// QEMU on the serial console through pipes, with the output collected.
class Console {
  private readonly qemu: ChildProcess;
  private output = "";
  private cursor = 0;
  private exited = false;

  constructor(args: string[]) {
    this.qemu = spawn("qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "pipe"] });
    // A decoder per stream keeps a UTF-8 character split between chunks.
    for (const stream of [this.qemu.stdout!, this.qemu.stderr!]) {
      const decoder = new StringDecoder("utf8");
      stream.on("data", (chunk: Buffer) => {
        this.output += decoder.write(chunk).replace(/\r/g, "");
      });
    }
    this.qemu.on("exit", () => {
      this.exited = true;
    });
  }

  send(text: string): void {
    this.qemu.stdin!.write(text);
  }

  // Waits until `pattern` matches after the cursor. Returns the text up to
  // the end of the match and moves the cursor past it.
  async expect(pattern: RegExp, timeoutMs: number, step: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(this.cursor);
      const found = pattern.exec(rest);
      if (found) {
        const end = found.index + found[0].length;
        this.cursor += end;
        return rest.slice(0, end);
      }
      if (this.exited) throw new Error(`${step}: QEMU exited first; console tail:\n${this.output.slice(-2000)}`);
      if (Date.now() > deadline) {
        throw new Error(`${step}: timed out after ${timeoutMs} ms; console tail:\n${this.output.slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  kill(): void {
    if (!this.exited) this.qemu.kill("SIGKILL");
  }
}

describe("file system calls", function () {
  this.timeout(180_000);
  let work: string;
  let executable: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "fs-syscalls-"));
    executable = await buildProgram(work);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("pass on the Linux host", () => {
    const directory = mkdtempSync(join(work, "host-"));
    let output: string;
    try {
      output = execFileSync(executable, [directory], { encoding: "utf8" });
    } catch (error) {
      const failed = error as { stdout?: string; status?: number };
      assert.fail(`exit status ${failed.status}:\n${failedChecks(failed.stdout ?? "").join("\n")}\n${failed.stdout}`);
    }
    assert.deepEqual(failedChecks(output), []);
    assert.match(output, /\nPASS\n$/);
  });

  describe("in QEMU", () => {
    let qemu: Console;

    before(async function () {
      for (const file of [kernelElf, initrdFile]) {
        if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
      }
      const extra = buildArchive([
        { path: "tests", mode: 0o755 },
        { path: `tests/${PROGRAM}`, source: executable, mode: 0o755 },
        { path: "scratch", mode: 0o777 },
      ]);
      const initrd = join(work, "initrd.cpio");
      writeFileSync(initrd, Buffer.concat([readFileSync(initrdFile), extra]));

      const args = qemuArgs({ serial: "stdio", append: "test=1", kernelLog: join(buildDir, "kernel-fs.log") });
      args[args.indexOf("-initrd") + 1] = initrd;
      qemu = new Console(args);
      await qemu.expect(PROMPT, 30_000, "first shell prompt");
    });

    after(() => qemu?.kill());

    it("pass on this kernel", async () => {
      qemu.send(`/tests/${PROGRAM} /scratch\n`);
      const output = await qemu.expect(PROMPT, 30_000, PROGRAM);
      assert.deepEqual(failedChecks(output), []);
      assert.match(output, /\nPASS\n/);
    });

    it("exit with status 0", async () => {
      qemu.send("echo $?\n");
      const output = await qemu.expect(PROMPT, 10_000, "echo $?");
      assert.match(output, /\n0\n/);
    });
  });
});
