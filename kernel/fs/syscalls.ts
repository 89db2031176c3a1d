// File system calls with the Linux x86-64 numbers and semantics. Each one
// copies user memory through kernel/memory/usercopy.ts (a bad pointer
// gives -EFAULT) and returns a result or a negative errno.

import {
  EBADF,
  EFAULT,
  EILSEQ,
  EMFILE,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  EACCES,
  ERANGE,
} from "../lib/errno";
import { isValidUtf8 } from "../lib/utf8";
import { copyIn, copyOut, userStringLength } from "../memory/usercopy";
import { currentProcess } from "../process/sched";
import { Process } from "../process/process";
import { Inode } from "./inode";
import { OpenFile, O_CLOEXEC, fsOpen } from "./openfile";
import { PATH_MAX } from "./path";
import { MAY_EXECUTE, permits } from "./permission";
import { STAT_SIZE } from "./stat";
import { makeDirectory, pathOf, removeDirectory, renamePath, resolve, unlinkPath } from "./vfs";

// Maximum transfer of one read or write, as Linux's MAX_RW_COUNT (2 GiB
// less one page). Longer requests transfer this much.
const MAX_TRANSFER: u64 = 0x7ffff000;
// Kernel bounce buffer size for one step of a transfer.
const CHUNK_SIZE: usize = 64 * 1024;

// NOTE: Process has no group id yet, so every process acts with gid 0.
const PROCESS_GID: u32 = 0;

// Error value of copyUserPath, which returns a path or sets this errno.
export let pathError: i32 = 0;

// Copies the NUL-terminated path at `userVa`. Returns null and sets
// pathError to EFAULT, ENAMETOOLONG (no NUL in PATH_MAX bytes) or EILSEQ
// (not well-formed UTF-8, which the kernel's strings cannot keep as it is).
export function copyUserPath(userVa: u64): string | null {
  const length = userStringLength(currentProcess().vm, userVa, PATH_MAX - 1);
  if (length < 0) {
    pathError = length == -2 ? ENAMETOOLONG : EFAULT;
    return null;
  }
  const buffer = heap.alloc(<usize>length + 1);
  let path: string | null = null;
  if (!copyIn(buffer, userVa, <usize>length)) pathError = EFAULT;
  else if (!isValidUtf8(buffer, <usize>length)) pathError = EILSEQ;
  else path = String.UTF8.decodeUnsafe(buffer, <usize>length);
  heap.free(buffer);
  return path;
}

function fileOf(process: Process, fd: i32): OpenFile | null {
  return process.files.get(fd);
}

// read(2), number 0.
export function sysRead(fd: i32, buf: u64, len: u64): i64 {
  const file = fileOf(currentProcess(), fd);
  if (file == null || !file.isReadable()) return -EBADF;
  let remaining = min(len, MAX_TRANSFER);
  if (remaining == 0) return 0;

  // A file is read until `len` bytes or its end. The console returns after
  // one line, so it gets a single step.
  const isDevice = file.inode() == null;
  const buffer = heap.alloc(<usize>min(remaining, <u64>CHUNK_SIZE));
  let total: i64 = 0;
  while (remaining > 0) {
    const chunk = <usize>min(remaining, <u64>CHUNK_SIZE);
    const count = file.read(buffer, chunk);
    if (count < 0) {
      if (total == 0) total = count;
      break;
    }
    if (count > 0 && !copyOut(buf + <u64>total, buffer, <usize>count)) {
      // The bytes never reached the caller, so a file gives them again on
      // the next read. Console input is lost.
      if (!isDevice) file.offset -= <u64>count;
      if (total == 0) total = -EFAULT;
      break;
    }
    total += count;
    remaining -= <u64>count;
    if (isDevice || <usize>count < chunk) break;
  }
  heap.free(buffer);
  return total;
}

// write(2), number 1.
export function sysWrite(fd: i32, buf: u64, len: u64): i64 {
  const file = fileOf(currentProcess(), fd);
  if (file == null || !file.isWritable()) return -EBADF;
  let remaining = min(len, MAX_TRANSFER);
  if (remaining == 0) return 0;

  const buffer = heap.alloc(<usize>min(remaining, <u64>CHUNK_SIZE));
  let total: i64 = 0;
  while (remaining > 0) {
    const chunk = <usize>min(remaining, <u64>CHUNK_SIZE);
    if (!copyIn(buffer, buf + <u64>total, chunk)) {
      if (total == 0) total = -EFAULT;
      break;
    }
    const count = file.write(buffer, chunk);
    if (count < 0) {
      if (total == 0) total = count;
      break;
    }
    total += count;
    remaining -= <u64>count;
    if (<usize>count < chunk) break;
  }
  heap.free(buffer);
  return total;
}

