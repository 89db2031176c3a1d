// In-memory inodes of the RAM file system: regular files with their content
// and directories with their entries.

import { EFBIG, EINVAL, EISDIR, ENOSPC } from "../lib/errno";

// File type and permission bits of st_mode (Linux include/uapi/linux/stat.h).
export const S_IFMT: u32 = 0o170000;
export const S_IFSOCK: u32 = 0o140000;
export const S_IFLNK: u32 = 0o120000;
export const S_IFREG: u32 = 0o100000;
export const S_IFBLK: u32 = 0o060000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFCHR: u32 = 0o020000;
export const S_IFIFO: u32 = 0o010000;
export const PERMISSION_MASK: u32 = 0o7777;

// Limits on file content kept on the kernel heap, which ends at 48 MiB and
// is shared with every other kernel object. asc's allocator aborts (a
// kernel panic) when the heap is exhausted, so writes fail with EFBIG or
// ENOSPC well before that. Content still in the initrd does not count.
// NOTE: both limits are estimates for a 32 MiB heap, not measured.
// 2 MiB, because each file's content is one contiguous heap block. After a
// storm of forks the free heap is split by the holes of freed kernel
// stacks, and an 8 MiB block then found no room (a panic).
// TODO: keep content in frames or chunks, so that files can be larger.
export const MAX_FILE_SIZE: u64 = 2 << 20;
// 8 MiB, because the kernel stacks of 256 processes take another 8 MiB of
// the heap, and a growing file briefly holds its old and new buffers.
export const MAX_CONTENT_BYTES: u64 = 8 << 20;
// asc's collector paces itself by managed allocations only, so garbage
// content buffers could still hold the heap when fork allocates kernel
// stacks (a panic when the heap runs out, seen in hostile-syscalls heap).
// Buffers of this size or more are collected when released, and a full
// collection runs before one is allocated.
const LARGE_CONTENT_BYTES: u64 = 64 << 10;

const MIN_CAPACITY: usize = 64;

// Cookie (getdents position) of the first real entry. Cookies 0 and 1 are
// "." and "..".
export const FIRST_ENTRY_COOKIE: u64 = 2;

// Heap bytes held by file content buffers of all inodes.
let contentBytes: u64 = 0;
// Names in all directories. Every name keeps an inode, a DirEntry, a map
// slot and the name itself on the kernel heap, so creation stops at
// MAX_DIRECTORY_ENTRIES instead of exhausting the heap (an abort, so a
// panic). NOTE: the limit is an estimate. About 80,000 empty files with
// short names exhausted the heap in a test (hostile-syscalls inodes).
let directoryEntries: u32 = 0;
export const MAX_DIRECTORY_ENTRIES: u32 = 4096;

// Returns the number of names in all directories.
export function directoryEntryCount(): u32 {
  return directoryEntries;
}

let nextInodeNumber: u32 = 1;

// Returns the heap bytes that file content buffers hold.
export function fileContentBytes(): u64 {
  return contentBytes;
}

// A name in a directory. `cookie` is the entry's position for getdents.
// Cookies rise in insertion order and are never reused within a directory,
// so a listing in progress survives insertions and removals.
export class DirEntry {
  constructor(
    public name: string,
    public inode: Inode,
    public cookie: u64,
  ) {}
}

export class Inode {
  ino: u32;
  mode: u32;
  uid: u32;
  gid: u32;
  // Directory entries naming this inode. A directory also counts its own
  // "." and the ".." of each subdirectory.
  nlink: u32 = 0;
  size: u64 = 0;
  // Rises on every write, truncate, rename or unlink, so that a snapshot
  // of the file (a resident executable) can be found stale.
  generation: u32 = 0;
  // Modification time in seconds since the epoch, from the initrd. There
  // is no clock yet, so writes leave it as it is.
  mtime: u64 = 0;
  // Open file descriptions referring to this inode. Content is released
  // once both this and nlink are 0.
  openCount: u32 = 0;

  // Directory only: the directory containing this one (root: itself).
  parent: Inode | null = null;
  private entries: Array<DirEntry> = [];
  private entriesByName: Map<string, DirEntry> | null = null;
  private nextCookie: u64 = FIRST_ENTRY_COOKIE;

  // Regular file only: `content` is the address of the first byte. It
  // points into `buffer` when that is set, else into the initrd image,
  // which stays in place and is never written.
  private content: usize = 0;
  private buffer: ArrayBuffer | null = null;

  constructor(mode: u32, uid: u32, gid: u32) {
    this.ino = nextInodeNumber++;
    this.mode = mode;
    this.uid = uid;
    this.gid = gid;
    if (this.isDirectory()) {
      this.entriesByName = new Map<string, DirEntry>();
      this.nlink = 1; // its own "."
    }
  }

  isDirectory(): bool {
    return (this.mode & S_IFMT) == S_IFDIR;
  }

  isRegular(): bool {
    return (this.mode & S_IFMT) == S_IFREG;
  }

  // Copies up to `len` bytes from `offset` into the kernel buffer `dst`.
  // Returns the count (0 at or past the end), or -EISDIR for a directory.
  read(offset: u64, dst: usize, len: usize): i64 {
    if (this.isDirectory()) return -EISDIR;
    if (offset >= this.size) return 0;
    const count = <usize>min(<u64>len, this.size - offset);
    memory.copy(dst, this.content + <usize>offset, count);
    return <i64>count;
  }

