// Boots with `selftest=1` and checks the kernel's TAP report of its
// in-kernel self-tests (paging and copy-on-write, the ELF loader against
// malformed images).
import { strict as assert } from "node:assert";
import { SerialSession } from "../../tools/serial-session.ts";

describe("kernel self-tests in QEMU", function () {
  this.timeout(60_000);
  let session: SerialSession;
  let report = "";

  before(async () => {
    session = new SerialSession({ append: "test=1 selftest=1" });
    report = await session.expect(/\n1\.\.\d+\n/, 30_000, "TAP plan");
  });

  after(() => session?.kill());

  it("reports a TAP plan", () => {
    assert.match(report, /TAP version 13\n/);
  });

  it("passes every check", () => {
    const failed = report.split("\n").filter((line) => line.startsWith("not ok"));
    assert.deepEqual(failed, []);
  });

  it("runs every planned check", () => {
    const planned = Number(/\n1\.\.(\d+)\n/.exec(report)![1]);
    const ran = report.split("\n").filter((line) => /^(not )?ok \d+ /.test(line)).length;
    assert.equal(ran, planned);
    assert.ok(planned >= 20, `only ${planned} checks`);
  });

  it("boots to the shell afterwards", async () => {
    await session.waitForPrompt(30_000);
  });
});
