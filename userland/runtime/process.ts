// Process helpers: execve with string arrays and wait-status decoding.

import { CString, CStringArray } from "./cstring";
import { execve, wait4 } from "./syscall";

// Runs `path` in place of this process. Returns -errno only on failure.
export function exec(path: string, args: string[], env: string[]): i32 {
  let cpath = new CString(path);
  let cargs = new CStringArray(args);
  let cenv = new CStringArray(env);
  // No allocation, so no collection, happens between here and the kernel
  // reading the strings, so the locals above keep them alive long enough.
  return execve(cpath.ptr, cargs.ptr, cenv.ptr);
}

// Outcome of wait4: the pid (or -errno) and the raw status word.
export class WaitResult {
  constructor(public pid: i32, public status: i32) {}

  // Linux wait status: exit code in bits 8-15 with bits 0-6 clear, or the
  // terminating signal in bits 0-6.
  get exited(): bool {
    return (this.status & 0x7f) == 0;
  }

  get exitCode(): i32 {
    return (this.status >> 8) & 0xff;
  }

  get signaled(): bool {
    let signal = this.status & 0x7f;
    return signal != 0 && signal != 0x7f;
  }

  get signal(): i32 {
    return this.status & 0x7f;
  }

  // Status as a shell reports it in $?: the exit code, or 128 + signal.
  get shellStatus(): i32 {
    return this.signaled ? 128 + this.signal : this.exitCode;
  }
}

// Waits for child `pid` (-1: any child).
export function waitFor(pid: i32, options: i32 = 0): WaitResult {
  let status = memory.data(4);
  store<i32>(status, 0);
  let result = wait4(pid, status, options);
  return new WaitResult(result, load<i32>(status));
}
