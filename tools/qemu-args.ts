// Command line for qemu-system-x86_64, shared by `npm run qemu` and the
// serial-console test suites.
import { join } from "node:path";
import { buildDir, initrdFile, kernelElf } from "./paths.ts";

export interface QemuOptions {
  // Kernel command line, e.g. "test=1".
  append?: string;
  // "mon:stdio" lets Ctrl-A X quit an interactive session; tests use "stdio".
  serial?: "stdio" | "mon:stdio";
  // Guest instruction counting for deterministic measurements (-icount).
  icount?: number;
  memoryMiB?: number;
  kernelLog?: string;
}

export function qemuArgs(options: QemuOptions = {}): string[] {
  const args = [
    "-kernel", kernelElf,
    "-initrd", initrdFile,
    "-serial", options.serial ?? "mon:stdio",
    "-display", "none",
    "-no-reboot",
    "-nic", "none",
    // TCG's "max" model has NX, SMEP and SMAP; the default qemu64 lacks the
    // last two.
    "-cpu", "max",
    "-m", `${options.memoryMiB ?? 256}M`,
    // The guest ends a test run with a status through port 0xF4; QEMU exits
    // with (value << 1) | 1.
    "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-debugcon", `file:${options.kernelLog ?? join(buildDir, "kernel.log")}`,
  ];
  if (options.append) args.push("-append", options.append);
  if (options.icount !== undefined) args.push("-icount", `shift=${options.icount}`);
  return args;
}
