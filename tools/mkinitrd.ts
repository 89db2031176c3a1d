// Initrd packer: writes a cpio archive in the "newc" format (the SVR4 "New
// ASCII" format without checksums, magic 070701; libarchive's cpio(5)).
//
// Every member is a 110-byte header of ASCII fields, then the NUL-terminated
// name padded to a multiple of 4 bytes (counting the header), then the data
// padded to a multiple of 4. The archive ends with a member named
// "TRAILER!!!".
//
//   offset  field       offset  field        offset  field
//        0  c_magic         38  c_nlink          78  c_rdevmajor
//        6  c_ino           46  c_mtime          86  c_rdevminor
//       14  c_mode          54  c_filesize       94  c_namesize
//       22  c_uid           62  c_devmajor      102  c_check
//       30  c_gid           70  c_devminor
// Each field after c_magic is 8 hexadecimal digits.
//
// Usage: tsx tools/mkinitrd.ts -o OUT.cpio [--root DIR] [ARCHIVE_PATH=HOST_PATH[:MODE]]...
import { lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { malformedVariants, rawPrograms } from "./hostile-elfs.ts";

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const TRAILER = "TRAILER!!!";

// One request to the packer.
export interface InitrdEntry {
  // Path inside the archive, relative, with "/" separators ("bin/sh"). The
  // path "." puts the contents of a directory `source` at the archive root.
  path: string;
  // Host file or directory. A directory is added with everything under it.
  // Without a source or data the entry is an empty directory.
  source?: string;
  // Contents of a regular file made in memory; used when `source` is unset.
  data?: Buffer;
  // Permission bits (0o7777 mask). Defaults: the host file's bits for a
  // file, 0o755 for a directory. For a directory source it applies to the
  // directory itself only.
  mode?: number;
}

// A member of the archive before serialisation.
interface Member {
  path: string;
  mode: number; // type and permission bits, as st_mode
  data: Buffer;
  origin: string; // what added it, for error messages
}

// Normalises an archive path: no leading "/" or "./", no empty or "."
// components; ".." is rejected because the archive must not escape its root.
function normalisePath(path: string): string {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) {
    throw new Error(`mkinitrd: invalid archive path "${path}": ".." is not allowed`);
  }
  return parts.join("/");
}

class MemberSet {
  readonly members = new Map<string, Member>();

  addDirectory(path: string, mode: number, origin: string): void {
    if (path === "") return; // the archive root has no member of its own
    this.addParents(path, origin);
    const existing = this.members.get(path);
    if (existing && (existing.mode & S_IFDIR) === 0) {
      throw new Error(
        `mkinitrd: "${path}" from ${origin} is a directory but ${existing.origin} added a file there`,
      );
    }
    this.members.set(path, { path, mode: S_IFDIR | (mode & 0o7777), data: Buffer.alloc(0), origin });
  }

  addFile(path: string, mode: number, data: Buffer, origin: string): void {
    if (path === "") throw new Error(`mkinitrd: file ${origin} needs a path inside the archive`);
    this.addParents(path, origin);
    const existing = this.members.get(path);
    if (existing) {
      throw new Error(`mkinitrd: duplicate archive path "${path}" from ${existing.origin} and ${origin}`);
    }
    this.members.set(path, { path, mode: S_IFREG | (mode & 0o7777), data, origin });
  }

  // Creates missing parent directories with mode 0755.
  private addParents(path: string, origin: string): void {
    const parts = path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const existing = this.members.get(parent);
      if (!existing) {
        this.members.set(parent, { path: parent, mode: S_IFDIR | 0o755, data: Buffer.alloc(0), origin });
      } else if ((existing.mode & S_IFDIR) === 0) {
        throw new Error(`mkinitrd: "${parent}" is a file (from ${existing.origin}) but ${origin} needs it as a directory`);
      }
    }
  }

  addHostPath(path: string, source: string, mode: number | undefined): void {
    const info = lstatSync(source);
    if (info.isDirectory()) {
      this.addDirectory(path, mode ?? 0o755, source);
      for (const name of readdirSync(source).sort()) {
        const child = path === "" ? name : `${path}/${name}`;
        this.addHostPath(child, join(source, name), undefined);
      }
    } else if (info.isFile()) {
      this.addFile(path, mode ?? info.mode & 0o7777, readFileSync(source), source);
    } else {
      throw new Error(`mkinitrd: ${source} is neither a regular file nor a directory (symbolic links and devices are not supported)`);
    }
  }

  // Members with every directory before its contents: sorting by path
  // components puts "bin" before "bin/sh" and "bin/x" before "bin-old".
  sorted(): Member[] {
    const compare = (a: Member, b: Member): number => {
      const pa = a.path.split("/");
      const pb = b.path.split("/");
      for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
        if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
      }
      return pa.length - pb.length;
    };
    return [...this.members.values()].sort(compare);
  }
}

function hex8(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`mkinitrd: header field value ${value} does not fit in 32 bits`);
  }
  return value.toString(16).toUpperCase().padStart(8, "0");
}

function padding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}

function encodeMember(name: string, mode: number, ino: number, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name + "\0", "utf8");
  const isDirectory = (mode & S_IFDIR) !== 0;
  const fields = [
    ino,
    mode,
    0, // uid: root
    0, // gid: root
    isDirectory ? 2 : 1, // nlink
    0, // mtime: fixed, so the same inputs give the same archive
    data.length,
    0, // devmajor
    0, // devminor
    0, // rdevmajor
    0, // rdevminor
    nameBytes.length,
    0, // check: unused in newc
  ];
  const header = Buffer.from("070701" + fields.map(hex8).join(""), "ascii");
  return Buffer.concat([
    header,
    nameBytes,
    padding(header.length + nameBytes.length),
    data,
    padding(data.length),
  ]);
}

