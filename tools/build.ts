// Build driver: kernel image, user programs and the initrd.
//
//   kernel/**/*.ts --asc--> kernel.wasm --aot--> kernel.asm --nasm--+
//   boot/*.asm, arch/x86_64/*.asm --nasm-----------------------------+--ld--> kernel.elf
//   userland/bin/NAME.ts --asc--> NAME.wasm --aot (user)--> NAME
//   userland/hello-ld/hello.asm --nasm, ld--> hello-ld
//   build/user/* + userland/root/** --mkinitrd--> initrd.cpio
//
// Each step is skipped when the hash of its inputs matches the one stored in
// build/.stamps from the last successful run and its outputs exist.
// Progress goes to stderr, so that stdout stays free for the console.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileModule } from "./aot/index.ts";
import { writeInitrd } from "./mkinitrd.ts";
import { checkKernelImage } from "./kernel-image.ts";
import { buildDir, initrdFile, kernelElf, root, userDir } from "./paths.ts";


const stampDir = join(buildDir, ".stamps");

function log(message: string): void {
  process.stderr.write(`build: ${message}\n`);
}

// Lists the files under `path` (or `path` itself) whose names end in one of
// `extensions`, sorted so that the input hash does not depend on readdir.
function listFiles(path: string, extensions: string[] = []): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [full];
  const found: string[] = [];
  for (const entry of readdirSync(full, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) found.push(...listFiles(child, extensions));
    else if (
      extensions.length === 0 ||
      extensions.some((ext) => entry.name.endsWith(ext))
    )
      found.push(join(root, child));
  }
  return found.sort();
}

function hashFiles(files: string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

// Runs `work` unless the inputs are unchanged since its last success and
// every output exists. Returns true when it ran.
async function step(
  name: string,
  inputs: string[],
  outputs: string[],
  work: () => Promise<void> | void,
): Promise<boolean> {
  const stamp = join(stampDir, name.replace(/[^\w.-]/g, "_"));
  const digest = hashFiles(inputs);
  const upToDate =
    existsSync(stamp) &&
    readFileSync(stamp, "utf8") === digest &&
    outputs.every((output) => existsSync(output));
  if (upToDate) return false;
  log(name);
  await work();
  mkdirSync(stampDir, { recursive: true });
  writeFileSync(stamp, digest);
  return true;
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    throw new Error(`${command} ${args.join(" ")} failed`);
  }
}

async function runAsc(entry: string, target: string, outFile: string): Promise<void> {
  mkdirSync(dirname(outFile), { recursive: true });
  const args = [
    relative(root, entry),
    "--config",
    join(root, "asconfig.json"),
    "--target",
    target,
    "--outFile",
    outFile,
  ];
  // Loaded on first use: importing asc (and Binaryen with it) takes
  // seconds, which a build with nothing to do should not pay.
  const { default: asc } = await import("assemblyscript/asc");
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(args, { stdout: process.stderr, stderr });
  if (error) {
    throw new Error(`asc ${relative(root, entry)}:\n${stderr.toString()}${error.message}`);
  }
}

const compilerSources = () => listFiles("tools/aot", [".ts"]);
const intrinsics = () => [
  join(root, "arch/x86_64/intrinsics.ts"),
  join(root, "asconfig.json"),
];

