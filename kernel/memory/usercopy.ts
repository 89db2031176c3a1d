// Copies between kernel memory and user virtual addresses. Every access
// walks the process's page tables and goes through the direct map, so it
// needs no stac/clac under SMAP. It checks the PTE as the CPU would: a read
// needs a present user page, a write also a writable (or copy-on-write)
// one. Any other page, or a range reaching into the upper half, fails, and
// the system call then returns -EFAULT.
import { currentProcess } from "../process/sched";
import {
  PAGE_SIZE,
  PTE_ADDRESS,
  PTE_COW,
  PTE_PRESENT,
  PTE_USER,
  PTE_WRITABLE,
  USER_END,
  VmSpace,
} from "./paging";

// Returns true when [va, va + len) lies in the user half.
export function isUserRange(va: u64, len: u64): bool {
  return va < USER_END && len <= USER_END - va;
}

// Returns the physical address of `va` when its page allows the access,
// else -1. A write to a copy-on-write page first gets it a private frame.
function userPhysical(space: VmSpace, va: u64, write: bool): u64 {
  let entry = space.entry(va);
  if (write && (entry & PTE_COW) != 0 && (entry & PTE_USER) != 0) {
    if (!space.resolveCopyOnWrite(va)) return <u64>-1;
    entry = space.entry(va);
  }
  const needed = PTE_PRESENT | PTE_USER | (write ? PTE_WRITABLE : 0);
  if ((entry & needed) != needed) return <u64>-1;
  return (entry & PTE_ADDRESS) | (va & (PAGE_SIZE - 1));
}

// Copies `len` bytes from user address `userVa` of `space` to kernel wasm
// address `dst`.
export function copyInFrom(space: VmSpace, dst: usize, userVa: u64, len: usize): bool {
  if (!isUserRange(userVa, len)) return false;
  while (len > 0) {
    const phys = userPhysical(space, userVa, false);
    if (phys == <u64>-1) return false;
    let chunk = <usize>(PAGE_SIZE - (userVa & (PAGE_SIZE - 1)));
    if (chunk > len) chunk = len;
    memory.copy(dst, <usize>phys, chunk);
    dst += chunk;
    userVa += chunk;
    len -= chunk;
  }
  return true;
}

// Copies `len` bytes from kernel wasm address `src` to user address
// `userVa` of `space`. The pages must be writable by the user.
export function copyOutTo(space: VmSpace, userVa: u64, src: usize, len: usize): bool {
  if (!isUserRange(userVa, len)) return false;
  while (len > 0) {
    const phys = userPhysical(space, userVa, true);
    if (phys == <u64>-1) return false;
    let chunk = <usize>(PAGE_SIZE - (userVa & (PAGE_SIZE - 1)));
    if (chunk > len) chunk = len;
    memory.copy(<usize>phys, src, chunk);
    src += chunk;
    userVa += chunk;
    len -= chunk;
  }
  return true;
}

// Copies from the current process's memory; false means -EFAULT.
export function copyIn(dst: usize, userVa: u64, len: usize): bool {
  return copyInFrom(currentProcess().vm, dst, userVa, len);
}

// Copies to the current process's memory; false means -EFAULT.
export function copyOut(userVa: u64, src: usize, len: usize): bool {
  return copyOutTo(currentProcess().vm, userVa, src, len);
}

// Reads a NUL-terminated UTF-8 string of at most `max` bytes (without the
// NUL) from the current process. Returns null when a byte is unreadable or
// no NUL comes within `max` bytes.
export function copyInString(userVa: u64, max: i32): string | null {
  return copyInStringFrom(currentProcess().vm, userVa, max);
}

export function copyInStringFrom(space: VmSpace, userVa: u64, max: i32): string | null {
  if (max < 0) return null;
  let length = 0;
  while (true) {
    if (!isUserRange(userVa + <u64>length, 1)) return null;
    const phys = userPhysical(space, userVa + <u64>length, false);
    if (phys == <u64>-1) return null;
    if (load<u8>(<usize>phys) == 0) break;
    length++;
    if (length > max) return null;
  }
  const buffer = heap.alloc(length + 1);
  const copied = copyInFrom(space, buffer, userVa, length);
  const text = copied ? String.UTF8.decodeUnsafe(buffer, length) : null;
  heap.free(buffer);
  return text;
}

// Returns the length of the NUL-terminated string at `userVa` of `space`:
// -1 when a byte is unreadable, -2 when no NUL comes within `max` bytes.
export function userStringLength(space: VmSpace, userVa: u64, max: i32): i32 {
  for (let length = 0; length <= max; length++) {
    const va = userVa + <u64>length;
    if (!isUserRange(va, 1)) return -1;
    const phys = userPhysical(space, va, false);
    if (phys == <u64>-1) return -1;
    if (load<u8>(<usize>phys) == 0) return length;
  }
  return -2;
}
