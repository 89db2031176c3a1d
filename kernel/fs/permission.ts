// Unix permission checks on inode mode bits (POSIX.1 "File Access
// Permissions"). The superuser (uid 0) passes every check except execute,
// which needs at least one execute bit on a regular file.

import { Inode } from "./inode";

export const MAY_EXECUTE: u32 = 1; // also "search" on a directory
export const MAY_WRITE: u32 = 2;
export const MAY_READ: u32 = 4;

// Returns true when a process with `uid` and `gid` may access `inode` in
// every way that `access` (MAY_* bits) requests.
export function permits(inode: Inode, uid: u32, gid: u32, access: u32): bool {
  if (uid == 0) {
    if ((access & MAY_EXECUTE) == 0 || inode.isDirectory()) return true;
    return (inode.mode & 0o111) != 0;
  }
  let bits = inode.mode & 0o777;
  if (uid == inode.uid) bits >>= 6;
  else if (gid == inode.gid) bits >>= 3;
  return (bits & access) == access;
}