// Returns the archive for `entries`: directories first, then their contents
// in name order, then the trailer. Inode numbers count up from 1.
export function buildArchive(entries: InitrdEntry[]): Buffer {
  const set = new MemberSet();
  for (const entry of entries) {
    const path = normalisePath(entry.path);
    if (entry.data !== undefined && entry.source === undefined) {
      set.addFile(path, entry.mode ?? 0o644, entry.data, `data for "${entry.path}"`);
    } else if (entry.source === undefined) {
      set.addDirectory(path, entry.mode ?? 0o755, `entry "${entry.path}"`);
    } else {
      set.addHostPath(path, entry.source, entry.mode);
    }
  }
  const parts = set.sorted().map((member, index) =>
    encodeMember(member.path, member.mode, index + 1, member.data),
  );
  parts.push(encodeMember(TRAILER, 0, 0, Buffer.alloc(0)));
  return Buffer.concat(parts);
}

// Writes the archive for `entries` to `outFile`.
export function writeArchive(outFile: string, entries: InitrdEntry[]): void {
  writeFileSync(outFile, buildArchive(entries));
}

// Returns damaged copies of a valid ELF executable, by archive file name,
// for tests that expect execve to fail with ENOEXEC:
//   truncated      the ELF header and part of the program headers only
//   wrong-machine  e_machine (offset 18) set to EM_AARCH64 (183)
export function malformedElfs(elf: Buffer): Map<string, Buffer> {
  if (elf.length < 128 || elf.readUInt32BE(0) !== 0x7f454c46) {
    throw new Error("mkinitrd: malformedElfs needs a valid ELF file of at least 128 bytes");
  }
  const wrongMachine = Buffer.from(elf);
  wrongMachine.writeUInt16LE(183, 18);
  return new Map([
    ["truncated", Buffer.from(elf.subarray(0, 100))],
    ["wrong-machine", wrongMachine],
  ]);
}

// Writes the system's initrd:
//   bin/NAME    each of `executables` (mode 0755, NAME its host file name)
//   tests/NAME  each of `testPrograms`, plus tests/truncated and
//               tests/wrong-machine made from bin/hello when it is present
//   tests/raw/NAME, tests/elf/NAME  the hand-built programs and malformed
//               ELF files of tools/hostile-elfs.ts
//   the contents of `rootDir` at the archive root
export function writeInitrd(
  outFile: string,
  executables: string[],
  rootDir: string,
  testPrograms: string[] = [],
): void {
  const entries: InitrdEntry[] = [{ path: "bin", mode: 0o755 }];
  for (const executable of executables) {
    entries.push({ path: `bin/${basename(executable)}`, source: executable, mode: 0o755 });
  }
  if (testPrograms.length > 0) entries.push({ path: "tests", mode: 0o755 });
  for (const program of testPrograms) {
    entries.push({ path: `tests/${basename(program)}`, source: program, mode: 0o755 });
  }
  const hello = executables.find((file) => basename(file) === "hello");
  if (hello !== undefined) {
    for (const [name, data] of malformedElfs(readFileSync(hello))) {
      entries.push({ path: `tests/${name}`, data, mode: 0o755 });
    }
  }
  for (const [name, data] of rawPrograms()) entries.push({ path: `tests/raw/${name}`, data, mode: 0o755 });
  for (const [name, data] of malformedVariants()) entries.push({ path: `tests/elf/${name}`, data, mode: 0o755 });
  entries.push({ path: ".", source: rootDir });
  writeArchive(outFile, entries);
}

const USAGE = `usage: mkinitrd -o OUT.cpio [--root DIR] [ARCHIVE_PATH=HOST_PATH[:MODE]]...
  -o OUT.cpio    archive to write
  --root DIR     add the contents of DIR at the archive root
  ARCHIVE_PATH=HOST_PATH[:MODE]
                 add a host file or directory at ARCHIVE_PATH; MODE is octal
                 permission bits (e.g. bin/sh=build/user/sh:755)
`;

// Parses the command line into the output file and the entries.
export function parseArguments(args: string[]): { outFile: string; entries: InitrdEntry[] } {
  let outFile = "";
  const entries: InitrdEntry[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "-o" || arg === "--root") {
      const value = args[++i];
      if (value === undefined) throw new Error(`mkinitrd: ${arg} needs a value\n${USAGE}`);
      if (arg === "-o") outFile = value;
      else entries.push({ path: ".", source: value });
      continue;
    }
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`mkinitrd: invalid argument "${arg}"\n${USAGE}`);
    let source = arg.slice(eq + 1);
    let mode: number | undefined;
    const match = /^(.*):([0-7]{1,4})$/.exec(source);
    if (match) {
      source = match[1];
      mode = parseInt(match[2], 8);
    }
    entries.push({ path: arg.slice(0, eq), source, mode });
  }
  if (outFile === "") throw new Error(`mkinitrd: missing -o OUT.cpio\n${USAGE}`);
  return { outFile, entries };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { outFile, entries } = parseArguments(process.argv.slice(2));
    writeArchive(outFile, entries);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