// open(2), number 2.
export function sysOpen(path: u64, flags: i32, mode: i32): i64 {
  const process = currentProcess();
  const name = copyUserPath(path);
  if (name == null) return -pathError;
  // Checked first so that a failing open creates no file.
  if (!process.files.hasFreeDescriptor()) return -EMFILE;

  const opened = fsOpen(name, process.cwd, process.uid, PROCESS_GID, flags, <u32>mode);
  const file = opened.file;
  if (file == null) return opened.error;
  return process.files.install(file, (flags & O_CLOEXEC) != 0);
}

// close(2), number 3.
export function sysClose(fd: i32): i64 {
  return currentProcess().files.close(fd);
}

// fstat(2), number 5: writes struct stat (144 bytes) to `statbuf`.
export function sysFstat(fd: i32, statbuf: u64): i64 {
  const file = fileOf(currentProcess(), fd);
  if (file == null) return -EBADF;
  const buffer = heap.alloc(STAT_SIZE);
  file.stat(buffer);
  const copied = copyOut(statbuf, buffer, STAT_SIZE);
  heap.free(buffer);
  return copied ? 0 : -EFAULT;
}

// lseek(2), number 8.
export function sysLseek(fd: i32, offset: i64, whence: i32): i64 {
  const file = fileOf(currentProcess(), fd);
  if (file == null) return -EBADF;
  return file.seek(offset, whence);
}

// getdents64(2), number 217: struct linux_dirent64 records.
export function sysGetdents64(fd: i32, buf: u64, len: u64): i64 {
  const file = fileOf(currentProcess(), fd);
  if (file == null) return -EBADF;
  const size = <usize>min(len, <u64>CHUNK_SIZE);
  const buffer = heap.alloc(max(size, 1));
  const offset = file.offset;
  let result = file.readDirectory(buffer, size);
  if (result > 0 && !copyOut(buf, buffer, <usize>result)) {
    // Nothing reached the caller, so the listing resumes where it was.
    file.offset = offset;
    result = -EFAULT;
  }
  heap.free(buffer);
  return result;
}

// chdir(2), number 80.
export function sysChdir(path: u64): i64 {
  const process = currentProcess();
  const name = copyUserPath(path);
  if (name == null) return -pathError;
  const where = resolve(name, process.cwd, process.uid, PROCESS_GID);
  if (where.error != 0) return -where.error;
  const directory = changetype<Inode>(where.inode);
  if (!directory.isDirectory()) return -ENOTDIR;
  if (!permits(directory, process.uid, PROCESS_GID, MAY_EXECUTE)) return -EACCES;
  const absolute = pathOf(directory);
  if (absolute == null) return -ENOENT;
  process.cwd = absolute;
  return 0;
}

// getcwd(2), number 79: returns the length of the path with its NUL, as
// the Linux system call does, or -ERANGE when `size` is too small.
export function sysGetcwd(buf: u64, size: u64): i64 {
  const cwd = currentProcess().cwd;
  const length = <usize>String.UTF8.byteLength(cwd, true);
  if (size < <u64>length) return -ERANGE;
  const bytes = String.UTF8.encode(cwd, true);
  const copied = copyOut(buf, changetype<usize>(bytes), length);
  return copied ? <i64>length : -EFAULT;
}

// unlink(2), number 87.
export function sysUnlink(path: u64): i64 {
  const process = currentProcess();
  const name = copyUserPath(path);
  if (name == null) return -pathError;
  return unlinkPath(name, process.cwd, process.uid, PROCESS_GID);
}

// rename(2), number 82.
export function sysRename(oldPath: u64, newPath: u64): i64 {
  const process = currentProcess();
  const from = copyUserPath(oldPath);
  if (from == null) return -pathError;
  const to = copyUserPath(newPath);
  if (to == null) return -pathError;
  return renamePath(from, to, process.cwd, process.uid, PROCESS_GID);
}

// mkdir(2), number 83.
export function sysMkdir(path: u64, mode: i32): i64 {
  const process = currentProcess();
  const name = copyUserPath(path);
  if (name == null) return -pathError;
  return makeDirectory(name, process.cwd, process.uid, PROCESS_GID, <u32>mode);
}

// rmdir(2), number 84.
export function sysRmdir(path: u64): i64 {
  const process = currentProcess();
  const name = copyUserPath(path);
  if (name == null) return -pathError;
  return removeDirectory(name, process.cwd, process.uid, PROCESS_GID);
}

// dup(2), number 32.
export function sysDup(fd: i32): i64 {
  const files = currentProcess().files;
  const file = files.get(fd);
  if (file == null) return -EBADF;
  return files.install(file, false);
}

// dup2(2), number 33.
export function sysDup2(oldFd: i32, newFd: i32): i64 {
  const files = currentProcess().files;
  const file = files.get(oldFd);
  if (file == null) return -EBADF;
  if (oldFd == newFd) return newFd;
  return files.installAt(newFd, file, false);
}
