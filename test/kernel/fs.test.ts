// Host tests of the RAM file system: test/kernel/harness/fs.ts compiled by
// asc with the kernel's memory layout, run under node, and fed archives
// that GNU cpio writes (Debian package cpio, which `npm run setup`
// installs).
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { buildDir, root } from "../../tools/paths.ts";

// Where the archive goes in linear memory: below asc's --memoryBase
// (16 MiB), as the boot loader puts the initrd module.
const INITRD_ADDRESS = 0x100000;
const PATH_SLOT = 8192;

// Linux values, as kernel/lib/errno.ts and kernel/fs/openfile.ts use.
const ENOENT = 2;
const EACCES = 13;
const EEXIST = 17;
const ENOTDIR = 20;
const EISDIR = 21;
const EINVAL = 22;
const ENAMETOOLONG = 36;
const ENOTEMPTY = 39;
const O_RDONLY = 0;
const O_WRONLY = 1;
const O_RDWR = 2;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_TRUNC = 0o1000;
const O_APPEND = 0o2000;
const O_DIRECTORY = 0o200000;
const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;
const DT_DIR = 4;
const DT_REG = 8;

interface HarnessExports {
  memory: WebAssembly.Memory;
  scratch(): number;
  initFromArchive(address: number, length: number): void;
  lookupIno(pathLength: number, cwdLength: number): number;
  resolveError(pathLength: number, cwdLength: number, uid: number): number;
  generationOf(pathLength: number): number;
  nlinkOf(pathLength: number): number;
  absolutePath(pathLength: number): number;
  open(pathLength: number, cwdLength: number, uid: number, flags: number, mode: number): number;
  read(handle: number, dst: number, len: number): bigint;
  write(handle: number, src: number, len: number): bigint;
  seek(handle: number, offset: bigint, whence: number): bigint;
  stat(handle: number, dst: number): void;
  getdents(handle: number, dst: number, len: number): bigint;
  close(handle: number): void;
  mkdir(pathLength: number, uid: number, mode: number): number;
  unlink(pathLength: number, uid: number): number;
  rmdir(pathLength: number, uid: number): number;
  rename(oldLength: number, newLength: number, uid: number): number;
  contentBytes(): bigint;
  readLog(): number;
}

interface Stat {
  ino: bigint;
  nlink: bigint;
  mode: number;
  uid: number;
  gid: number;
  size: bigint;
  blksize: bigint;
  blocks: bigint;
}

interface Dirent {
  ino: bigint;
  off: bigint;
  reclen: number;
  type: number;
  name: string;
}

let harnessModule: WebAssembly.Module;

async function compileHarness(): Promise<WebAssembly.Module> {
  const outFile = join(buildDir, "test", "fs-harness.wasm");
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(
    [
      join(root, "test/kernel/harness/fs.ts"),
      "--runtime", "incremental",
      "--memoryBase", "16777216",
      "--initialMemory", "768",
      "--maximumMemory", "768",
      "-O3",
      "--debug",
      "--outFile", outFile,
    ],
    { stderr },
  );
  if (error) throw new Error(`asc failed:\n${stderr.toString()}${error.message}`);
  return new WebAssembly.Module(readFileSync(outFile));
}

// One instance of the harness: a kernel heap, log and file system of its
// own.
class Kernel {
  readonly exports: HarnessExports;
  // Bytes written to QEMU's debug console port 0xE9.
  readonly debugcon: number[] = [];
  readonly scratch: number;

