// Boots the kernel in QEMU and types at the shell through the serial
// console to check the tty line discipline: echo, erase, ^U, ^W, ^C, ^D,
// CR and lines longer than the input ring.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { SerialSession } from "../../tools/serial-session.ts";
import { buildDir } from "../../tools/paths.ts";

const PROMPT = /(?:^|\n)[#$] $/;
const ERASE = "\b \b";
// Capacity of the tty input ring (TTY_BUFFER_SIZE in kernel/drivers/tty.ts).
const TTY_BUFFER_SIZE = 1024;

describe("tty line discipline in QEMU", function () {
  this.timeout(120_000);
  let session: SerialSession;

  before(async () => {
    session = new SerialSession({ append: "test=1", kernelLog: join(buildDir, "kernel-tty.log") });
    await session.waitForPrompt(30_000);
  });

  after(() => session?.kill());

  // Sends `keys` as typed and returns the console text up to the next
  // prompt, split into the echoed line and the command's output.
  async function type(keys: string): Promise<{ echo: string; output: string }> {
    session.send(keys);
    const text = (await session.expect(PROMPT, 10_000, `typing ${JSON.stringify(keys)}`)).slice(0, -2);
    const newline = text.indexOf("\n");
    return { echo: text.slice(0, newline), output: text.slice(newline + 1) };
  }

  it("DEL erases the last character", async () => {
    const { echo, output } = await type("echo abc\x7f\x7fxy\n");
    assert.equal(echo, `echo abc${ERASE}${ERASE}xy`);
    assert.equal(output, "axy\n");
  });

  it("backspace erases the last character", async () => {
    const { echo, output } = await type("echo ab\bc\n");
    assert.equal(echo, `echo ab${ERASE}c`);
    assert.equal(output, "ac\n");
  });

  it("erase removes a whole UTF-8 character", async () => {
    const { echo, output } = await type("echo caf\u00e9\x7fe\n");
    assert.equal(echo, "echo caf\u00e9\b \be");
    assert.equal(output, "cafe\n");
  });

  it("erase stops at the start of the line", async () => {
    const { echo, output } = await type("\x7f\x7fecho z\n");
    assert.equal(echo, "echo z");
    assert.equal(output, "z\n");
  });

  it("^U erases the whole line", async () => {
    const { echo, output } = await type("echo junk\x15echo fresh\n");
    assert.equal(echo, "echo junk" + ERASE.repeat(9) + "echo fresh");
    assert.equal(output, "fresh\n");
  });

  it("^W erases the last word", async () => {
    const { echo, output } = await type("echo one two\x17three\n");
    assert.equal(echo, "echo one two" + ERASE.repeat(3) + "three");
    assert.equal(output, "one three\n");
  });

  it("^W erases blanks before the word", async () => {
    const { echo, output } = await type("echo one two \x17\x17x\n");
    assert.equal(echo, "echo one two " + ERASE.repeat(4) + ERASE.repeat(4) + "x");
    assert.equal(output, "x\n");
  });

  it("control characters echo as ^X", async () => {
    // Erasing ^A takes two columns back.
    const { echo, output } = await type("echo a\x01\x7fb\n");
    assert.equal(echo, "echo a^A" + ERASE + ERASE + "b");
    assert.equal(output, "ab\n");
  });

  it("^C discards the line", async () => {
    session.send("echo gone\x03");
    const discarded = await session.expect("^C\n", 10_000, "^C echo");
    assert.equal(discarded, "echo gone^C\n");
    const { echo, output } = await type("echo kept\n");
    assert.equal(echo, "echo kept");
    assert.equal(output, "kept\n");
  });

  it("CR ends the line like NL", async () => {
    const { echo, output } = await type("echo cr\r");
    assert.equal(echo, "echo cr");
    assert.equal(output, "cr\n");
  });

  it("^D after text returns the text without a newline", async () => {
    // The shell gets "echo part" from one read and " more\n" from the next.
    const { echo, output } = await type("echo part\x04 more\n");
    assert.equal(echo, "echo part more");
    assert.equal(output, "part more\n");
  });

  it("^D on an empty line ends the shell's input", async () => {
    // The shell exits at end of file and init starts a new one.
    session.send("\x04");
    await session.expect(PROMPT, 15_000, "prompt of the restarted shell");
    const { output } = await type("echo after\n");
    assert.equal(output, "after\n");
  });

  it("lines typed ahead are read in order", async () => {
    session.send("echo one\necho two\n");
    const first = await session.expect(PROMPT, 10_000, "first typed-ahead line");
    assert.match(first, /one\n/);
    const second = await session.expect(PROMPT, 10_000, "second typed-ahead line");
    assert.match(second, /two\n/);
  });

  it("a line longer than the ring keeps its start", async () => {
    const { output } = await type("echo " + "a".repeat(TTY_BUFFER_SIZE + 100) + "\n");
    // One byte of the ring is kept for the newline.
    assert.equal(output, "a".repeat(TTY_BUFFER_SIZE - 1 - "echo ".length) + "\n");
  });
});
