// Checks tools/mkinitrd.ts against GNU cpio (Debian package cpio, which
// `npm run setup` installs): the archive must list and extract with
// `cpio -t` and `cpio -i`, and its bytes must follow the newc layout.
import { strict as assert } from "node:assert";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildArchive,
  malformedElfs,
  parseArguments,
  writeArchive,
  writeInitrd,
} from "../../tools/mkinitrd.ts";
import { root } from "../../tools/paths.ts";

interface ParsedMember {
  offset: number;
  name: string;
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  data: Buffer;
}

// Reads an archive back with an independent parser of the newc layout.
function parseNewc(archive: Buffer): ParsedMember[] {
  const members: ParsedMember[] = [];
  let offset = 0;
  while (offset < archive.length) {
    const header = archive.subarray(offset, offset + 110).toString("ascii");
    assert.equal(header.slice(0, 6), "070701", `magic at offset ${offset}`);
    const field = (index: number) => parseInt(header.slice(6 + index * 8, 14 + index * 8), 16);
    const nameSize = field(11);
    const size = field(6);
    const name = archive.subarray(offset + 110, offset + 110 + nameSize - 1).toString("utf8");
    assert.equal(archive[offset + 110 + nameSize - 1], 0, `NUL after name ${name}`);
    const dataStart = align4(offset + 110 + nameSize);
    members.push({
      offset,
      name,
      ino: field(0),
      mode: field(1),
      nlink: field(4),
      size,
      data: archive.subarray(dataStart, dataStart + size),
    });
    offset = align4(dataStart + size);
    if (name === "TRAILER!!!") break;
  }
  assert.equal(offset, archive.length, "nothing follows the trailer");
  return members;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function cpio(args: string[], input: Buffer, cwd?: string): string {
  return execFileSync("cpio", args, { input, cwd, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

describe("mkinitrd", () => {
  let work: string;
  let tree: string;

  before(function () {
    if (spawnSync("cpio", ["--version"]).error) {
      throw new Error("cpio not found: run `npm run setup` or apt-get install cpio");
    }
    work = mkdtempSync(join(tmpdir(), "mkinitrd-test-"));
    // tree/
    //   etc/motd          (0644, 5 bytes: tests name padding)
    //   etc/empty         (0600, 0 bytes)
    //   bin/tool          (0755, 1027 bytes: tests data padding)
    //   var/log/          (empty directory)
    tree = join(work, "tree");
    mkdirSync(join(tree, "etc"), { recursive: true });
    mkdirSync(join(tree, "bin"));
    mkdirSync(join(tree, "var", "log"), { recursive: true });
    writeFileSync(join(tree, "etc", "motd"), "hello");
    writeFileSync(join(tree, "etc", "empty"), "");
    chmodSync(join(tree, "etc", "empty"), 0o600);
    writeFileSync(join(tree, "bin", "tool"), Buffer.alloc(1027, 0xab));
    chmodSync(join(tree, "bin", "tool"), 0o755);
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it("cpio -t lists directories before contents", () => {
    const archive = buildArchive([{ path: ".", source: tree }]);
    const names = cpio(["-t", "--quiet"], archive).trim().split("\n");
    assert.deepEqual(names, [
      "bin",
      "bin/tool",
      "etc",
      "etc/empty",
      "etc/motd",
      "var",
      "var/log",
    ]);
  });

  it("cpio -i extracts identical files and modes", () => {
    const out = join(work, "extract");
    mkdirSync(out);
    const archive = buildArchive([{ path: ".", source: tree }]);
    cpio(["-i", "-d", "--quiet", "--no-absolute-filenames"], archive, out);
    for (const file of ["etc/motd", "etc/empty", "bin/tool"]) {
      assert.deepEqual(readFileSync(join(out, file)), readFileSync(join(tree, file)), file);
      assert.equal(statSync(join(out, file)).mode & 0o777, statSync(join(tree, file)).mode & 0o777, file);
    }
    assert.ok(statSync(join(out, "var", "log")).isDirectory(), "var/log is a directory");
  });

  it("headers and data are 4-byte aligned", () => {
    const archive = buildArchive([{ path: ".", source: tree }]);
    const members = parseNewc(archive);
    for (const member of members) {
      assert.equal(member.offset % 4, 0, `header of ${member.name} at ${member.offset}`);
    }
    assert.equal(archive.length % 4, 0, "archive length");
    const tool = members.find((m) => m.name === "bin/tool")!;
    assert.equal(tool.size, 1027);
    assert.deepEqual(tool.data, Buffer.alloc(1027, 0xab));
  });

  it("header fields have the newc values", () => {
    const members = parseNewc(buildArchive([{ path: ".", source: tree }]));
    const byName = new Map(members.map((m) => [m.name, m]));
    assert.equal(byName.get("etc")!.mode, 0o040755);
    assert.equal(byName.get("etc")!.nlink, 2);
    assert.equal(byName.get("etc/empty")!.mode, 0o100600);
    assert.equal(byName.get("etc/empty")!.size, 0);
    assert.equal(byName.get("bin/tool")!.mode, 0o100755);
    assert.equal(byName.get("bin/tool")!.nlink, 1);
    const inodes = members.filter((m) => m.name !== "TRAILER!!!").map((m) => m.ino);
    assert.equal(new Set(inodes).size, inodes.length, "inode numbers are distinct");
    assert.ok(!inodes.includes(0), "no member has inode 0");
  });

  it("archive ends with TRAILER!!!", () => {
    const members = parseNewc(buildArchive([{ path: "etc", source: join(tree, "etc") }]));
    const last = members[members.length - 1];
    assert.equal(last.name, "TRAILER!!!");
    assert.equal(last.size, 0);
  });

  it("missing parents are added first", () => {
    const archive = buildArchive([{ path: "a/b/c.txt", source: join(tree, "etc", "motd") }]);
    const names = parseNewc(archive).map((m) => m.name);
    assert.deepEqual(names, ["a", "a/b", "a/b/c.txt", "TRAILER!!!"]);
  });

  it("mode option overrides host bits", () => {
    const archive = buildArchive([{ path: "motd", source: join(tree, "etc", "motd"), mode: 0o400 }]);
    assert.equal(parseNewc(archive)[0].mode, 0o100400);
  });

  it("same inputs give identical archives", () => {
    const entries = [{ path: ".", source: tree }];
    assert.deepEqual(buildArchive(entries), buildArchive(entries));
  });

  it("duplicate file paths are rejected", () => {
    const motd = join(tree, "etc", "motd");
    assert.throws(
      () => buildArchive([{ path: "x", source: motd }, { path: "x", source: motd }]),
      /duplicate archive path "x"/,
    );
  });

  it("paths with .. are rejected", () => {
    assert.throws(() => buildArchive([{ path: "../x", source: join(tree, "etc", "motd") }]), /"\.\." is not allowed/);
  });

  it("symbolic links are rejected", () => {
    const link = join(work, "link");
    symlinkSync(join(tree, "etc", "motd"), link);
    assert.throws(() => buildArchive([{ path: "link", source: link }]), /symbolic links/);
  });

  it("writeInitrd lays out bin, tests and root", () => {
    const hello = join(work, "hello");
    const elf = Buffer.alloc(4096);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf.writeUInt16LE(62, 18); // EM_X86_64
    writeFileSync(hello, elf);
    const probe = join(work, "probe");
    writeFileSync(probe, "probe");
    const out = join(work, "initrd.cpio");
    writeInitrd(out, [hello], join(root, "userland/root"), [probe]);

    const members = parseNewc(readFileSync(out));
    const byName = new Map(members.map((m) => [m.name, m]));
    assert.equal(byName.get("bin/hello")!.mode, 0o100755);
    assert.equal(byName.get("tests/probe")!.mode, 0o100755);
    assert.deepEqual(byName.get("etc/motd")!.data, readFileSync(join(root, "userland/root/etc/motd")));
    assert.equal(byName.get("tests/truncated")!.size, 100);
    assert.equal(byName.get("tests/wrong-machine")!.data.readUInt16LE(18), 183);
    const names = members.map((m) => m.name);
    assert.ok(names.indexOf("bin") < names.indexOf("bin/hello"), "bin before bin/hello");
    assert.ok(names.indexOf("tests") < names.indexOf("tests/probe"), "tests before tests/probe");
  });

  it("malformedElfs rejects a non-ELF file", () => {
    assert.throws(() => malformedElfs(Buffer.alloc(200)), /valid ELF/);
  });

  it("CLI writes an archive cpio can read", () => {
    const out = join(work, "cli.cpio");
    execFileSync("npx", ["tsx", join(root, "tools/mkinitrd.ts"), "-o", out, "--root", tree, `extra/motd=${join(tree, "etc", "motd")}:600`], {
      cwd: root,
    });
    const listing = cpio(["-t", "-v", "--quiet"], readFileSync(out));
    assert.match(listing, /^-rw------- .* extra\/motd$/m);
    assert.match(listing, /^drwxr-xr-x .* var\/log$/m);
  });

  it("CLI arguments parse with octal modes", () => {
    const parsed = parseArguments(["-o", "o.cpio", "bin/sh=build/user/sh:755", "--root", "r"]);
    assert.equal(parsed.outFile, "o.cpio");
    assert.deepEqual(parsed.entries, [
      { path: "bin/sh", source: "build/user/sh", mode: 0o755 },
      { path: ".", source: "r" },
    ]);
    assert.throws(() => parseArguments(["bin/sh=x"]), /missing -o/);
  });

  it("writeArchive writes buildArchive's bytes", () => {
    const out = join(work, "same.cpio");
    const entries = [{ path: "etc", source: join(tree, "etc") }];
    writeArchive(out, entries);
    assert.deepEqual(readFileSync(out), buildArchive(entries));
  });
});
