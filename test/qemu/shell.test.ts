// Boots the kernel in QEMU and drives the shell through the serial console:
// the session the README shows, resident executables, and bad input that
// must fail with an error while the shell goes on.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SerialSession } from "../../tools/serial-session.ts";
import { parseVerboseList } from "./resident-list.ts";
import { root } from "../../tools/paths.ts";

describe("serial shell in QEMU", function () {
  this.timeout(120_000);
  let session: SerialSession;

  before(async () => {
    session = new SerialSession({ append: "test=1" });
    await session.waitForPrompt(30_000);
  });

  after(() => session?.kill());

  it("echo prints its arguments", async () => {
    assert.equal(await session.run("echo hello world"), "hello world\n");
  });

  it("ls /bin lists the programs", async () => {
    const names = (await session.run("ls /bin")).split(/\s+/);
    for (const name of ["sh", "init", "echo", "cat", "ls", "hello", "hello-ld", "resident", "poweroff"]) {
      assert.ok(names.includes(name), `ls /bin lacks ${name}: ${names.join(" ")}`);
    }
  });

  it("cat /etc/motd prints the file", async () => {
    const motd = readFileSync(join(root, "userland/root/etc/motd"), "utf8");
    assert.equal(await session.run("cat /etc/motd"), motd);
  });

  it("hello prints argv and envp", async () => {
    const output = await session.run("hello a b c");
    assert.match(output, /argv\[0\] = hello\n/);
    assert.match(output, /argv\[1\] = a\nargv\[2\] = b\nargv\[3\] = c\n/);
    assert.match(output, /envp\[\d+\] = PATH=\/bin\n/);
  });

  it("runs a program linked by GNU ld", async () => {
    const output = await session.run("/bin/hello-ld one two");
    assert.match(output, /hello from ld/);
    assert.match(output, /argc = 3/);
  });

  it("unknown command prints not found with status 127", async () => {
    assert.equal(await session.run("nosuch"), "sh: nosuch: not found\n");
    assert.equal(await session.run("echo $?"), "127\n");
  });

  it("resident exec runs from the snapshot", async () => {
    const plain = await session.run("hello x");
    const plainByPath = await session.run("/bin/hello x");
    assert.equal(await session.run("resident /bin/hello"), "");
    const listing = await session.run("resident -l");
    assert.match(listing, /^\s*Id\s+Size\s+Address\s+Executable\s*\n/);
    assert.match(listing, /\n\s*1\s+\d+\s+0x[0-9a-f]+\s+\/bin\/hello\s*\n/);

    const before = parseVerboseList(await session.run("resident -v -l"));
    assert.equal(before.length, 1);
    assert.equal(await session.run("hello x"), plain);
    assert.equal(await session.run("/bin/hello x"), plainByPath);
    const after = parseVerboseList(await session.run("resident -v -l"));
    assert.equal(after[0].execs, before[0].execs + 2, "exec count rises by two");
    assert.equal(after[0].elfLoads, before[0].elfLoads, "the ELF file was not parsed again");
  });

  it("resident register twice fails with EEXIST", async () => {
    const output = await session.run("resident /bin/hello");
    assert.equal(output, "resident: /bin/hello: binary already resident\n");
    assert.equal(await session.run("echo $?"), "1\n");
  });

  it("resident -x and -R unregister", async () => {
    assert.equal(await session.run("resident -x 1"), "");
    assert.doesNotMatch(await session.run("resident -l"), /\/bin\/hello/);
    assert.match(await session.run("resident -x 1"), /resident/);
    assert.equal(await session.run("resident /bin/hello"), "");
    assert.equal(await session.run("resident /bin/cat"), "");
    assert.equal(await session.run("resident -R"), "");
    assert.doesNotMatch(await session.run("resident -l"), /\/bin\//);
    assert.match(await session.run("hello y"), /argv\[1\] = y/);
  });

  it("exec_sys_register after setuid(1000) fails with EPERM", async () => {
    const output = await session.run("/tests/setuid-register");
    assert.match(output, /EPERM/);
    assert.doesNotMatch(await session.run("resident -l"), /setuid-register/);
  });

  it("truncated ELF fails and the shell goes on", async () => {
    assert.match(await session.run("/tests/truncated"), /Exec format error/);
    assert.equal(await session.run("echo $?"), "126\n");
    assert.equal(await session.run("echo still here"), "still here\n");
  });

  it("wrong-machine ELF fails and the shell goes on", async () => {
    assert.match(await session.run("/tests/wrong-machine"), /Exec format error/);
    assert.equal(await session.run("echo still here"), "still here\n");
  });

  it("user fault kills only that process", async () => {
    const output = await session.run("/tests/fault");
    assert.match(output, /page fault/);
    assert.equal(await session.run("echo $?"), "139\n");
    assert.equal(await session.run("echo alive"), "alive\n");
  });

  it("sh runs -c and script arguments without a prompt", async () => {
    assert.equal(await session.run("sh -c 'echo $0 $1' name one"), "name one\n");
    assert.equal(await session.run("sh /nosuch"), "sh: /nosuch: No such file or directory\n");
    assert.equal(await session.run("echo $?"), "127\n");
    assert.match(await session.run("sh -z"), /^sh: invalid option -- 'z'\nusage: sh /);
    assert.equal(await session.run("echo $?"), "2\n");
  });

  it("escapes an arrow key in not found", async () => {
    // The tty echoes ESC as "^[", and the shell names the word the same way.
    session.send("\x1b[A\n");
    const text = await session.expect(/\n[#$] $/, 10_000, "prompt after the arrow key");
    assert.equal(text, "^[[A\nsh: ^[[A: not found\n# ");
  });

  it("init from the shell exits with 1", async () => {
    for (const command of ["init", "init -z"]) {
      assert.equal(await session.run(command), "init: must be run as process 1\n");
      assert.equal(await session.run("echo $?"), "1\n");
    }
  });

  it("^D at the prompt ends the line", async () => {
    // The shell ends the prompt's line, exits, and init starts a new shell
    // whose prompt starts a line of its own.
    session.send("\x04");
    assert.equal(await session.expect(/[#$] $/, 15_000, "prompt of the restarted shell"), "\n# ");
    assert.equal(await session.run("echo after"), "after\n");
  });

  it("poweroff rejects an argument and stays up", async () => {
    const usage = "usage: poweroff\n";
    assert.equal(await session.run("poweroff -z"), "poweroff: invalid option -- 'z'\n" + usage);
    assert.equal(await session.run("echo $?"), "1\n");
    assert.equal(await session.run("poweroff now"), "poweroff: unexpected argument 'now'\n" + usage);
    assert.equal(await session.run("echo still up"), "still up\n");
  });

  it("poweroff exits QEMU with status 0", async () => {
    session.send("poweroff\n");
    assert.equal(await session.waitForExit(15_000), 0);
  });
});