  constructor(module: WebAssembly.Module) {
    let memory: WebAssembly.Memory | undefined;
    const instance = new WebAssembly.Instance(module, {
      x86: {
        outb: (port: number, value: number) => {
          if ((port & 0xffff) === 0xe9) this.debugcon.push(value & 0xff);
        },
        // LSR with the transmitter empty, so console output never waits.
        inb: () => 0x20,
      },
      env: {
        abort: (message: number, file: number, line: number, column: number) => {
          throw new Error(`abort: ${readAscString(memory!, message)} at ${readAscString(memory!, file)}:${line}:${column}`);
        },
      },
    });
    this.exports = instance.exports as unknown as HarnessExports;
    memory = this.exports.memory;
    this.scratch = this.exports.scratch();
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  boot(archive: Buffer): void {
    this.bytes().set(archive, INITRD_ADDRESS);
    this.exports.initFromArchive(INITRD_ADDRESS, archive.length);
  }

  // Stores `first` (and `second`) as UTF-8 in the scratch path slots and
  // returns their lengths.
  paths(first: string, second = "/"): [number, number] {
    const a = Buffer.from(first, "utf8");
    const b = Buffer.from(second, "utf8");
    this.bytes().set(a, this.scratch);
    this.bytes().set(b, this.scratch + PATH_SLOT);
    return [a.length, b.length];
  }

  lookup(path: string, cwd = "/"): number {
    return this.exports.lookupIno(...this.paths(path, cwd));
  }

  resolveError(path: string, cwd = "/", uid = 0): number {
    return this.exports.resolveError(...this.paths(path, cwd), uid);
  }

  open(path: string, flags: number, mode = 0o644, uid = 0, cwd = "/"): number {
    return this.exports.open(...this.paths(path, cwd), uid, flags, mode);
  }

  // Reads everything from the handle's offset to the end of the file.
  readAll(handle: number, chunk = 4096): Buffer {
    assert.ok(handle >= 0, `open returned ${handle}`);
    const parts: Buffer[] = [];
    const buffer = this.scratch + 2 * PATH_SLOT;
    for (;;) {
      const count = Number(this.exports.read(handle, buffer, chunk));
      assert.ok(count >= 0, `read returned ${count}`);
      if (count === 0) break;
      parts.push(Buffer.from(this.bytes().slice(buffer, buffer + count)));
    }
    return Buffer.concat(parts);
  }

  write(handle: number, data: Buffer | string): number {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    const buffer = this.scratch + 2 * PATH_SLOT;
    this.bytes().set(bytes, buffer);
    return Number(this.exports.write(handle, buffer, bytes.length));
  }

  stat(handle: number): Stat {
    const buffer = this.scratch + 2 * PATH_SLOT;
    this.exports.stat(handle, buffer);
    const view = new DataView(this.exports.memory.buffer, buffer, 144);
    return {
      ino: view.getBigUint64(8, true),
      nlink: view.getBigUint64(16, true),
      mode: view.getUint32(24, true),
      uid: view.getUint32(28, true),
      gid: view.getUint32(32, true),
      size: view.getBigInt64(48, true),
      blksize: view.getBigInt64(56, true),
      blocks: view.getBigInt64(64, true),
    };
  }

  statPath(path: string): Stat {
    const handle = this.open(path, O_RDONLY);
    assert.ok(handle >= 0, `open ${path}: ${handle}`);
    const result = this.stat(handle);
    this.exports.close(handle);
    return result;
  }

  // Makes one getdents64 call with a buffer of `size` bytes. Returns the
  // records, or the negative result.
  getdents(handle: number, size: number): Dirent[] | number {
    const buffer = this.scratch + 2 * PATH_SLOT;
    const result = Number(this.exports.getdents(handle, buffer, size));
    if (result < 0) return result;
    const entries: Dirent[] = [];
    const view = new DataView(this.exports.memory.buffer);
    let offset = 0;
    while (offset < result) {
      const at = buffer + offset;
      const reclen = view.getUint16(at + 16, true);
      const nameBytes = this.bytes().slice(at + 19, at + reclen);
      const end = nameBytes.indexOf(0);
      assert.ok(end >= 0, "d_name is NUL-terminated");
      assert.equal(reclen % 8, 0, "d_reclen is a multiple of 8");
      entries.push({
        ino: view.getBigUint64(at, true),
        off: view.getBigInt64(at + 8, true),
        reclen,
        type: view.getUint8(at + 18),
        name: Buffer.from(nameBytes.slice(0, end)).toString("utf8"),
      });
      offset += reclen;
    }
    assert.equal(offset, result, "records fill the returned length exactly");
    return entries;
  }

  listDirectory(path: string, bufferSize = 4096): Dirent[] {
    const handle = this.open(path, O_RDONLY | O_DIRECTORY);
    assert.ok(handle >= 0, `open ${path}: ${handle}`);
    const all: Dirent[] = [];
    for (;;) {
      const batch = this.getdents(handle, bufferSize);
      assert.ok(Array.isArray(batch), `getdents ${path}: ${batch}`);
      if (batch.length === 0) break;
      all.push(...batch);
    }
    this.exports.close(handle);
    return all;
  }

  names(path: string): string[] {
    return this.listDirectory(path)
      .map((entry) => entry.name)
      .filter((name) => name !== "." && name !== "..")
      .sort();
  }

  log(): string {
    const length = this.exports.readLog();
    return Buffer.from(this.bytes().slice(this.scratch, this.scratch + length)).toString("utf8");
  }
}

function readAscString(memory: WebAssembly.Memory, pointer: number): string {
  if (pointer === 0) return "";
  const length = new Uint32Array(memory.buffer, pointer - 4, 1)[0];
  return Buffer.from(new Uint8Array(memory.buffer, pointer, length)).toString("utf16le");
}

// Runs GNU cpio in `directory` on `names` (one per line, as find prints
// them) and returns the archive.
function cpioArchive(directory: string, names: string[], format = "newc"): Buffer {
  return execFileSync("cpio", ["-o", "-H", format, "--quiet", "-R", "0:0"], {
    cwd: directory,
    input: names.join("\n") + "\n",
    maxBuffer: 64 << 20,
  });
}

// Overwrites `text` (ASCII) at `offset` of a copy of `archive`.
function patched(archive: Buffer, offset: number, text: string): Buffer {
  const copy = Buffer.from(archive);
  copy.write(text, offset, "latin1");
  return copy;
}

// Offset of the header of the member named `name`.
function memberOffset(archive: Buffer, name: string): number {
  const needle = Buffer.from(name + "\0", "utf8");
  const at = archive.indexOf(needle);
  assert.ok(at >= 110, `member ${name} found`);
  return at - 110;
}

describe("kernel RAM file system (host)", function () {
  let work: string;
  let tree: string;
  let archive: Buffer;
  let names: string[];
  const bigFile = Buffer.alloc(100_003);

  before(async function () {
    if (spawnSync("cpio", ["--version"]).error) {
      throw new Error("cpio not found: run `npm run setup` or apt-get install cpio");
    }
    harnessModule = await compileHarness();

    for (let i = 0; i < bigFile.length; i++) bigFile[i] = (i * 131 + (i >> 8)) & 0xff;
    work = mkdtempSync(join(tmpdir(), "kernel-fs-test-"));
    // tree/
    //   bin/sh       0755, 100003 bytes of a pattern
    //   bin/link-sh  hard link to bin/sh
    //   etc/motd     0644, "welcome\n"
    //   etc/secret   0600
    //   etc/empty    0644, 0 bytes
    //   etc/sl       symbolic link (not supported, skipped)
    //   home/user/notes.txt
    //   tmp/         0777, empty
    //   caf\u00e9     UTF-8 name
    tree = join(work, "tree");
    mkdirSync(join(tree, "bin"), { recursive: true });
    mkdirSync(join(tree, "etc"));
    mkdirSync(join(tree, "home", "user"), { recursive: true });
    mkdirSync(join(tree, "tmp"));
    chmodSync(join(tree, "tmp"), 0o777);
    writeFileSync(join(tree, "bin", "sh"), bigFile);
    chmodSync(join(tree, "bin", "sh"), 0o755);
    linkSync(join(tree, "bin", "sh"), join(tree, "bin", "link-sh"));
    writeFileSync(join(tree, "etc", "motd"), "welcome\n");
    chmodSync(join(tree, "etc", "motd"), 0o644);
    writeFileSync(join(tree, "etc", "secret"), "s3cret");
    chmodSync(join(tree, "etc", "secret"), 0o600);
    writeFileSync(join(tree, "etc", "empty"), "");
    chmodSync(join(tree, "etc", "empty"), 0o644);
    symlinkSync("motd", join(tree, "etc", "sl"));
    writeFileSync(join(tree, "home", "user", "notes.txt"), "notes");
    writeFileSync(join(tree, "caf\u00e9"), "\u00e9");
    names = execFileSync("find", ["."], { cwd: tree, encoding: "utf8" }).trim().split("\n");
    archive = cpioArchive(tree, names);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function boot(image: Buffer = archive): Kernel {
    const kernel = new Kernel(harnessModule);
    kernel.boot(image);
    return kernel;
  }

  describe("initrd unpacking", () => {
    it("finds every archived file", () => {
      const kernel = boot();
      for (const path of ["/bin/sh", "/bin/link-sh", "/etc/motd", "/etc/secret", "/etc/empty", "/home/user/notes.txt", "/tmp", "/caf\u00e9"]) {
        assert.notEqual(kernel.lookup(path), 0, `${path} exists`);
      }
    });

    it("reads file content byte for byte", () => {
      const kernel = boot();
      const handle = kernel.open("/bin/sh", O_RDONLY);
      assert.ok(handle >= 0);
      assert.ok(kernel.readAll(handle, 4099).equals(bigFile));
      const motd = kernel.open("/etc/motd", O_RDONLY);
      assert.equal(kernel.readAll(motd).toString(), "welcome\n");
      const cafe = kernel.open("/caf\u00e9", O_RDONLY);
      assert.equal(kernel.readAll(cafe).toString(), "\u00e9");
    });

    it("keeps modes, sizes and owners", () => {
      const kernel = boot();
      const sh = kernel.statPath("/bin/sh");
      assert.equal(sh.mode, 0o100755);
      assert.equal(sh.size, BigInt(bigFile.length));
      assert.equal(sh.uid, 0);
      assert.equal(sh.blksize, 4096n);
      assert.equal(sh.blocks, BigInt(Math.ceil(bigFile.length / 512)));
      assert.equal(kernel.statPath("/etc/secret").mode, 0o100600);
      assert.equal(kernel.statPath("/etc/empty").size, 0n);
      assert.equal(kernel.statPath("/tmp").mode, 0o040777);
    });

    it("shares one inode between hard links", () => {
      const kernel = boot();
      assert.equal(kernel.lookup("/bin/sh"), kernel.lookup("/bin/link-sh"));
      assert.equal(kernel.statPath("/bin/sh").nlink, 2n);
      const handle = kernel.open("/bin/link-sh", O_RDONLY);
      assert.ok(kernel.readAll(handle).equals(bigFile));
    });

    it("counts directory links", () => {
      const kernel = boot();
      // "/" has ".", ".." and the ".." of bin, etc, home and tmp.
      assert.equal(kernel.statPath("/").nlink, 6n);
      assert.equal(kernel.statPath("/home").nlink, 3n);
      assert.equal(kernel.statPath("/tmp").nlink, 2n);
    });

    it("skips and logs a symbolic link", () => {
      const kernel = boot();
      assert.equal(kernel.lookup("/etc/sl"), 0);
      assert.match(kernel.log(), /initrd: skipped etc\/sl: file type 0o120000 is not supported/);
    });

    it("logs a summary to the ring and port 0xE9", () => {
      const kernel = boot();
      const summary = /initrd: 6 files, \d+ directories, 1 hard links, \d+ bytes, 1 skipped\n/;
      assert.match(kernel.log(), summary);
      assert.match(Buffer.from(kernel.debugcon).toString("utf8"), summary);
    });

    it("reads content in place from the initrd", () => {
      const kernel = boot();
      assert.equal(kernel.exports.contentBytes(), 0n);
    });

    it("accepts the crc format with checksums", () => {
      const kernel = boot(cpioArchive(tree, names, "crc"));
      assert.doesNotMatch(kernel.log(), /malformed/);
      const handle = kernel.open("/bin/sh", O_RDONLY);
      assert.ok(kernel.readAll(handle).equals(bigFile));
    });

    it("unpacks concatenated archives", () => {
      const extra = join(work, "extra");
      mkdirSync(join(extra, "etc"), { recursive: true });
      writeFileSync(join(extra, "etc", "motd"), "replaced");
      writeFileSync(join(extra, "added"), "added");
      const second = cpioArchive(extra, ["etc", "etc/motd", "added"]);
      const kernel = boot(Buffer.concat([archive, second]));
      assert.equal(kernel.readAll(kernel.open("/etc/motd", O_RDONLY)).toString(), "replaced");
      assert.equal(kernel.readAll(kernel.open("/added", O_RDONLY)).toString(), "added");
      assert.notEqual(kernel.lookup("/bin/sh"), 0);
    });

    it("creates missing parent directories", () => {
      const deep = join(work, "deep");
      mkdirSync(join(deep, "a", "b"), { recursive: true });
      writeFileSync(join(deep, "a", "b", "c"), "c");
      const kernel = boot(cpioArchive(deep, ["a/b/c"]));
      assert.equal(kernel.statPath("/a/b").mode, 0o040755);
      assert.equal(kernel.readAll(kernel.open("/a/b/c", O_RDONLY)).toString(), "c");
    });
  });

  describe("malformed archives", () => {
    const cases: Array<[string, () => Buffer, RegExp]> = [
      ["empty input", () => Buffer.alloc(0), /initrd: none loaded/],
      ["bad magic", () => patched(archive, 0, "070707"), /bad magic/],
      ["non-hex field", () => patched(archive, 6 + 8 * 6, "0000zz00"), /header field 6 is not 8 hexadecimal digits/],
      ["truncated header", () => archive.subarray(0, 50), /truncated header/],
      ["truncated data", () => archive.subarray(0, memberOffset(archive, "bin/sh") + 110 + 10 + 5000), /truncated data/],
      ["missing trailer", () => archive.subarray(0, memberOffset(archive, "TRAILER!!!")), /missing TRAILER!!! member/],
      ["zero name size", () => patched(archive, 94, "00000000"), /empty name/],
      ["huge name size", () => patched(archive, 94, "7fffffff"), /name longer than PATH_MAX/],
      ["name past the end", () => patched(archive.subarray(0, 120), 94, "00000100"), /truncated name/],
      ["name without NUL", () => {
        const at = memberOffset(archive, "etc/motd");
        return patched(archive, at + 94, "00000008"); // the NUL falls outside
      }, /name is not NUL-terminated/],
      ["file size past the end", () => {
        const at = memberOffset(archive, "etc/motd");
        return patched(archive, at + 54, "7fffffff");
      }, /truncated data/],
      ["nonzero check in 070701", () => patched(archive, 102, "00000001"), /c_check is not 0/],
      ["directory with data", () => {
        const at = memberOffset(archive, "tmp");
        return patched(archive, at + 54, "00000004");
      }, /directory with data|truncated|bad magic/],
      ["unknown file type", () => {
        const at = memberOffset(archive, "etc/motd");
        return patched(archive, at + 14, "0000E1A4"); // type 0o160000
      }, /unknown file type/],
      ["garbage after trailer", () => Buffer.concat([archive, Buffer.from("junk")]), /truncated header|bad magic|data after the trailer/],
    ];

    for (const [name, make, reason] of cases) {
      it(`skips an archive with ${name}`, () => {
        const kernel = boot(make());
        assert.equal(kernel.lookup("/etc/motd"), 0, "nothing was unpacked");
        assert.equal(kernel.lookup("/bin/sh"), 0, "nothing was unpacked");
        assert.equal(kernel.names("/").length, 0, "the root is empty");
        assert.match(kernel.log(), reason);
      });
    }

    it("rejects a name with ..", () => {
      const escape = Buffer.from(archive);
      const at = memberOffset(escape, "etc/motd");
      escape.write("../abcde", at + 110, "latin1"); // as long as etc/motd
      const kernel = boot(escape);
      assert.match(kernel.log(), /name contains '\.\.'/);
      assert.equal(kernel.lookup("/bin/sh"), 0);
    });

    it("rejects a crc archive with a wrong checksum", () => {
      const crc = cpioArchive(tree, names, "crc");
      const at = memberOffset(crc, "etc/motd");
      const dataStart = (at + 110 + "etc/motd".length + 1 + 3) & ~3;
      const kernel = boot(patched(crc, dataStart, "W"));
      assert.match(kernel.log(), /checksum mismatch/);
      assert.equal(kernel.lookup("/bin/sh"), 0);
    });
  });

  describe("path resolution", () => {
    const cases: Array<[string, string, string]> = [
      ["/bin/sh", "/", "/bin/sh"],
      ["//bin///sh", "/", "/bin/sh"],
      ["/./bin/./sh", "/", "/bin/sh"],
      ["/bin/../etc/motd", "/", "/etc/motd"],
      ["/..", "/", "/"],
      ["/../../bin/sh", "/", "/bin/sh"],
      ["sh", "/bin", "/bin/sh"],
      ["./sh", "/bin", "/bin/sh"],
      ["../etc/motd", "/bin", "/etc/motd"],
      [".", "/home/user", "/home/user"],
      ["..", "/home/user", "/home"],
      ["notes.txt", "/home//user/", "/home/user/notes.txt"],
      ["/bin/", "/", "/bin"],
      ["user/", "/home", "/home/user"],
    ];
    for (const [path, cwd, expected] of cases) {
      it(`resolves ${path} in ${cwd}`, () => {
        const kernel = boot();
        const ino = kernel.lookup(path, cwd);
        assert.notEqual(ino, 0);
        assert.equal(ino, kernel.lookup(expected));
      });
    }

    const errors: Array<[string, string, number]> = [
      ["", "/", ENOENT],
      ["/nosuch", "/", ENOENT],
      ["/nosuch/x", "/", ENOENT],
      ["/etc/motd/x", "/", ENOTDIR],
      ["/etc/motd/", "/", ENOTDIR],
      ["/etc/motd/.", "/", ENOTDIR],
      ["/" + "n".repeat(256), "/", ENAMETOOLONG],
      ["/" + "a/".repeat(2048), "/", ENAMETOOLONG],
      ["x", "/nosuch", ENOENT],
    ];
    for (const [path, cwd, errno] of errors) {
      it(`fails on ${path.length > 40 ? path.slice(0, 20) + "..." : JSON.stringify(path)} with ${errno}`, () => {
        const kernel = boot();
        assert.equal(kernel.resolveError(path, cwd), errno);
        assert.equal(kernel.lookup(path, cwd), 0);
      });
    }

    it("needs search permission for non-root", () => {
      const kernel = boot();
      assert.equal(kernel.exports.mkdir(kernel.paths("/tmp/private")[0], 0, 0o700), 0);
      assert.equal(kernel.exports.mkdir(kernel.paths("/tmp/private/inner")[0], 0, 0o755), 0);
      assert.equal(kernel.resolveError("/tmp/private/inner", "/", 1000), EACCES);
      assert.equal(kernel.resolveError("/tmp/private/inner", "/", 0), 0);
    });

    it("returns the absolute path of a directory", () => {
      const kernel = boot();
      const length = kernel.exports.absolutePath(kernel.paths("/home/user/../user/")[0]);
      const text = Buffer.from(kernel.bytes().slice(kernel.scratch, kernel.scratch + length)).toString();
      assert.equal(text, "/home/user");
    });
  });

  describe("open, read and write", () => {
    it("creates, writes and reads back a file", () => {
      const kernel = boot();
      const handle = kernel.open("/tmp/new", O_RDWR | O_CREAT, 0o640);
      assert.ok(handle >= 0, `open: ${handle}`);
      assert.equal(kernel.write(handle, "hello, world"), 12);
      assert.equal(kernel.exports.seek(handle, 0n, SEEK_SET), 0n);
      assert.equal(kernel.readAll(handle).toString(), "hello, world");
      const stat = kernel.stat(handle);
      assert.equal(stat.mode, 0o100640);
      assert.equal(stat.size, 12n);
      assert.equal(stat.nlink, 1n);
    });

    it("creates a file owned by the caller", () => {
      const kernel = boot();
      const handle = kernel.open("/tmp/mine", O_WRONLY | O_CREAT, 0o600, 1000);
      assert.ok(handle >= 0);
      assert.equal(kernel.stat(handle).uid, 1000);
    });

    it("extends with zeros past the end", () => {
      const kernel = boot();
      const handle = kernel.open("/tmp/sparse", O_RDWR | O_CREAT);
      assert.equal(kernel.exports.seek(handle, 10000n, SEEK_SET), 10000n);
      assert.equal(kernel.write(handle, "x"), 1);
      assert.equal(kernel.exports.seek(handle, 0n, SEEK_SET), 0n);
      const content = kernel.readAll(handle);
      assert.equal(content.length, 10001);
      assert.ok(content.subarray(0, 10000).every((byte) => byte === 0));
      assert.equal(content[10000], 0x78);
    });

    it("copies initrd content on first write", () => {
      const kernel = boot();
      const original = Buffer.from(kernel.bytes().slice(INITRD_ADDRESS, INITRD_ADDRESS + archive.length));
      const handle = kernel.open("/bin/sh", O_RDWR);
      assert.equal(kernel.exports.seek(handle, 50000n, SEEK_SET), 50000n);
      assert.equal(kernel.write(handle, "PATCH"), 5);
      const image = Buffer.from(kernel.bytes().slice(INITRD_ADDRESS, INITRD_ADDRESS + archive.length));
      assert.ok(image.equals(original), "the initrd image is unchanged");
      assert.ok(kernel.exports.contentBytes() >= BigInt(bigFile.length), "content was copied to the heap");

      const expected = Buffer.from(bigFile);
      expected.write("PATCH", 50000, "latin1");
      const reader = kernel.open("/bin/link-sh", O_RDONLY);
      const content = kernel.readAll(reader);
      assert.equal(content.length, expected.length);
      assert.equal(content.indexOf("PATCH"), 50000);
      assert.ok(content.equals(expected), "the hard link sees the write");
    });

    it("appends with O_APPEND", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_WRONLY | O_APPEND);
      assert.equal(kernel.exports.seek(handle, 0n, SEEK_SET), 0n);
      assert.equal(kernel.write(handle, "more\n"), 5);
      assert.equal(kernel.readAll(kernel.open("/etc/motd", O_RDONLY)).toString(), "welcome\nmore\n");
    });

    it("truncates with O_TRUNC", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_WRONLY | O_TRUNC);
      assert.ok(handle >= 0);
      assert.equal(kernel.statPath("/etc/motd").size, 0n);
      assert.equal(kernel.write(handle, "new"), 3);
      assert.equal(kernel.readAll(kernel.open("/etc/motd", O_RDONLY)).toString(), "new");
    });

    it("raises the generation on write and truncate", () => {
      const kernel = boot();
      const [length] = kernel.paths("/etc/motd");
      const before = kernel.exports.generationOf(length);
      const handle = kernel.open("/etc/motd", O_WRONLY);
      kernel.write(handle, "W");
      const afterWrite = kernel.exports.generationOf(kernel.paths("/etc/motd")[0]);
      assert.ok(afterWrite > before);
      kernel.open("/etc/motd", O_WRONLY | O_TRUNC);
      assert.ok(kernel.exports.generationOf(kernel.paths("/etc/motd")[0]) > afterWrite);
    });

    it("does not raise the generation on read", () => {
      const kernel = boot();
      const before = kernel.exports.generationOf(kernel.paths("/bin/sh")[0]);
      kernel.readAll(kernel.open("/bin/sh", O_RDONLY));
      assert.equal(kernel.exports.generationOf(kernel.paths("/bin/sh")[0]), before);
    });

    it("seeks with SEEK_CUR and SEEK_END", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_RDONLY);
      assert.equal(kernel.exports.seek(handle, -3n, SEEK_END), 5n);
      assert.equal(kernel.exports.seek(handle, 1n, SEEK_CUR), 6n);
      assert.equal(kernel.readAll(handle).toString(), "e\n");
      assert.equal(kernel.exports.seek(handle, -100n, SEEK_CUR), BigInt(-EINVAL));
      assert.equal(kernel.exports.seek(handle, 0n, 3), BigInt(-EINVAL));
      assert.equal(kernel.exports.seek(handle, 0x7fffffffffffffffn, SEEK_SET), 0x7fffffffffffffffn);
      assert.equal(kernel.exports.seek(handle, 1n, SEEK_CUR), BigInt(-EINVAL), "overflow");
    });