  // Copies `len` bytes from the kernel buffer `src` to `offset`, extending
  // the file and zero-filling any gap. Returns `len`, or -EISDIR, -EFBIG
  // (past MAX_FILE_SIZE) or -ENOSPC (content limit reached).
  write(offset: u64, src: usize, len: usize): i64 {
    if (this.isDirectory()) return -EISDIR;
    if (len == 0) return 0;
    const end = offset + <u64>len;
    if (end < offset || end > MAX_FILE_SIZE) return -EFBIG;
    const error = this.makeWritable(end);
    if (error != 0) return -error;

    if (offset > this.size) {
      memory.fill(this.content + <usize>this.size, 0, <usize>(offset - this.size));
    }
    memory.copy(this.content + <usize>offset, src, len);
    if (end > this.size) this.size = end;
    this.generation++;
    return <i64>len;
  }

  // Sets the size to `size`, zero-filling when it grows. Returns 0, or
  // -EISDIR, -EINVAL, -EFBIG or -ENOSPC.
  truncate(size: u64): i64 {
    if (this.isDirectory()) return -EISDIR;
    if (!this.isRegular()) return -EINVAL;
    if (size > MAX_FILE_SIZE) return -EFBIG;
    if (size == 0) {
      this.releaseContent();
    } else if (size > this.size) {
      const error = this.makeWritable(size);
      if (error != 0) return -error;
      memory.fill(this.content + <usize>this.size, 0, <usize>(size - this.size));
    }
    // Shrinking content still in the initrd keeps it there: it is only read.
    this.size = size;
    this.generation++;
    return 0;
  }

  // Makes this file's content the `size` bytes at kernel address `address`
  // (inside the initrd image), read in place until the first write.
  setContentInPlace(address: usize, size: u64): void {
    this.releaseContent();
    this.content = address;
    this.size = size;
  }

  // Frees the content once no directory entry and no open file refer to
  // this inode.
  releaseIfUnused(): void {
    if (this.nlink == 0 && this.openCount == 0 && this.isRegular()) {
      const buffer = this.buffer;
      const large = buffer != null && <u64>buffer.byteLength >= LARGE_CONTENT_BYTES;
      this.releaseContent();
      this.size = 0;
      if (large) __collect();
    }
  }

  private releaseContent(): void {
    const buffer = this.buffer;
    if (buffer != null) contentBytes -= <u64>buffer.byteLength;
    this.buffer = null;
    this.content = 0;
  }

  // Ensures that `content` is a heap buffer of at least `minimumSize` bytes
  // and the current size, copying content from the initrd or from a smaller
  // buffer. Returns 0 or an errno.
  private makeWritable(minimumSize: u64): i32 {
    // The buffer also keeps every byte the file has now.
    const size = max(minimumSize, this.size);
    const buffer = this.buffer;
    const capacity: u64 = buffer != null ? <u64>buffer.byteLength : 0;
    if (buffer != null && size <= capacity) return 0;

    let newCapacity = max(size, max(capacity * 2, <u64>MIN_CAPACITY));
    newCapacity = min(newCapacity, MAX_FILE_SIZE);
    if (contentBytes - capacity + newCapacity > MAX_CONTENT_BYTES) {
      newCapacity = size;
      if (contentBytes - capacity + newCapacity > MAX_CONTENT_BYTES) return ENOSPC;
    }

    if (newCapacity >= LARGE_CONTENT_BYTES) __collect();
    const grown = new ArrayBuffer(<i32>newCapacity);
    const address = changetype<usize>(grown);
    if (this.size > 0) memory.copy(address, this.content, <usize>this.size);
    this.releaseContent();
    this.buffer = grown;
    this.content = address;
    contentBytes += newCapacity;
    return 0;
  }

  // Returns the inode named `name` in this directory, or null.
  findEntry(name: string): Inode | null {
    const byName = this.entriesByName;
    if (byName == null || !byName.has(name)) return null;
    return byName.get(name).inode;
  }

  // Adds the entry `name` for `child`, which must not exist yet, and counts
  // the links it creates. A directory child gets this directory as parent.
  addEntry(name: string, child: Inode): void {
    const entry = new DirEntry(name, child, this.nextCookie++);
    directoryEntries++;
    this.entries.push(entry);
    changetype<Map<string, DirEntry>>(this.entriesByName).set(name, entry);
    child.nlink++;
    if (child.isDirectory()) {
      child.parent = this;
      this.nlink++; // the child's ".."
    }
  }

  // Removes the entry `name`, undoing the links addEntry counted. Returns
  // the inode it named, or null when there is no such entry.
  removeEntry(name: string): Inode | null {
    const byName = this.entriesByName;
    if (byName == null || !byName.has(name)) return null;
    const entry = byName.get(name);
    byName.delete(name);
    directoryEntries--;
    const index = this.findIndexFrom(entry.cookie);
    this.entries.splice(index, 1);

    const child = entry.inode;
    child.nlink--;
    if (child.isDirectory()) {
      this.nlink--;
      child.nlink--; // its "." goes with it
    }
    return child;
  }

  // Returns the number of entries, not counting "." and "..".
  entryCount(): i32 {
    return this.entries.length;
  }

  // Returns the first entry whose cookie is at least `cookie`, or null.
  entryFrom(cookie: u64): DirEntry | null {
    const index = this.findIndexFrom(cookie);
    return index < this.entries.length ? this.entries[index] : null;
  }

  // Returns the name of `child` in this directory, or null.
  nameOf(child: Inode): string | null {
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].inode == child) return this.entries[i].name;
    }
    return null;
  }

  // Binary search: index of the first entry with a cookie >= `cookie`.
  private findIndexFrom(cookie: u64): i32 {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle].cookie < cookie) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
