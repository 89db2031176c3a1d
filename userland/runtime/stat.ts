// struct stat and struct linux_dirent64 as the Linux x86-64 kernel lays them
// out (the layouts that fstat(2) and getdents64(2) fill in).

import { close, fstat, getdents64, open, O_RDONLY } from "./syscall";
import { CString } from "./cstring";

//   0 st_dev u64      8 st_ino u64     16 st_nlink u64   24 st_mode u32
//  28 st_uid u32     32 st_gid u32     40 st_rdev u64    48 st_size i64
//  56 st_blksize i64 64 st_blocks i64  72 st_atime ...   144 bytes in all
export const STAT_SIZE: i32 = 144;

export const S_IFMT: u32 = 0o170000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFREG: u32 = 0o100000;
export const S_IFCHR: u32 = 0o020000;
export const S_IFLNK: u32 = 0o120000;

export class Stat {
  ino: u64 = 0;
  nlink: u64 = 0;
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  size: i64 = 0;

  get isDirectory(): bool {
    return (this.mode & S_IFMT) == S_IFDIR;
  }
}

// Returns the status of open file `fd`, or null with `lastStatError` set.
export function fstatFd(fd: i32): Stat | null {
  let buf = new Uint8Array(STAT_SIZE);
  let result = fstat(fd, buf.dataStart);
  if (result < 0) {
    lastStatError = result;
    return null;
  }
  let p = buf.dataStart;
  let st = new Stat();
  st.ino = load<u64>(p, 8);
  st.nlink = load<u64>(p, 16);
  st.mode = load<u32>(p, 24);
  st.uid = load<u32>(p, 28);
  st.gid = load<u32>(p, 32);
  st.size = load<i64>(p, 48);
  return st;
}

// -errno of the latest failed fstatFd or statPath.
export let lastStatError: i32 = 0;

// Returns the status of `path` (open, fstat, close: the system-call set has
// no stat), or null with `lastStatError` set.
export function statPath(path: string): Stat | null {
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY, 0);
  if (fd < 0) {
    lastStatError = fd;
    return null;
  }
  let st = fstatFd(fd);
  close(fd);
  return st;
}

// One directory entry from getdents64.
export class DirEntry {
  constructor(public ino: u64, public type: u8, public name: string) {}
}

// d_type values of getdents64(2).
export const DT_DIR: u8 = 4;
export const DT_REG: u8 = 8;

// linux_dirent64: 0 d_ino u64, 8 d_off i64, 16 d_reclen u16, 18 d_type u8,
// 19 d_name (NUL-terminated), records padded to d_reclen.
export class DirResult {
  constructor(public entries: DirEntry[], public error: i32) {}
}

// Reads all entries of open directory `fd`.
export function readDirFd(fd: i32): DirResult {
  let entries = new Array<DirEntry>(0);
  let buf = new Uint8Array(4096);
  while (true) {
    let n = getdents64(fd, buf.dataStart, 4096);
    if (n < 0) return new DirResult(entries, <i32>n);
    if (n == 0) break;
    let offset: i32 = 0;
    while (offset < <i32>n) {
      let record = buf.dataStart + <usize>offset;
      let reclen = <i32>load<u16>(record, 16);
      if (reclen == 0) break;
      let nameStart = record + 19;
      let nameLen: usize = 0;
      let nameMax = <usize>(reclen - 19);
      while (nameLen < nameMax && load<u8>(nameStart + nameLen) != 0) nameLen++;
      let name = String.UTF8.decodeUnsafe(nameStart, nameLen, false);
      entries.push(new DirEntry(load<u64>(record), load<u8>(record, 18), name));
      offset += reclen;
    }
  }
  return new DirResult(entries, 0);
}
