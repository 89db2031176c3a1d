// Input that a script sends before the kernel has set up the console must
// reach the shell: QEMU keeps it while the firmware and kernel boot.
import { SerialSession } from "../../tools/serial-session.ts";

describe("serial console at boot", function () {
  this.timeout(60_000);
  let session: SerialSession;

  after(() => session?.kill());

  it("keeps input typed before boot", async () => {
    session = new SerialSession({ append: "test=1" });
    session.send("echo typed ahead\n");
    // The tty echoes the line when it arrives; the output follows a prompt.
    await session.expect("# typed ahead\n# ", 30_000);
  });
});
