// `npm run qemu`: boots the kernel with the serial console on this
// terminal. Ctrl-A X quits QEMU; `poweroff` in the shell exits with status 0.
// Extra arguments are passed to QEMU, e.g. `npm run qemu -- -s -S` for gdb.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { qemuArgs } from "./qemu-args.ts";
import { kernelElf } from "./paths.ts";

if (!existsSync(kernelElf)) {
  process.stderr.write(`qemu: ${kernelElf} is missing; run npm run build\n`);
  process.exit(1);
}
const append = process.env.KERNEL_CMDLINE;
const args = [...qemuArgs({ append }), ...process.argv.slice(2)];
const qemu = spawn("qemu-system-x86_64", args, { stdio: "inherit" });
qemu.on("error", (error) => {
  process.stderr.write(`qemu: cannot start qemu-system-x86_64: ${error.message}\n`);
  process.exit(1);
});
qemu.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
