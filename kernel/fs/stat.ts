// Layouts that file system calls write into user buffers: struct stat and
// struct linux_dirent64 of the Linux x86-64 ABI.

import { Inode, S_IFDIR, S_IFMT, S_IFREG } from "./inode";

// struct stat on x86-64 (Linux arch/x86/include/uapi/asm/stat.h):
//
//   0 st_dev u64     8 st_ino u64      16 st_nlink u64
//  24 st_mode u32   28 st_uid u32      32 st_gid u32     36 padding
//  40 st_rdev u64   48 st_size i64     56 st_blksize i64  64 st_blocks i64
//  72 st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime,
//     st_ctime_nsec (i64 each)        120 three reserved i64
export const STAT_SIZE: usize = 144;

// Device number of the RAM file system: anonymous major 0, minor 1.
export const RAMFS_DEVICE: u64 = 1;
const BLOCK_SIZE: i64 = 4096;

// Encodes a device number as Linux's new dev_t (include/linux/kdev_t.h):
// minor bits 0-7 and 20-31, major bits 8-19 and 32-43.
export function makeDevice(major: u32, minor: u32): u64 {
  return (
    <u64>(minor & 0xff) |
    (<u64>(major & 0xfff) << 8) |
    (<u64>(minor & ~0xff) << 12) |
    (<u64>(major & ~0xfff) << 32)
  );
}

// Writes a struct stat to the kernel buffer `dst` (STAT_SIZE bytes).
export function writeStat(
  dst: usize,
  device: u64,
  ino: u64,
  mode: u32,
  nlink: u64,
  uid: u32,
  gid: u32,
  rdev: u64,
  size: u64,
  mtime: u64,
): void {
  memory.fill(dst, 0, STAT_SIZE);
  store<u64>(dst, device, 0);
  store<u64>(dst, ino, 8);
  store<u64>(dst, nlink, 16);
  store<u32>(dst, mode, 24);
  store<u32>(dst, uid, 28);
  store<u32>(dst, gid, 32);
  store<u64>(dst, rdev, 40);
  store<i64>(dst, <i64>size, 48);
  store<i64>(dst, BLOCK_SIZE, 56);
  store<i64>(dst, <i64>((size + 511) / 512), 64);
  store<u64>(dst, mtime, 72); // st_atime
  store<u64>(dst, mtime, 88); // st_mtime
  store<u64>(dst, mtime, 104); // st_ctime
}

// Writes the struct stat of `inode` to the kernel buffer `dst`.
export function writeInodeStat(inode: Inode, dst: usize): void {
  writeStat(dst, RAMFS_DEVICE, inode.ino, inode.mode, inode.nlink, inode.uid, inode.gid, 0, inode.size, inode.mtime);
}

// d_type values of struct linux_dirent64 (Linux include/linux/fs_types.h).
export const DT_UNKNOWN: u8 = 0;
export const DT_CHR: u8 = 2;
export const DT_DIR: u8 = 4;
export const DT_REG: u8 = 8;

export function directoryEntryType(inode: Inode): u8 {
  const type = inode.mode & S_IFMT;
  if (type == S_IFDIR) return DT_DIR;
  if (type == S_IFREG) return DT_REG;
  return DT_UNKNOWN;
}

// struct linux_dirent64 (Linux getdents64(2)):
//
//   0 d_ino u64   8 d_off i64   16 d_reclen u16   18 d_type u8
//  19 d_name, NUL-terminated, then zero padding to a multiple of 8
const DIRENT_NAME_OFFSET: usize = 19;

// Returns d_reclen for a name of `nameBytes` UTF-8 bytes.
export function direntLength(nameBytes: usize): usize {
  return (DIRENT_NAME_OFFSET + nameBytes + 1 + 7) & ~(<usize>7);
}

// Writes one linux_dirent64 record at `dst` and returns its length. The
// caller checked that direntLength(byte length of `name`) bytes fit.
// `nextOffset` is the d_off that resumes the listing after this record.
export function writeDirent(dst: usize, ino: u64, nextOffset: u64, type: u8, name: string): usize {
  const nameBytes = <usize>String.UTF8.byteLength(name);
  const length = direntLength(nameBytes);
  memory.fill(dst, 0, length);
  store<u64>(dst, ino, 0);
  store<u64>(dst, nextOffset, 8);
  store<u16>(dst, <u16>length, 16);
  store<u8>(dst, type, 18);
  String.UTF8.encodeUnsafe(changetype<usize>(name), name.length, dst + DIRENT_NAME_OFFSET);
  return length;
}
