// Line-at-a-time reads from a file descriptor.

import { read } from "../../runtime";

export class LineReader {
  pending: Uint8Array = new Uint8Array(0);
  eof: bool = false;
  // -errno of the read that ended input, 0 at a normal end of file.
  error: i32 = 0;

  constructor(public fd: i32) {}

  // Returns the next line without its "\n" (and a "\r" before it), or null
  // at the end of input. A last line without "\n" is still returned.
  next(): string | null {
    while (true) {
      let newline = this.pending.indexOf(0x0a);
      if (newline >= 0) {
        let end = newline;
        if (end > 0 && this.pending[end - 1] == 0x0d) end--;
        let line = String.UTF8.decodeUnsafe(this.pending.dataStart, <usize>end, false);
        this.pending = this.pending.slice(newline + 1);
        return line;
      }
      if (this.eof) {
        if (this.pending.length == 0) return null;
        let line = String.UTF8.decodeUnsafe(
          this.pending.dataStart,
          <usize>this.pending.length,
          false,
        );
        this.pending = new Uint8Array(0);
        return line;
      }
      this.fill();
    }
  }

  fill(): void {
    let chunk = new Uint8Array(512);
    let n = read(this.fd, chunk.dataStart, 512);
    if (n <= 0) {
      this.eof = true;
      this.error = <i32>n;
      return;
    }
    let joined = new Uint8Array(this.pending.length + <i32>n);
    joined.set(this.pending, 0);
    joined.set(chunk.subarray(0, <i32>n), this.pending.length);
    this.pending = joined;
  }
}
