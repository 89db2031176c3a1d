// WebAssembly entry for test/kernel/fs.test.ts: exposes the RAM file system
// (kernel/fs without the system-call layer, which needs a process) to the
// host. Strings travel as UTF-8 in the static `scratch` area: the first
// path at scratch, the second at scratch + PATH_SLOT.

import { fileContentBytes, Inode } from "../../../kernel/fs/inode";
import { fsOpen, OpenFile } from "../../../kernel/fs/openfile";
import {
  fsInit,
  lookup,
  makeDirectory,
  pathOf,
  removeDirectory,
  renamePath,
  resolve,
  unlinkPath,
} from "../../../kernel/fs/vfs";
import { logRead } from "../../../kernel/log";

const SCRATCH_SIZE: i32 = 1 << 20;
const PATH_SLOT: usize = 8192;
const scratchArea = memory.data(SCRATCH_SIZE, 16);
const handles = new Array<OpenFile | null>();

export function scratch(): usize {
  return scratchArea;
}

function firstString(length: usize): string {
  return String.UTF8.decodeUnsafe(scratchArea, length);
}

function secondString(length: usize): string {
  return String.UTF8.decodeUnsafe(scratchArea + PATH_SLOT, length);
}

// Writes `text` as UTF-8 at scratch and returns its byte length.
function returnString(text: string): i32 {
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, scratchArea);
}

export function initFromArchive(address: usize, length: usize): void {
  fsInit(address, length);
}

// Inode number of the path, or 0 when lookup finds nothing.
export function lookupIno(pathLength: usize, cwdLength: usize): u32 {
  const inode = lookup(firstString(pathLength), secondString(cwdLength));
  return inode != null ? inode.ino : 0;
}

// Errno of resolving the path for `uid` (0 when found).
export function resolveError(pathLength: usize, cwdLength: usize, uid: u32): i32 {
  return resolve(firstString(pathLength), secondString(cwdLength), uid, 0).error;
}

function inodeAt(pathLength: usize): Inode {
  const inode = lookup(firstString(pathLength), "/");
  if (inode == null) throw new Error("harness: no such path");
  return inode;
}

export function generationOf(pathLength: usize): u32 {
  return inodeAt(pathLength).generation;
}

export function nlinkOf(pathLength: usize): u32 {
  return inodeAt(pathLength).nlink;
}

// Writes the absolute path of the directory at the path to scratch.
// Returns its length, or -1 when pathOf returns null.
export function absolutePath(pathLength: usize): i32 {
  const path = pathOf(inodeAt(pathLength));
  return path != null ? returnString(path) : -1;
}

// Opens the path. Returns a handle >= 0 or a negative errno.
export function open(pathLength: usize, cwdLength: usize, uid: u32, flags: i32, mode: u32): i32 {
  const result = fsOpen(firstString(pathLength), secondString(cwdLength), uid, 0, flags, mode);
  const file = result.file;
  if (file == null) return result.error;
  handles.push(file);
  return handles.length - 1;
}

function handle(index: i32): OpenFile {
  const file = handles[index];
  if (file == null) throw new Error("harness: handle closed");
  return file;
}

export function read(index: i32, dst: usize, len: usize): i64 {
  return handle(index).read(dst, len);
}

export function write(index: i32, src: usize, len: usize): i64 {
  return handle(index).write(src, len);
}

export function seek(index: i32, offset: i64, whence: i32): i64 {
  return handle(index).seek(offset, whence);
}

export function stat(index: i32, dst: usize): void {
  handle(index).stat(dst);
}

export function getdents(index: i32, dst: usize, len: usize): i64 {
  return handle(index).readDirectory(dst, len);
}

export function close(index: i32): void {
  handle(index).release();
  handles[index] = null;
}

export function mkdir(pathLength: usize, uid: u32, mode: u32): i32 {
  return makeDirectory(firstString(pathLength), "/", uid, 0, mode);
}

export function unlink(pathLength: usize, uid: u32): i32 {
  return unlinkPath(firstString(pathLength), "/", uid, 0);
}

export function rmdir(pathLength: usize, uid: u32): i32 {
  return removeDirectory(firstString(pathLength), "/", uid, 0);
}

export function rename(oldLength: usize, newLength: usize, uid: u32): i32 {
  return renamePath(firstString(oldLength), secondString(newLength), "/", uid, 0);
}

export function contentBytes(): u64 {
  return fileContentBytes();
}

// Copies the kernel log ring to scratch. Returns the byte count.
export function readLog(): usize {
  return logRead(scratchArea, <usize>SCRATCH_SIZE);
}
