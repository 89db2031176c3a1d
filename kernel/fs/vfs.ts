// The file system namespace: the root directory, boot-time population from
// the initrd, path lookup and the operations that change directories
// (create, mkdir, unlink, rmdir, rename). Results are 0 or a negative
// errno, as the system calls return them.

import {
  EACCES,
  EBUSY,
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  ENOTEMPTY,
} from "../lib/errno";
import { hex } from "../lib/format";
import { klog, klogError } from "../log";
import { parseCpio } from "./cpio";
import {
  directoryEntryCount,
  Inode,
  MAX_DIRECTORY_ENTRIES,
  PERMISSION_MASK,
  S_IFDIR,
  S_IFREG,
} from "./inode";
import { unpackArchive } from "./initrd";
import { PathLookup, resolvePath } from "./path";
import { MAY_EXECUTE, MAY_WRITE, permits } from "./permission";

// Kernel pointers are 32-bit physical addresses, so the initrd must end
// below 4 GiB.
const ADDRESS_LIMIT: u64 = <u64>1 << 32;

let root: Inode = newRoot();

function newRoot(): Inode {
  const directory = new Inode(S_IFDIR | 0o755, 0, 0);
  directory.parent = directory;
  directory.nlink = 2; // "." and "..", which both name the root
  return directory;
}

export function rootDirectory(): Inode {
  return root;
}

// Builds the file system from the cpio "newc" archive of `length` bytes at
// physical address `initrdPhys`. A malformed archive is logged and skipped,
// which leaves an empty root directory. File content is read in place, so
// the initrd's memory must stay reserved for the kernel's lifetime.
export function fsInit(initrdPhys: usize, length: usize): void {
  root = newRoot();
  if (length == 0) {
    klogError("initrd: none loaded; the root directory is empty");
    return;
  }
  if (<u64>initrdPhys + <u64>length > ADDRESS_LIMIT) {
    klogError("initrd: at " + hex(initrdPhys) + " with " + length.toString() + " bytes ends above 4 GiB; skipped");
    return;
  }
  const archive = parseCpio(initrdPhys, length);
  const error = archive.error;
  if (error != null) {
    klogError("initrd: malformed cpio archive at " + hex(initrdPhys) + ", " + error + "; skipped");
    return;
  }
  klog("initrd: " + length.toString() + " bytes at " + hex(initrdPhys));
  unpackArchive(root, archive);
}

// Resolves `path` relative to the absolute directory path `cwd` with the
// superuser's rights. Returns the inode, or null when it does not exist.
export function lookup(path: string, cwd: string): Inode | null {
  const result = resolvePath(root, path, cwd, 0, 0);
  return result.error == 0 ? result.inode : null;
}

// Resolves `path` for a process with `uid` and `gid`, as PathLookup
// describes.
export function resolve(path: string, cwd: string, uid: u32, gid: u32): PathLookup {
  return resolvePath(root, path, cwd, uid, gid);
}

// Returns the absolute path of the directory `directory`, or null when it
// is no longer reachable from the root (it was removed).
export function pathOf(directory: Inode): string | null {
  if (directory == root) return "/";
  let path = "";
  let current = directory;
  while (current != root) {
    const parent = current.parent;
    if (parent == null) return null;
    const name = parent.nameOf(current);
    if (name == null) return null;
    path = "/" + name + path;
    current = parent;
  }
  return path;
}

// Checks that a process may add or remove names in `directory`.
function mayModify(directory: Inode, uid: u32, gid: u32): bool {
  return permits(directory, uid, gid, MAY_WRITE | MAY_EXECUTE);
}

// Creates a regular file with permission bits `mode` at the place that
// `where` (an ENOENT result that has a parent) gives. Returns 0 and sets
// where.inode, or returns a negative errno.
export function createFile(
  where: PathLookup,
  mode: u32,
  uid: u32,
  gid: u32,
): i32 {
  const parent = where.parent;
  if (where.error != ENOENT || parent == null) return -(where.error != 0 ? where.error : EEXIST);
  if (where.trailingSlash) return -EISDIR;
  if (!mayModify(parent, uid, gid)) return -EACCES;
  if (directoryEntryCount() >= MAX_DIRECTORY_ENTRIES) return -ENOSPC;
  const file = new Inode(S_IFREG | (mode & PERMISSION_MASK), uid, gid);
  parent.addEntry(where.name, file);
  where.inode = file;
  where.error = 0;
  return 0;
}

