// Checks for the native tools the build and tests need and installs the
// missing ones from Debian's packages when running as root with apt-get.
// Otherwise it prints the exact command to run and exits with status 1.
// Plain JavaScript so that it runs before anything else is built.
import { execFileSync, spawnSync } from "node:child_process";

// Command on PATH -> Debian package that provides it.
const required = [
  ["nasm", "nasm"],
  ["ld", "binutils"],
  ["qemu-system-x86_64", "qemu-system-x86"],
  ["cpio", "cpio"],
  // The compiler's tests and the spec suite convert text modules.
  ["wat2wasm", "wabt"],
  ["wast2json", "wabt"],
];

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
}

function missingPackages(list) {
  return list.filter(([command]) => !onPath(command)).map(([, pkg]) => pkg);
}

const missing = [...new Set(missingPackages(required))];
if (missing.length === 0) process.exit(0);

const isRoot = process.getuid?.() === 0;
if (isRoot && onPath("apt-get")) {
  console.error(`setup: installing ${missing.join(" ")} with apt-get`);
  try {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    execFileSync("apt-get", ["install", "-y", "-qq", ...missing], {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  } catch (error) {
    console.error(`setup: apt-get failed: ${error.message}`);
    process.exit(1);
  }
  const still = [...new Set(missingPackages(required))];
  if (still.length === 0) process.exit(0);
  console.error(`setup: still missing after apt-get: ${still.join(" ")}`);
  process.exit(1);
}

console.error(
  `setup: missing native tools. Install them with:\n` +
    `  sudo apt-get install -y ${missing.join(" ")}`,
);
process.exit(1);
