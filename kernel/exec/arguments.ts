// argv and envp of execve, copied from the old address space before it
// goes away. Strings stay raw bytes: they need not be valid UTF-8.
import { E2BIG, EFAULT } from "../lib/errno";
import { isUserRange, userStringLength } from "../memory/usercopy";
import { copyInFrom } from "../memory/usercopy";
import { VmSpace } from "../memory/paging";
import { ARGUMENT_AREA_MAX } from "./layout";

// Maximum number of pointers in argv or envp. Linux allows 0x7FFFFFFF
// (MAX_ARG_STRINGS), but ARGUMENT_AREA_MAX is reached long before either.
const MAX_STRINGS: i32 = 32768;

// A list of NUL-terminated byte strings packed in one buffer.
export class StringBlock {
  data: Uint8Array = new Uint8Array(0);
  used: i32 = 0;
  offsets: Array<i32> = [];

  get count(): i32 {
    return this.offsets.length;
  }

  // Bytes of the strings including their NULs.
  get size(): i32 {
    return this.used;
  }

  reserve(extra: i32): void {
    if (this.used + extra <= this.data.length) return;
    let capacity = this.data.length * 2;
    if (capacity < this.used + extra) capacity = this.used + extra + 256;
    const bigger = new Uint8Array(capacity);
    bigger.set(this.data.subarray(0, this.used));
    this.data = bigger;
  }

  // Appends `text` as UTF-8 with a NUL.
  addString(text: string): void {
    const length = String.UTF8.byteLength(text);
    this.reserve(length + 1);
    this.offsets.push(this.used);
    String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, this.data.dataStart + this.used, true);
    this.used += length + 1;
  }

}

export let argumentError: i32 = 0;

// Copies the NULL-terminated pointer array at `userVa` of `vm` and its
// strings into `block`. A NULL array is empty. Returns false and sets
// argumentError to -EFAULT or -E2BIG.
export function copyStrings(vm: VmSpace, userVa: u64, block: StringBlock, budget: i32): bool {
  if (userVa == 0) return true;
  const slot = memory.data(8);
  for (let i = 0; i < MAX_STRINGS; i++) {
    const pointerVa = userVa + <u64>i * 8;
    if (!isUserRange(pointerVa, 8) || !copyInFrom(vm, slot, pointerVa, 8)) return failWith(-EFAULT);
    const stringVa = load<u64>(slot);
    if (stringVa == 0) return true;
    const length = userStringLength(vm, stringVa, <i32>ARGUMENT_AREA_MAX);
    if (length == -1) return failWith(-EFAULT);
    if (length == -2 || block.size + length + 1 > budget) return failWith(-E2BIG);
    block.reserve(length + 1);
    block.offsets.push(block.used);
    if (!copyInFrom(vm, block.data.dataStart + block.used, stringVa, <usize>(length + 1))) {
      return failWith(-EFAULT);
    }
    block.used += length + 1;
  }
  return failWith(-E2BIG);
}

function failWith(code: i32): bool {
  argumentError = code;
  return false;
}
