// Conversions between AssemblyScript strings (UTF-16) and the NUL-terminated
// UTF-8 strings that system calls take.

import { nativeLoad8 } from "../../arch/x86_64/intrinsics";
import { nativeAddress } from "./syscall";

// A NUL-terminated UTF-8 copy of a string. Keep the object alive for as long
// as the kernel may read `ptr`, because the collector may free the buffer.
export class CString {
  readonly buffer: ArrayBuffer;

  constructor(text: string) {
    this.buffer = String.UTF8.encode(text, true);
  }

  // Wasm address of the first byte.
  get ptr(): usize {
    return changetype<usize>(this.buffer);
  }

  // Native address of the first byte.
  get native(): i64 {
    return nativeAddress(changetype<usize>(this.buffer));
  }
}

// Decodes `len` bytes of UTF-8 at wasm address `ptr`.
export function decodeUtf8(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len, false);
}

// Copies the NUL-terminated UTF-8 string at native address `addr` (outside
// linear memory, e.g. on the initial stack) into a string.
export function stringAtNative(addr: u64): string {
  let len: u64 = 0;
  while (nativeLoad8(addr + len) != 0) len++;
  let bytes = new Uint8Array(<i32>len);
  for (let i: u64 = 0; i < len; i++) {
    bytes[<i32>i] = nativeLoad8(addr + i);
  }
  return String.UTF8.decodeUnsafe(bytes.dataStart, <usize>len, false);
}

// A NULL-terminated array of native string addresses, as execve(2) takes for
// argv and envp. Holds the CStrings so that they outlive the call.
export class CStringArray {
  readonly strings: CString[] = [];
  readonly pointers: Uint64Array;

  constructor(items: string[]) {
    this.pointers = new Uint64Array(items.length + 1);
    for (let i = 0; i < items.length; i++) {
      let s = new CString(items[i]);
      this.strings.push(s);
      this.pointers[i] = <u64>s.native;
    }
    this.pointers[items.length] = 0;
  }

  // Wasm address of the first pointer.
  get ptr(): usize {
    return this.pointers.dataStart;
  }
}
