// Runs the user programs on this project's kernel in QEMU, for what the
// Linux host cannot check: the resident system calls, and how the kernel
// handles bad pointers and faults.
import { strict as assert } from "node:assert";
import { SerialSession } from "../../tools/serial-session.ts";
import { parseVerboseList } from "../qemu/resident-list.ts";

describe("user programs on the kernel", function () {
  this.timeout(120_000);
  let session: SerialSession;

  before(async () => {
    session = new SerialSession({ append: "test=1" });
    await session.waitForPrompt(30_000);
  });

  after(() => session?.kill());

  it("resident -l reports an empty list", async () => {
    assert.equal(await session.run("resident -l"), "no resident binaries to list\n");
  });

  it("resident -v counts execs, not ELF loads", async () => {
    assert.equal(await session.run("resident /bin/echo"), "");
    const before = parseVerboseList(await session.run("resident -v -l"));
    assert.equal(before.length, 1);
    assert.equal(before[0].path, "/bin/echo");
    assert.equal(await session.run("echo one"), "one\n");
    assert.equal(await session.run("echo two"), "two\n");
    const after = parseVerboseList(await session.run("resident -v -l"));
    assert.equal(after[0].execs, before[0].execs + 2);
    assert.equal(after[0].elfLoads, before[0].elfLoads);
  });

  it("resident -d unregisters a resident program", async () => {
    assert.equal(await session.run("resident -d /bin/echo"), "");
    assert.equal(await session.run("resident -l"), "no resident binaries to list\n");
    assert.equal(await session.run("echo still runs"), "still runs\n");
  });

  it("resident -d of a plain program is not found", async () => {
    assert.equal(await session.run("resident -d /bin/echo"), "/bin/echo: entry not found\n");
    assert.equal(await session.run("echo $?"), "1\n");
  });

  it("resident rejects a program without the hook", async () => {
    const output = await session.run("resident /bin/hello-ld");
    assert.match(output, /resident: \/bin\/hello-ld: not registered/);
    assert.equal(await session.run("echo $?"), "1\n");
    assert.equal(await session.run("resident -l"), "no resident binaries to list\n");
  });

  it("resident -x with an unknown id fails", async () => {
    assert.equal(await session.run("resident -x 99"), "resident: id 99: not registered\n");
    assert.equal(await session.run("echo $?"), "1\n");
  });

  it("bad buffers give EFAULT", async () => {
    const output = await session.run("/tests/efault");
    assert.match(output, /PASS\n$/);
    assert.equal(await session.run("echo $?"), "0\n");
  });

  it("setuid-register gets EPERM twice", async () => {
    const output = await session.run("/tests/setuid-register");
    assert.match(output, /exec_sys_register = -1 EPERM/);
    assert.match(output, /exec_sys_unregister\(-2\) = -1 EPERM/);
    assert.equal(await session.run("echo $?"), "0\n");
  });

  for (const mode of ["read", "kernel"]) {
    it(`fault ${mode} kills only that process`, async () => {
      const output = await session.run(`/tests/fault ${mode}`);
      assert.match(output, new RegExp(`^fault: ${mode}\\n`));
      assert.equal(await session.run("echo $?"), "139\n");
    });
  }

  it("cd and pwd work on the RAM file system", async () => {
    assert.equal(await session.run("cd /etc"), "");
    assert.equal(await session.run("pwd"), "/etc\n");
    assert.equal(await session.run("ls"), "motd\n");
    assert.equal(await session.run("cd /"), "");
  });

  it("ls -l shows executable modes", async () => {
    const output = await session.run("ls -l /bin");
    assert.match(output, /^-rwxr-xr-x +\d+ sh$/m);
    assert.match(output, /^-rwxr-xr-x +\d+ hello-ld$/m);
  });

  it("cat copies console input until ^D", async () => {
    session.send("cat\n");
    await session.expect("cat\n", 10_000, "echo of cat");
    // The tty echoes each line as it is typed, then cat prints it.
    session.send("first line\n");
    await session.expect("first line\nfirst line\n", 10_000, "first line twice");
    session.send("second\n");
    await session.expect("second\nsecond\n", 10_000, "second line twice");
    session.send("\x04");
    await session.expect(/\n?# $/, 10_000, "prompt after ^D");
    assert.equal(await session.run("echo $?"), "0\n");
  });

  it("init restarts the shell after exit", async () => {
    assert.equal(await session.run("exit 3"), "");
    assert.equal(await session.run("echo back"), "back\n");
    assert.equal(await session.run("echo $?"), "0\n");
  });
});
