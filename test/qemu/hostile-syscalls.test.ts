// Hostile and careless programs against the kernel, part 2: system calls
// with bad pointers, lengths and numbers, resource exhaustion and children
// that wreck their own address spaces (userland/tests/hostile-syscalls.ts).
// Each call must fail with the right errno, nothing may panic, and the
// free-frame count that the kernel logs at every reap must come back.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SerialSession } from "../../tools/serial-session.ts";
import { buildDir } from "../../tools/paths.ts";

const kernelLog = join(buildDir, "kernel-hostile-syscalls.log");
const program = "/tests/hostile-syscalls";

// Free frames after the latest reap, from "process: reaped pid N, wait
// status 0xS, F frames free" in the kernel log.
function framesFreeAfterLastReap(): number {
  const matches = [...readFileSync(kernelLog, "utf8").matchAll(/reaped pid \d+, wait status 0x[0-9a-f]+, (\d+) frames free/g)];
  assert.ok(matches.length > 0, "the kernel log has no reap line");
  return Number(matches[matches.length - 1][1]);
}

describe("hostile system calls", function () {
  this.timeout(300_000);
  let session: SerialSession;
  let framesBefore = 0;

  // Runs a mode of the test program and checks that it passed.
  async function runMode(mode: string, timeoutMs = 60_000): Promise<string> {
    const output = await session.run(`${program} ${mode}`, timeoutMs);
    assert.match(output, /PASS\n$/, output);
    assert.equal(await session.run("echo $?"), "0\n", mode);
    return output;
  }

  // Runs fork-storm and returns how many children it could fork.
  async function forkStormCount(): Promise<number> {
    return Number(/^forked (\d+)$/m.exec(await runMode("fork-storm", 120_000))![1]);
  }

  // Half of the orphans still run for a while, and init reaps them as they
  // end: polls until fork-storm forks `expected` children again.
  async function waitForForkStormCount(expected: number): Promise<number> {
    let count = 0;
    for (let attempt = 0; attempt < 20 && count < expected; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      count = await forkStormCount();
    }
    return count;
  }

  before(async () => {
    session = new SerialSession({ append: "test=1", kernelLog });
    await session.waitForPrompt(60_000);
    // init keeps two more pages after it reaped its first storm of orphans.
    const storm = await forkStormCount();
    await runMode("orphans", 120_000);
    await waitForForkStormCount(storm);
    // Warm-up runs, so that the shell's own pages are in place before the
    // count is taken.
    for (let i = 0; i < 3; i++) {
      await session.run(`${program} files`);
      await session.run("echo $?");
    }
    framesBefore = framesFreeAfterLastReap();
  });

  after(() => session?.kill());

  it("bad pointers and lengths fail cleanly", async () => {
    const output = await runMode("pointers");
    assert.match(output, /^read\(motd, 0xffff800000100000, 16\) = EFAULT$/m);
    assert.match(output, /^execve\(echo, 40000 empty arguments\) = E2BIG$/m);
    assert.match(output, /^syscall -1 = ENOSYS$/m);
  });

  it("resident list with huge lengths", async () => {
    await runMode("resident-list");
  });

  it("register rejects entries outside user space", async () => {
    for (const entry of ["0x800000000000", "0xffff800000100000", "-1"]) {
      await runMode(`register ${entry}`);
    }
    assert.equal(await session.run("resident -l"), "no resident binaries to list\n");
    // A later exec of the program runs its ELF file as before.
    await runMode("files");
  });

  it("register from a forked child", async () => {
    const output = await runMode("register-child");
    assert.match(output, /^pid \d+: page fault at 0x[0-9a-f]+ rip 0x[0-9a-f]+$/m);
    assert.equal(await session.run("resident -l"), "no resident binaries to list\n");
  });

  it("rename, rmdir and chdir games", async () => {
    await runMode("fs");
    assert.equal(await session.run("ls /"), "bin\netc\ntests\n");
  });

  it("mprotect games stay in their process", async () => {
    const output = await runMode("mprotect");
    assert.match(output, /^child writing a PROT_NONE page: wait status = 11$/m);
    assert.match(output, /^child reading a PROT_NONE page: wait status = 11$/m);
  });

  it("uid changes and root-only calls", async () => {
    await runMode("setuid");
  });

  it("open until EMFILE, then close", async () => {
    assert.match(await runMode("files"), /^open after \d+ files = EMFILE$/m);
  });

  it("children wreck only themselves", async () => {
    const output = await runMode("isolation");
    assert.equal(output.match(/^pid \d+: page fault at 0x[0-9a-f]+ rip 0x[0-9a-f]+$/gm)?.length, 3, output);
  });

  it("fork storm ends in EAGAIN", async () => {
    assert.match(await runMode("fork-storm", 120_000), /^fork after some children = EAGAIN$/m);
    assert.equal(await session.run("echo alive"), "alive\n");
  });

  it("init reaps a storm of orphans", async () => {
    const before = await forkStormCount();
    assert.match(await runMode("orphans", 120_000), /^fork after \d+ children = EAGAIN$/m);
    assert.equal(await waitForForkStormCount(before), before);
  });

  it("no free frame: fork, exec, register fail", async () => {
    const output = await runMode("exhaust", 120_000);
    assert.match(output, /^fork with no frame left = EAGAIN$/m);
    assert.match(output, /^execve with no frame left = ENOMEM$/m);
    assert.match(output, /^exec_sys_register with no frame left = ENOMEM$/m);
    assert.equal(await session.run("echo alive"), "alive\n");
  });

  it("memory.grow until no frame kills the process", async () => {
    const output = await session.run(`${program} grow`, 120_000);
    assert.match(output, /^pid \d+: out of memory at 0x[0-9a-f]+ rip 0x[0-9a-f]+\n$/);
    // 128 + SIGKILL, as from Linux's out-of-memory killer.
    assert.equal(await session.run("echo $?"), "137\n");
  });

  it("deep recursion traps with a message", async () => {
    const output = await session.run(`${program} recurse`);
    assert.match(output, /^trap: call stack exhausted in /);
    assert.equal(await session.run("echo $?"), "134\n");
  });

  it("file creation stops at ENOSPC", async () => {
    assert.match(await runMode("inodes", 120_000), /^create after \d+ files = ENOSPC$/m);
    assert.equal(await session.run("ls /"), "bin\netc\ntests\n");
  });

  it("kernel heap limits hold together", async () => {
    // Twice, so that the garbage of the first run is in the heap too.
    for (let i = 0; i < 2; i++) {
      const output = await runMode("heap", 120_000);
      assert.match(output, /^fork after \d+ zombies = EAGAIN$/m);
      assert.match(output, /^write after \d+ bytes in \d+ files = ENOSPC$/m);
      assert.match(output, /^mkdir after \d+ long names = ENOSPC$/m);
    }
    assert.equal(await session.run("ls /"), "bin\netc\ntests\n");
  });

  // The shell keeps one more page after a long line, so this runs first.
  it("free frames return after all of it", async () => {
    await session.run(`${program} files`);
    await session.run("echo $?");
    assert.equal(framesFreeAfterLastReap(), framesBefore);
  });

  it("long command line leaves the shell working", async () => {
    // The tty keeps at most 1023 bytes of a line; the rest is dropped.
    session.send(`echo ${"x".repeat(3000)}\n`);
    await session.expect(/\n# $/, 60_000);
    assert.equal(await session.run("echo alive"), "alive\n");
  });
});
