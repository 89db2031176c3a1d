// Kernel faults on purpose (`crashtest=KIND`) and checks the panic report
// on the console and QEMU's exit status 3 from isa-debug-exit under test.
import { strict as assert } from "node:assert";
import { SerialSession } from "../../tools/serial-session.ts";

// isa-debug-exit makes QEMU exit with (value << 1) | 1; a panic writes 1.
const PANIC_STATUS = 3;

async function crash(kind: string): Promise<{ report: string; status: number }> {
  const session = new SerialSession({ append: `test=1 crashtest=${kind}` });
  try {
    const status = await session.waitForExit(30_000);
    const report = session.transcript.slice(session.transcript.indexOf("panic:"));
    return { report, status };
  } finally {
    session.kill();
  }
}

describe("kernel panic report in QEMU", function () {
  this.timeout(60_000);

  it("page fault names vector, rip, cr2", async () => {
    const { report, status } = await crash("page-fault");
    assert.equal(status, PANIC_STATUS);
    assert.match(report, /^panic: trap: page fault \(vector 14\) in the kernel, error code 0x0\n/);
    assert.match(report, /\n {2}rip 0xffff8000[0-9a-f]{8} kernel\/index\/kmain\+0x[0-9a-f]+\n/);
    assert.match(report, /\n {2}cr2 0x0000000000001000\n/);
    assert.match(report, / {2}rflags 0x[0-9a-f]{16} {2}cs 0x0{14}08\n/);
    assert.match(report, /\nbacktrace:\n {2}#0 0xffff8000[0-9a-f]{8} /);
  });

  it("WebAssembly trap names the function", async () => {
    const { report, status } = await crash("unreachable");
    assert.equal(status, PANIC_STATUS);
    assert.match(report, /^panic: aot: unreachable in kernel\/index\/kmain\n/);
    assert.match(report, /\nbacktrace:\n/);
  });

  it("failed assertion shows message and place", async () => {
    const { report, status } = await crash("abort");
    assert.equal(status, PANIC_STATUS);
    assert.match(
      report,
      /^panic: abort: crashtest: assertion failed on purpose at kernel\/panic\/crashtest\.ts:\d+:\d+\n/,
    );
    assert.match(report, /\nbacktrace:\n {2}#0 0xffff8000[0-9a-f]{8} kernel\/index\/kmain\+0x[0-9a-f]+\n/);
  });
});
