// Output helpers and whole-file reads on top of the system-call wrappers.

import { close, open, O_RDONLY, read, write } from "./syscall";
import { CString } from "./cstring";

export const STDIN: i32 = 0;
export const STDOUT: i32 = 1;
export const STDERR: i32 = 2;

// Writes all `len` bytes at wasm address `ptr`, retrying short writes.
// Returns 0 or -errno.
export function writeAll(fd: i32, ptr: usize, len: usize): i32 {
  let done: usize = 0;
  while (done < len) {
    let n = write(fd, ptr + done, len - done);
    if (n < 0) return <i32>n;
    if (n == 0) return -5; // EIO: the file accepts no more bytes
    done += <usize>n;
  }
  return 0;
}

// Writes `text` as UTF-8. Returns 0 or -errno.
export function writeString(fd: i32, text: string): i32 {
  let bytes = String.UTF8.encode(text, false);
  return writeAll(fd, changetype<usize>(bytes), <usize>bytes.byteLength);
}

// Writes `text` to standard output, with no newline added.
export function print(text: string): void {
  writeString(STDOUT, text);
}

// Writes `text` to standard error, with no newline added.
export function eprint(text: string): void {
  writeString(STDERR, text);
}

// Bytes read from a file, or the -errno that stopped the read.
export class ReadResult {
  constructor(public data: Uint8Array, public error: i32) {}
}

// Reads `fd` to its end in chunks of `chunk` bytes.
export function readFd(fd: i32, chunk: i32 = 4096): ReadResult {
  let parts = new Array<Uint8Array>(0);
  let total = 0;
  while (true) {
    let part = new Uint8Array(chunk);
    let n = read(fd, part.dataStart, <usize>chunk);
    if (n < 0) return new ReadResult(joinChunks(parts, total), <i32>n);
    if (n == 0) break;
    parts.push(part.subarray(0, <i32>n));
    total += <i32>n;
  }
  return new ReadResult(joinChunks(parts, total), 0);
}

// Reads the whole file at `path`.
export function readFile(path: string): ReadResult {
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY, 0);
  if (fd < 0) return new ReadResult(new Uint8Array(0), fd);
  let result = readFd(fd);
  close(fd);
  return result;
}

function joinChunks(parts: Uint8Array[], total: i32): Uint8Array {
  let out = new Uint8Array(total);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], offset);
    offset += parts[i].length;
  }
  return out;
}
