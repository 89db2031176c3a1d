// Arguments and environment from the initial process stack of the System V
// AMD64 ABI: [sp] = argc, then argc argv pointers, NULL, envp pointers,
// NULL. initialSp() is the rsp of the latest _start or resident resume, so
// call these inside main(), never at top level: a resident program runs its
// top-level code once at registration and main at every exec.

import { initialSp, nativeLoad64 } from "../../arch/x86_64/intrinsics";
import { stringAtNative } from "./cstring";

export function argc(): i32 {
  return <i32>nativeLoad64(initialSp());
}

export function argv(): string[] {
  let sp = initialSp();
  let count = <i32>nativeLoad64(sp);
  let result = new Array<string>(0);
  for (let i = 0; i < count; i++) {
    result.push(stringAtNative(nativeLoad64(sp + 8 + 8 * <u64>i)));
  }
  return result;
}

export function envp(): string[] {
  let sp = initialSp();
  let count = nativeLoad64(sp);
  let slot = sp + 8 + 8 * (count + 1);
  let result = new Array<string>(0);
  while (true) {
    let ptr = nativeLoad64(slot);
    if (ptr == 0) break;
    result.push(stringAtNative(ptr));
    slot += 8;
  }
  return result;
}

// Returns the value of environment variable `name`, or null when unset.
export function getenv(name: string): string | null {
  let entries = envp();
  for (let i = 0; i < entries.length; i++) {
    let entry = entries[i];
    if (entry.length > name.length && entry.charAt(name.length) == "=" && entry.startsWith(name)) {
      return entry.substring(name.length + 1);
    }
  }
  return null;
}