async function buildKernel(): Promise<void> {
  const dir = join(buildDir, "kernel");
  const wasm = join(dir, "kernel.wasm");
  const asm = join(dir, "kernel.asm");

  await step("kernel.wasm", [...listFiles("kernel", [".ts"]), ...intrinsics()], [wasm], () =>
    runAsc(join(root, "kernel/index.ts"), "kernel", wasm),
  );
  await step("kernel.asm", [wasm, ...compilerSources()], [asm], () => {
    writeFileSync(asm, compileModule(readFileSync(wasm), { target: "kernel" }));
  });

  const sources = [asm, ...listFiles("boot", [".asm"]), ...listFiles("arch/x86_64", [".asm"])];
  const objects: string[] = [];
  for (const source of sources) {
    const object = join(dir, "obj", basename(source).replace(/\.asm$/, ".o"));
    objects.push(object);
    const includes = listFiles(relative(root, dirname(source)), [".inc"]);
    await step(`nasm ${relative(root, source)}`, [source, ...includes], [object], () => {
      mkdirSync(dirname(object), { recursive: true });
      run("nasm", ["-f", "elf64", "-g", "-F", "dwarf", "-I", dirname(source) + "/", "-o", object, source]);
    });
  }

  const script = join(root, "arch/x86_64/kernel.ld");
  await step("kernel.elf", [...objects, script], [kernelElf], () => {
    // The image is one RWX segment to the loader and to the kernel's own
    // 2 MiB mappings, so ld's warning about it carries no news.
    // FIXME: map the kernel's text read-only and its data non-executable.
    run("ld", ["-n", "--no-warn-rwx-segments", "-T", script, "-o", kernelElf, ...objects]);
    checkKernelImage(kernelElf, readMemoryBase());
  });
}

// The kernel's static data starts at asc's --memoryBase; the image must end
// below it.
function readMemoryBase(): number {
  const config = JSON.parse(readFileSync(join(root, "asconfig.json"), "utf8"));
  const base = config.targets?.kernel?.memoryBase;
  if (typeof base !== "number") {
    throw new Error("asconfig.json: targets.kernel.memoryBase must be a decimal number");
  }
  return base;
}

// Builds each userland/FOLDER/NAME.ts into build/user/NAME.
async function buildPrograms(folder: string): Promise<string[]> {
  const dir = userDir;
  const runtime = [
    ...listFiles("userland/runtime", [".ts"]),
    ...listFiles("userland/lib", [".ts"]),
    // The runtime takes the errno numbers from the kernel's list.
    join(root, "kernel/lib/errno.ts"),
  ];
  const executables: string[] = [];

  for (const source of listFiles(folder, [".ts"])) {
    const name = basename(source, ".ts");
    const wasm = join(dir, `${name}.wasm`);
    const executable = join(dir, name);
    await step(`user ${name}.wasm`, [source, ...runtime, ...intrinsics()], [wasm], () =>
      runAsc(source, "user", wasm),
    );
    await step(`user ${name}`, [wasm, ...compilerSources()], [executable], () => {
      const asm = join(dir, `${name}.asm`);
      writeFileSync(asm, compileModule(readFileSync(wasm), { target: "user" }));
      run("nasm", ["-f", "bin", "-o", executable, asm]);
      chmodSync(executable, 0o755);
    });
    executables.push(executable);
  }
  return executables;
}

// Assembles and links hello-ld with nasm and GNU ld, so that the kernel's
// ELF loader also runs a file that our compiler did not lay out.
async function buildHelloLd(): Promise<string> {
  const source = join(root, "userland/hello-ld/hello.asm");
  const object = join(userDir, "hello-ld.o");
  const executable = join(userDir, "hello-ld");
  await step("user hello-ld", [source], [executable], () => {
    mkdirSync(userDir, { recursive: true });
    run("nasm", ["-f", "elf64", "-o", object, source]);
    run("ld", ["-static", "-o", executable, object]);
  });
  return executable;
}

async function buildInitrd(executables: string[], testPrograms: string[]): Promise<void> {
  const inputs = [
    ...executables,
    ...testPrograms,
    ...listFiles("userland/root"),
    join(root, "tools/mkinitrd.ts"),
    join(root, "tools/hostile-elfs.ts"),
  ];
  await step("initrd.cpio", inputs, [initrdFile], () =>
    writeInitrd(initrdFile, executables, join(root, "userland/root"), testPrograms),
  );
}

export async function build(): Promise<void> {
  mkdirSync(buildDir, { recursive: true });
  const executables = await buildPrograms("userland/bin");
  executables.push(await buildHelloLd());
  const testPrograms = await buildPrograms("userland/tests");
  await buildInitrd(executables, testPrograms);
  await buildKernel();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((error: Error) => {
    process.stderr.write(`build: ${error.message}\n`);
    process.exit(1);
  });
}