    it("reads 0 at and past the end", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_RDONLY);
      kernel.exports.seek(handle, 100n, SEEK_SET);
      assert.equal(kernel.exports.read(handle, kernel.scratch, 10), 0n);
    });

    const openErrors: Array<[string, string, number, number, number]> = [
      ["O_EXCL on an existing file", "/etc/motd", O_WRONLY | O_CREAT | O_EXCL, 0, EEXIST],
      ["O_DIRECTORY on a file", "/etc/motd", O_RDONLY | O_DIRECTORY, 0, ENOTDIR],
      ["writing a directory", "/tmp", O_WRONLY, 0, EISDIR],
      ["O_CREAT on a directory", "/tmp", O_RDONLY | O_CREAT, 0, EISDIR],
      ["O_CREAT with a trailing slash", "/tmp/newdir/", O_RDWR | O_CREAT, 0, EISDIR],
      ["O_CREAT in a missing directory", "/nosuch/file", O_RDWR | O_CREAT, 0, ENOENT],
      ["access mode 3", "/etc/motd", 3, 0, EINVAL],
      ["a missing file", "/etc/nosuch", O_RDONLY, 0, ENOENT],
      ["a 0600 file as another user", "/etc/secret", O_RDONLY, 1000, EACCES],
      ["writing a 0644 file as another user", "/etc/motd", O_WRONLY, 1000, EACCES],
      ["creating in a 0755 root directory as another user", "/etc/new", O_WRONLY | O_CREAT, 1000, EACCES],
    ];
    for (const [name, path, flags, uid, errno] of openErrors) {
      it(`fails on ${name}`, () => {
        const kernel = boot();
        assert.equal(kernel.open(path, flags, 0o644, uid), -errno);
      });
    }

    it("lets another user read a 0644 file", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_RDONLY, 0, 1000);
      assert.ok(handle >= 0);
    });

    it("reading a directory fails with EISDIR", () => {
      const kernel = boot();
      const handle = kernel.open("/tmp", O_RDONLY);
      assert.equal(kernel.exports.read(handle, kernel.scratch, 10), BigInt(-EISDIR));
    });
  });

  describe("directories", () => {
    it("lists a directory with types", () => {
      const kernel = boot();
      const entries = kernel.listDirectory("/");
      const byName = new Map(entries.map((entry) => [entry.name, entry]));
      assert.deepEqual([...byName.keys()].sort(), [".", "..", "bin", "caf\u00e9", "etc", "home", "tmp"]);
      assert.equal(byName.get(".")!.type, DT_DIR);
      assert.equal(byName.get("caf\u00e9")!.type, DT_REG);
      assert.equal(byName.get("bin")!.ino, BigInt(kernel.lookup("/bin")));
      assert.equal(byName.get("..")!.ino, BigInt(kernel.lookup("/")));
    });

    it("lists across calls with a small buffer", () => {
      const kernel = boot();
      const whole = kernel.listDirectory("/etc").map((entry) => entry.name);
      const small = kernel.listDirectory("/etc", 32).map((entry) => entry.name);
      assert.deepEqual(small, whole);
      assert.deepEqual(kernel.names("/etc"), ["empty", "motd", "secret"]);
    });

    it("fails with EINVAL when one record does not fit", () => {
      const kernel = boot();
      const handle = kernel.open("/etc", O_RDONLY);
      assert.equal(kernel.getdents(handle, 16), -EINVAL);
    });

    it("resumes a listing after an entry is removed", () => {
      const kernel = boot();
      const handle = kernel.open("/etc", O_RDONLY);
      const first = kernel.getdents(handle, 80) as Dirent[]; // ".", ".." and one more
      assert.equal(first.length, 3);
      const seen = first[2].name;
      const other = ["empty", "motd", "secret"].filter((name) => name !== seen)[0];
      assert.equal(kernel.exports.unlink(kernel.paths("/etc/" + other)[0], 0), 0);
      const rest = (kernel.getdents(handle, 4096) as Dirent[]).map((entry) => entry.name);
      assert.ok(!rest.includes(seen), "no entry comes twice");
      assert.ok(!rest.includes(other), "the removed entry is gone");
      assert.equal(rest.length, 1);
    });

    it("rewinds with lseek to 0", () => {
      const kernel = boot();
      const handle = kernel.open("/etc", O_RDONLY);
      const first = kernel.getdents(handle, 4096) as Dirent[];
      assert.equal(kernel.exports.seek(handle, 0n, SEEK_SET), 0n);
      assert.deepEqual(kernel.getdents(handle, 4096), first);
    });

    it("makes and removes a directory", () => {
      const kernel = boot();
      assert.equal(kernel.exports.mkdir(kernel.paths("/tmp/d")[0], 0, 0o750), 0);
      assert.equal(kernel.statPath("/tmp/d").mode, 0o040750);
      assert.equal(kernel.statPath("/tmp").nlink, 3n);
      assert.equal(kernel.exports.mkdir(kernel.paths("/tmp/d")[0], 0, 0o750), -EEXIST);
      assert.equal(kernel.exports.rmdir(kernel.paths("/tmp/d")[0], 0), 0);
      assert.equal(kernel.lookup("/tmp/d"), 0);
      assert.equal(kernel.statPath("/tmp").nlink, 2n);
    });

    it("rmdir fails on a non-empty directory and a file", () => {
      const kernel = boot();
      assert.equal(kernel.exports.rmdir(kernel.paths("/home")[0], 0), -ENOTEMPTY);
      assert.equal(kernel.exports.rmdir(kernel.paths("/etc/motd")[0], 0), -ENOTDIR);
      assert.equal(kernel.exports.rmdir(kernel.paths("/tmp/.")[0], 0), -EINVAL);
    });

    it("mkdir fails under a file or a missing directory", () => {
      const kernel = boot();
      assert.equal(kernel.exports.mkdir(kernel.paths("/etc/motd/d")[0], 0, 0o755), -ENOTDIR);
      assert.equal(kernel.exports.mkdir(kernel.paths("/nosuch/d")[0], 0, 0o755), -ENOENT);
    });
  });

  describe("unlink and rename", () => {
    it("unlinks a file and keeps it readable while open", () => {
      const kernel = boot();
      const handle = kernel.open("/etc/motd", O_RDONLY);
      assert.equal(kernel.exports.unlink(kernel.paths("/etc/motd")[0], 0), 0);
      assert.equal(kernel.lookup("/etc/motd"), 0);
      assert.equal(kernel.readAll(handle).toString(), "welcome\n");
      assert.equal(kernel.stat(handle).nlink, 0n);
    });

    it("frees the content of an unlinked file at its last close", () => {
      const kernel = boot();
      const handle = kernel.open("/tmp/big", O_RDWR | O_CREAT);
      kernel.write(handle, Buffer.alloc(5000, 1));
      assert.ok(kernel.exports.contentBytes() >= 5000n);
      assert.equal(kernel.exports.unlink(kernel.paths("/tmp/big")[0], 0), 0);
      assert.ok(kernel.exports.contentBytes() >= 5000n, "still open");
      kernel.exports.close(handle);
      assert.equal(kernel.exports.contentBytes(), 0n);
    });

    it("unlink of a hard link leaves the other name", () => {
      const kernel = boot();
      const generation = kernel.exports.generationOf(kernel.paths("/bin/sh")[0]);
      assert.equal(kernel.exports.unlink(kernel.paths("/bin/link-sh")[0], 0), 0);
      assert.ok(kernel.exports.generationOf(kernel.paths("/bin/sh")[0]) > generation, "generation rose");
      assert.equal(kernel.statPath("/bin/sh").nlink, 1n);
      assert.ok(kernel.readAll(kernel.open("/bin/sh", O_RDONLY)).equals(bigFile));
    });

    it("unlink fails on a directory and for another user", () => {
      const kernel = boot();
      assert.equal(kernel.exports.unlink(kernel.paths("/tmp")[0], 0), -EISDIR);
      assert.equal(kernel.exports.unlink(kernel.paths("/etc/motd")[0], 1000), -EACCES);
      assert.equal(kernel.exports.unlink(kernel.paths("/etc/nosuch")[0], 0), -ENOENT);
    });

    it("renames a file and raises its generation", () => {
      const kernel = boot();
      const ino = kernel.lookup("/etc/motd");
      const generation = kernel.exports.generationOf(kernel.paths("/etc/motd")[0]);
      assert.equal(kernel.exports.rename(...kernel.paths("/etc/motd", "/tmp/motd"), 0), 0);
      assert.equal(kernel.lookup("/etc/motd"), 0);
      assert.equal(kernel.lookup("/tmp/motd"), ino);
      assert.ok(kernel.exports.generationOf(kernel.paths("/tmp/motd")[0]) > generation);
    });

    it("rename replaces an existing file", () => {
      const kernel = boot();
      const ino = kernel.lookup("/etc/motd");
      assert.equal(kernel.exports.rename(...kernel.paths("/etc/motd", "/etc/empty"), 0), 0);
      assert.equal(kernel.lookup("/etc/empty"), ino);
      assert.deepEqual(kernel.names("/etc"), ["empty", "secret"]);
    });

    it("renames a directory and updates its parent", () => {
      const kernel = boot();
      assert.equal(kernel.exports.rename(...kernel.paths("/home/user", "/tmp/user"), 0), 0);
      assert.equal(kernel.lookup("/tmp/user/notes.txt") !== 0, true);
      assert.equal(kernel.lookup("/tmp/user/.."), kernel.lookup("/tmp"));
      assert.equal(kernel.statPath("/home").nlink, 2n);
      assert.equal(kernel.statPath("/tmp").nlink, 3n);
    });

    const renameErrors: Array<[string, string, string, number]> = [
      ["into its own subdirectory", "/home", "/home/user/x", EINVAL],
      ["a directory over a file", "/tmp", "/etc/motd", ENOTDIR],
      ["a file over a directory", "/etc/motd", "/tmp", EISDIR],
      ["over a non-empty directory", "/tmp", "/home", ENOTEMPTY],
      ["a missing file", "/etc/nosuch", "/tmp/x", ENOENT],
      ["into a missing directory", "/etc/motd", "/nosuch/x", ENOENT],
      ["a file with a trailing slash", "/etc/motd", "/tmp/x/", ENOTDIR],
    ];
    for (const [name, from, to, errno] of renameErrors) {
      it(`rename fails on ${name}`, () => {
        const kernel = boot();
        assert.equal(kernel.exports.rename(...kernel.paths(from, to), 0), -errno);
      });
    }

    it("rename onto itself does nothing", () => {
      const kernel = boot();
      assert.equal(kernel.exports.rename(...kernel.paths("/bin/sh", "/bin/link-sh"), 0), 0);
      assert.notEqual(kernel.lookup("/bin/sh"), 0);
      assert.notEqual(kernel.lookup("/bin/link-sh"), 0);
    });
  });
});