// mkdir(2): creates the directory `path` with permission bits `mode`.
export function makeDirectory(path: string, cwd: string, uid: u32, gid: u32, mode: u32): i32 {
  const where = resolve(path, cwd, uid, gid);
  if (where.error == 0) return -EEXIST;
  const parent = where.parent;
  if (where.error != ENOENT || parent == null) return -where.error;
  if (!mayModify(parent, uid, gid)) return -EACCES;
  if (directoryEntryCount() >= MAX_DIRECTORY_ENTRIES) return -ENOSPC;
  const directory = new Inode(S_IFDIR | (mode & PERMISSION_MASK), uid, gid);
  parent.addEntry(where.name, directory);
  return 0;
}

// unlink(2): removes the name `path` of a file that is not a directory.
export function unlinkPath(path: string, cwd: string, uid: u32, gid: u32): i32 {
  const where = resolve(path, cwd, uid, gid);
  if (where.error != 0) return -where.error;
  const inode = changetype<Inode>(where.inode);
  const parent = where.parent;
  if (inode.isDirectory() || parent == null) return -EISDIR;
  if (!mayModify(parent, uid, gid)) return -EACCES;
  parent.removeEntry(where.name);
  inode.generation++;
  inode.releaseIfUnused();
  return 0;
}

// rmdir(2): removes the empty directory `path`.
export function removeDirectory(path: string, cwd: string, uid: u32, gid: u32): i32 {
  const where = resolve(path, cwd, uid, gid);
  if (where.error != 0) return -where.error;
  const directory = changetype<Inode>(where.inode);
  const parent = where.parent;
  if (!directory.isDirectory()) return -ENOTDIR;
  if (directory == root || parent == null) return -EBUSY;
  if (where.name == ".") return -EINVAL;
  if (where.name == "..") return -ENOTEMPTY;
  // Permission before emptiness, as Linux: a user without write access
  // learns nothing about the directory's contents.
  if (!mayModify(parent, uid, gid)) return -EACCES;
  if (directory.entryCount() > 0) return -ENOTEMPTY;
  parent.removeEntry(where.name);
  directory.generation++;
  return 0;
}

// Returns true when `directory` is `ancestor` or lies below it.
function isWithin(directory: Inode, ancestor: Inode): bool {
  let current = directory;
  while (true) {
    if (current == ancestor) return true;
    const parent = current.parent;
    if (parent == null || parent == current) return false;
    current = parent;
  }
  return false;
}

// rename(2): moves `oldPath` to `newPath`, replacing what `newPath` names
// when POSIX allows it.
export function renamePath(oldPath: string, newPath: string, cwd: string, uid: u32, gid: u32): i32 {
  const from = resolve(oldPath, cwd, uid, gid);
  if (from.error != 0) return -from.error;
  const to = resolve(newPath, cwd, uid, gid);
  // Only the last component of the new path may be missing.
  if (to.error != 0 && (to.error != ENOENT || to.parent == null)) return -to.error;
  const fromParent = from.parent;
  const toParent = to.parent;
  if (fromParent == null || toParent == null) return -EBUSY; // one is "/"
  if (from.name == "." || from.name == ".." || to.name == "." || to.name == "..") return -EINVAL;

  const inode = changetype<Inode>(from.inode);
  if (to.trailingSlash && !inode.isDirectory()) return -ENOTDIR;
  if (!mayModify(fromParent, uid, gid) || !mayModify(toParent, uid, gid)) return -EACCES;

  const replaced = to.inode;
  if (replaced == inode) return 0;
  if (inode.isDirectory() && isWithin(toParent, inode)) return -EINVAL;
  if (replaced != null) {
    if (inode.isDirectory() && !replaced.isDirectory()) return -ENOTDIR;
    if (!inode.isDirectory() && replaced.isDirectory()) return -EISDIR;
    if (replaced.isDirectory() && replaced.entryCount() > 0) return -ENOTEMPTY;
    toParent.removeEntry(to.name);
    replaced.generation++;
    replaced.releaseIfUnused();
  }

  fromParent.removeEntry(from.name);
  toParent.addEntry(to.name, inode);
  inode.generation++;
  return 0;
}
