// Boots the kernel in QEMU and checks that ^C sends SIGINT and ^\ sends
// SIGQUIT to the program on the console, whether it loops, reads the
// terminal, sleeps or waits for a child, while the shell and init survive.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SerialSession } from "../../tools/serial-session.ts";
import { buildDir } from "../../tools/paths.ts";

const PROMPT = /(?:^|\n)[#$] $/;
const kernelLog = join(buildDir, "kernel-interrupt.log");
// Shell status of a process killed by signal n: 128 + n.
const STATUS_SIGINT = "130\n";
const STATUS_SIGQUIT = "131\n";

describe("^C and ^\\ in QEMU", function () {
  this.timeout(120_000);
  let session: SerialSession;

  before(async () => {
    session = new SerialSession({ append: "test=1", kernelLog });
    await session.waitForPrompt(30_000);
  });

  after(() => session?.kill());

  // Types `command`, waits for `started` in its output, then sends `key`
  // and returns the console text up to the next prompt. A signal sent
  // before the program has started would reach only the shell.
  async function interrupt(command: string, started: string | RegExp, key = "\x03"): Promise<string> {
    session.send(`${command}\n`);
    const start = await session.expect(started, 10_000, `${command}: start`);
    session.send(key);
    return start + (await session.expect(PROMPT, 10_000, `${command}: prompt after the signal`));
  }

  // Polls the kernel log until `pattern` appears, for up to five seconds.
  async function waitForKernelLog(pattern: RegExp): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!pattern.test(readFileSync(kernelLog, "utf8"))) {
      if (Date.now() > deadline) assert.fail(`kernel log lacks ${pattern}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  // Starts cat and waits until it copies a line, so that it is reading the
  // terminal, then sends ^C. Returns the console text up to the prompt.
  async function interruptCat(): Promise<string> {
    session.send("cat\n");
    await session.expect("cat\n", 10_000, "cat: echo");
    session.send("ready\n");
    await session.expect("ready\nready\n", 10_000, "cat: copied line");
    session.send("\x03");
    return session.expect(PROMPT, 10_000, "cat: prompt after the signal");
  }

  it("^C ends cat reading the terminal", async () => {
    const text = await interruptCat();
    assert.match(text, /\^C\n[#$] $/);
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
  });

  it("^C ends a program that loops", async () => {
    const text = await interrupt("/tests/spin", "spin: looping, SIGINT default\n");
    assert.match(text, /\^C\n[#$] $/);
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
  });

  it("^C ends a program in nanosleep", async () => {
    const text = await interrupt("/tests/spin sleep", "spin: sleeping, SIGINT default\n");
    assert.match(text, /\^C\n[#$] $/);
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
  });

  it("^C ends a parent in wait4 and its child", async () => {
    const text = await interrupt("/tests/spin wait", /spin: waiting for child \d+, SIGINT default\n/);
    const child = /waiting for child (\d+)/.exec(text)![1];
    assert.match(text, /\^C\n[#$] $/);
    assert.doesNotMatch(text, /child ended/);
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
    // The orphaned child goes to init, which reaps it with status SIGINT.
    const reaped = new RegExp(`reaped pid ${child}, wait status 0x2,`);
    await waitForKernelLog(reaped);
  });

  it("rt_sigaction checks and fork inheritance", async () => {
    const output = await session.run("/tests/sigaction");
    assert.doesNotMatch(output, /FAIL/);
    assert.match(output, /PASS\n$/);
  });

  it("SIG_IGN survives execve and ^\\ still quits", async () => {
    session.send("/tests/spin ignore\n");
    await session.expect("spin: looping, SIGINT ignored\n", 10_000, "spin ignore: start");
    session.send("\x03");
    await session.expect("^C\n", 10_000, "^C echo");
    // The program must still be running: no prompt within a second.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.doesNotMatch(session.transcript.slice(-4), PROMPT);
    session.send("\x1c");
    const text = await session.expect(PROMPT, 10_000, "prompt after ^\\");
    assert.match(text, /^\^\\\n[#$] $/);
    assert.equal(await session.run("echo $?"), STATUS_SIGQUIT);
  });

  it("^C in a nested shell ends only the program", async () => {
    session.send("sh\n");
    await session.expect(PROMPT, 10_000, "prompt of the nested shell");
    await interruptCat();
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
    // Leaving the nested shell returns to the first one, whose last
    // command was the nested shell itself.
    assert.equal(await session.run("exit 7"), "");
    assert.equal(await session.run("echo $?"), "7\n");
  });

  it("^C at an empty prompt prints ^C and keeps the shell", async () => {
    session.send("\x03");
    assert.equal(await session.expect("^C\n", 10_000, "^C echo"), "^C\n");
    assert.equal(await session.run("echo ok"), "ok\n");
  });

  it("^C after typed text discards the line", async () => {
    session.send("echo gone\x03");
    assert.equal(await session.expect("^C\n", 10_000, "^C echo"), "echo gone^C\n");
    assert.equal(await session.run("echo ok"), "ok\n");
  });

  it("shell and init survive repeated ^C", async () => {
    for (let i = 0; i < 3; i++) await interruptCat();
    assert.equal(await session.run("echo $?"), STATUS_SIGINT);
    assert.equal(await session.run("echo ok"), "ok\n");
  });
});
