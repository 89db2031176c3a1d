// Console line discipline through QEMU's serial port: input typed before
// the shell starts, backspace, ^C and ^D.
import { strict as assert } from "node:assert";
import { SerialSession } from "../../tools/serial-session.ts";

describe("serial console tty", function () {
  this.timeout(60_000);
  let session: SerialSession;

  before(() => {
    session = new SerialSession({ append: "test=1" });
    // Typed while the firmware and kernel are still booting.
    session.send("echo typed ahead\n");
  });

  after(() => session?.kill());

  it("keeps input typed before boot", async () => {
    // The echo of the typed line comes early; the output follows a prompt.
    await session.expect("# typed ahead\n# ", 30_000);
  });

  it("backspace erases the last character", async () => {
    session.send("echo abx\x7fc\n");
    const output = await session.expect(/\n# $/, 10_000);
    assert.match(output, /\nabc\n# $/);
  });

  it("^C discards the line", async () => {
    session.send("echo discarded\x03");
    await session.expect("^C\n", 10_000);
    assert.equal(await session.run("echo kept"), "kept\n");
  });

  it("^D at an empty line ends cat", async () => {
    session.send("cat\n");
    session.send("line one\n");
    await session.expect("line one\nline one\n", 10_000);
    session.send("\x04");
    await session.waitForPrompt(10_000);
    assert.equal(await session.run("echo $?"), "0\n");
  });
});
