// Open file descriptions (POSIX.1 "open file description"): the access
// mode, status flags and offset that file descriptors share after fork()
// or dup(). OpenFile is the interface. InodeFile serves RAM file system
// inodes, and TtyFile in kernel/drivers/ttyfile.ts serves the console.

import {
  EACCES,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ESPIPE,
} from "../lib/errno";
import { FIRST_ENTRY_COOKIE, Inode } from "./inode";
import { MAY_READ, MAY_WRITE, permits } from "./permission";
import { directoryEntryType, direntLength, DT_DIR, writeDirent, writeInodeStat } from "./stat";
import { createFile, resolve } from "./vfs";

// open(2) flags, Linux x86-64 values (include/uapi/asm-generic/fcntl.h).
export const O_RDONLY: i32 = 0;
export const O_WRONLY: i32 = 1;
export const O_RDWR: i32 = 2;
export const O_ACCMODE: i32 = 3;
export const O_CREAT: i32 = 0o100;
export const O_EXCL: i32 = 0o200;
export const O_NOCTTY: i32 = 0o400;
export const O_TRUNC: i32 = 0o1000;
export const O_APPEND: i32 = 0o2000;
export const O_NONBLOCK: i32 = 0o4000;
export const O_DIRECTORY: i32 = 0o200000;
export const O_CLOEXEC: i32 = 0o2000000;

// lseek(2) whence values.
export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;

export class OpenFile {
  flags: i32;
  offset: u64 = 0;
  // File descriptors, in all file tables, that refer to this description.
  references: i32 = 0;

  constructor(flags: i32) {
    this.flags = flags;
  }

  isReadable(): bool {
    return (this.flags & O_ACCMODE) != O_WRONLY;
  }

  isWritable(): bool {
    const mode = this.flags & O_ACCMODE;
    return mode == O_WRONLY || mode == O_RDWR;
  }

  // Returns the inode behind this description, or null for a device.
  inode(): Inode | null {
    return null;
  }

  // Reads up to `len` bytes into the kernel buffer `dst`. Returns the count
  // or a negative errno. May block.
  read(dst: usize, len: usize): i64 {
    return -EINVAL;
  }

  // Writes `len` bytes from the kernel buffer `src`. Returns the count or a
  // negative errno.
  write(src: usize, len: usize): i64 {
    return -EINVAL;
  }

  // lseek(2). Returns the new offset or a negative errno.
  seek(offset: i64, whence: i32): i64 {
    return -ESPIPE;
  }

  // Writes struct stat to the kernel buffer `dst` (STAT_SIZE bytes).
  stat(dst: usize): void {}

  // getdents64(2) into the kernel buffer `dst`. Returns the bytes written,
  // 0 at the end, or a negative errno.
  readDirectory(dst: usize, len: usize): i64 {
    return -ENOTDIR;
  }

  // Called when the last file descriptor referring to this is closed.
  release(): void {}
}

export class InodeFile extends OpenFile {
  constructor(
    private file: Inode,
    flags: i32,
  ) {
    super(flags);
    file.openCount++;
  }

  inode(): Inode | null {
    return this.file;
  }

  read(dst: usize, len: usize): i64 {
    const count = this.file.read(this.offset, dst, len);
    if (count > 0) this.offset += <u64>count;
    return count;
  }

  write(src: usize, len: usize): i64 {
    if ((this.flags & O_APPEND) != 0) this.offset = this.file.size;
    const count = this.file.write(this.offset, src, len);
    if (count > 0) this.offset += <u64>count;
    return count;
  }

  seek(offset: i64, whence: i32): i64 {
    let base: i64;
    if (whence == SEEK_SET) base = 0;
    else if (whence == SEEK_CUR) base = <i64>this.offset;
    else if (whence == SEEK_END && !this.file.isDirectory()) base = <i64>this.file.size;
    else return -EINVAL;

    const target = base + offset;
    // Signed overflow shows as a result on the wrong side of `base`.
    if (offset > 0 ? target < base : target > base) return -EINVAL;
    if (target < 0) return -EINVAL;
    this.offset = <u64>target;
    return target;
  }

  stat(dst: usize): void {
    writeInodeStat(this.file, dst);
  }

  // The offset of a directory is the cookie of the next entry to list: 0
  // is ".", 1 is "..", and then DirEntry cookies.
  readDirectory(dst: usize, len: usize): i64 {
    const directory = this.file;
    if (!directory.isDirectory()) return -ENOTDIR;
    let written: usize = 0;

    while (true) {
      const cookie = this.offset;
      let name: string;
      let ino: u64;
      let type: u8 = DT_DIR;
      let next: u64;
      if (cookie == 0) {
        name = ".";
        ino = directory.ino;
        next = 1;
      } else if (cookie == 1) {
        name = "..";
        const parent = directory.parent;
        ino = parent != null ? parent.ino : directory.ino;
        next = FIRST_ENTRY_COOKIE;
      } else {
        const entry = directory.entryFrom(cookie);
        if (entry == null) break;
        name = entry.name;
        ino = entry.inode.ino;
        type = directoryEntryType(entry.inode);
        next = entry.cookie + 1;
      }

      const length = direntLength(<usize>String.UTF8.byteLength(name));
      if (length > len - written) {
        if (written == 0) return -EINVAL; // buffer too small for one record
        break;
      }
      written += writeDirent(dst + written, ino, next, type, name);
      this.offset = next;
    }
    return <i64>written;
  }

  release(): void {
    this.file.openCount--;
    this.file.releaseIfUnused();
  }
}

// Result of fsOpen: `file` on success, else a negative errno in `error`.
export class OpenResult {
  error: i32 = 0;
  file: OpenFile | null = null;
}

function openFailed(result: OpenResult, error: i32): OpenResult {
  result.error = -error;
  return result;
}

// open(2) on the RAM file system for a process with `uid` and `gid` in the
// working directory `cwd`. `mode` gives the permission bits of a file that
// O_CREAT creates. The returned description has no references yet.
export function fsOpen(path: string, cwd: string, uid: u32, gid: u32, flags: i32, mode: u32): OpenResult {
  const result = new OpenResult();
  const accessMode = flags & O_ACCMODE;
  if (accessMode == O_ACCMODE) return openFailed(result, EINVAL);

  const where = resolve(path, cwd, uid, gid);
  let created = false;
  if (where.error == ENOENT && (flags & O_CREAT) != 0 && where.parent != null) {
    const error = createFile(where, mode, uid, gid);
    if (error != 0) {
      result.error = error;
      return result;
    }
    created = true;
  } else if (where.error != 0) {
    return openFailed(result, where.error);
  } else if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
    return openFailed(result, EEXIST);
  }

  const inode = changetype<Inode>(where.inode);
  if ((flags & O_DIRECTORY) != 0 && !inode.isDirectory()) return openFailed(result, ENOTDIR);
  if (inode.isDirectory() && (accessMode != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0)) {
    return openFailed(result, EISDIR);
  }
  if (!created) {
    let access: u32 = 0;
    if (accessMode != O_WRONLY) access |= MAY_READ;
    if (accessMode != O_RDONLY) access |= MAY_WRITE;
    if (!permits(inode, uid, gid, access)) return openFailed(result, EACCES);
  }
  if ((flags & O_TRUNC) != 0 && accessMode != O_RDONLY && inode.isRegular()) {
    const error = inode.truncate(0);
    if (error < 0) {
      result.error = <i32>error;
      return result;
    }
  }

  // File creation flags act only during open(2), so the description keeps
  // only the access mode and the status flags.
  result.file = new InodeFile(inode, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
  return result;
}
