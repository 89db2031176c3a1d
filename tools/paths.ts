// Locations of the build outputs, shared by the build driver, the QEMU
// runner and the tests.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const buildDir = join(root, "build");
export const kernelElf = join(buildDir, "kernel", "kernel.elf");
export const initrdFile = join(buildDir, "initrd.cpio");
export const userDir = join(buildDir, "user");
