// Hostile and careless programs against the kernel, part 1: malformed ELF
// files and hand-built programs that fault in every way ring 3 can
// (tools/hostile-elfs.ts makes both). Each must fail with a clear error or
// kill only its own process, and the shell must go on. The free-frame
// count that the kernel logs at every reap must return to where it was.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SerialSession } from "../../tools/serial-session.ts";
import { buildDir } from "../../tools/paths.ts";
import { malformedVariants } from "../../tools/hostile-elfs.ts";

const kernelLog = join(buildDir, "kernel-hostile-elf.log");

// Free frames after the latest reap, from "process: reaped pid N, wait
// status 0xS, F frames free" in the kernel log.
function framesFreeAfterLastReap(): number {
  const matches = [...readFileSync(kernelLog, "utf8").matchAll(/reaped pid \d+, wait status 0x[0-9a-f]+, (\d+) frames free/g)];
  assert.ok(matches.length > 0, "the kernel log has no reap line");
  return Number(matches[matches.length - 1][1]);
}

// Program under tests/raw, the exception the kernel reports, and the
// shell's status (128 + signal: 4 SIGILL, 5 SIGTRAP, 8 SIGFPE, 11 SIGSEGV).
// The IDT gates have DPL 0, so int3 and int 0x80 from ring 3 raise a
// general protection fault.
const faults: [string, string, number][] = [
  ["ud2", "invalid opcode", 132],
  ["int3", "general protection fault", 139],
  ["int80", "general protection fault", 139],
  ["hlt", "general protection fault", 139],
  ["cli", "general protection fault", 139],
  ["inb", "general protection fault", 139],
  ["divide", "divide error", 136],
  ["idiv-overflow", "divide error", 136],
  ["jump-noncanonical", "general protection fault", 139],
  ["jump-kernel", "page fault at 0xffff800000100000", 139],
  ["read-kernel", "page fault at 0xffff800000100000", 139],
  ["read-noncanonical", "general protection fault", 139],
  ["write-code", "page fault at 0x40007f", 139],
  ["exec-stack", "page fault at 0x7fff", 139],
  ["stack-overflow", "page fault at 0x7fff", 139],
  ["movaps-misaligned", "general protection fault", 139],
  ["load-kernel-ds", "general protection fault", 139],
  ["iretq", "page fault", 139],
  ["single-step", "debug exception", 133],
  ["noncanonical-rsp-syscall", "general protection fault", 139],
];

describe("hostile ELF files and faulting programs", function () {
  this.timeout(300_000);
  let session: SerialSession;
  let framesBefore = 0;

  before(async () => {
    session = new SerialSession({ append: "test=1", kernelLog });
    await session.waitForPrompt(60_000);
    // Warm-up runs of what the tests do, so that the shell's own pages are
    // in place before the count is taken.
    for (let i = 0; i < 3; i++) {
      await session.run("/tests/raw/exit0");
      await session.run("/tests/elf/bad-magic");
      await session.run("echo $?");
      await session.run("/tests/raw/exit0");
    }
    framesBefore = framesFreeAfterLastReap();
  });

  after(() => session?.kill());

  it("malformed ELF files fail with ENOEXEC", async () => {
    const names = [...malformedVariants().keys()].filter((name) => !name.startsWith("ok-") && name !== "memsz-64tib");
    assert.ok(names.length > 30, `only ${names.length} malformed files`);
    for (const name of names) {
      const path = `/tests/elf/${name}`;
      assert.equal(await session.run(path), `sh: ${path}: Exec format error\n`, name);
      assert.equal(await session.run("echo $?"), "126\n", name);
    }
  });

  it("segments past the image limit fail with ENOMEM", async () => {
    assert.equal(await session.run("/tests/elf/memsz-64tib"), "sh: /tests/elf/memsz-64tib: Cannot allocate memory\n");
  });

  it("unusual but valid ELF files run", async () => {
    for (const name of ["ok-overlapping", "ok-bss-1gib", "ok-unaligned-vaddr"]) {
      assert.equal(await session.run(`/tests/elf/${name}`), "", name);
      assert.equal(await session.run("echo $?"), "0\n", name);
    }
  });

  it("directory and data file are not executable", async () => {
    assert.equal(await session.run("/tests"), "sh: /tests: Permission denied\n");
    assert.equal(await session.run("/etc/motd"), "sh: /etc/motd: Permission denied\n");
  });

  it("each ring-3 fault kills only its process", async () => {
    for (const [name, report, status] of faults) {
      const output = await session.run(`/tests/raw/${name}`);
      assert.ok(output.includes(`: ${report}`), `${name}: ${JSON.stringify(output)}`);
      assert.match(output, /^pid \d+: [^\n]* rip 0x[0-9a-f]+\n$/, `${name}: one-line report`);
      assert.equal(await session.run("echo $?"), `${status}\n`, name);
    }
  });

  it("system call with rflags.NT set returns", async () => {
    assert.equal(await session.run("/tests/raw/nested-task-syscall"), "");
    assert.equal(await session.run("echo $?"), "0\n");
  });

  it("system calls with unmasked SSE exceptions return", async () => {
    assert.equal(await session.run("/tests/raw/mxcsr-syscall"), "");
    assert.equal(await session.run("echo $?"), "0\n");
  });

  it("unknown system-call numbers return", async () => {
    assert.equal(await session.run("/tests/raw/unknown-syscalls"), "");
    assert.equal(await session.run("echo $?"), "0\n");
  });

  it("free frames return after all of it", async () => {
    assert.equal(await session.run("/tests/raw/exit0"), "");
    assert.equal(framesFreeAfterLastReap(), framesBefore);
    assert.equal(await session.run("echo alive"), "alive\n");
  });
});
