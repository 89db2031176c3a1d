// The System V initial process stack (x86-64 psABI 3.4.1), from rsp up:
//
//   argc | argv[0..argc-1] | NULL | envp[..] | NULL | auxv pairs | AT_NULL 0
//   ... padding | argument and environment strings | 16 random bytes | STACK_TOP
//
// rsp is 16-byte aligned at argc.
import { rdtsc } from "../../arch/x86_64/intrinsics";
import { E2BIG, ENOMEM } from "../lib/errno";
import { mapZeroRange, PROT_READ, PROT_WRITE, protectionFlags } from "../memory/mmap";
import { PAGE_SIZE, VmSpace } from "../memory/paging";
import { copyOutTo } from "../memory/usercopy";
import { StringBlock } from "./arguments";
import { ARGUMENT_AREA_MAX, STACK_RESERVE, STACK_TOP } from "./layout";

// Auxiliary vector types (Linux include/uapi/linux/auxvec.h).
const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AUX_PAIRS = 12;
const PROGRAM_HEADER_SIZE: u64 = 56;
const RANDOM_BYTES: u64 = 16;

// Program facts for the auxiliary vector.
export class AuxInfo {
  phdr: u64 = 0;
  phnum: u32 = 0;
  entry: u64 = 0;
  uid: u32 = 0;
}

export let stackError: i32 = 0;

// Maps the stack of `vm` and writes the initial stack. Returns rsp, or 0
// with stackError set to -E2BIG or -ENOMEM.
export function buildInitialStack(vm: VmSpace, argv: StringBlock, envp: StringBlock, aux: AuxInfo): u64 {
  const randomVa = STACK_TOP - RANDOM_BYTES;
  const stringsVa = randomVa - <u64>(argv.size + envp.size);
  const words = <u64>(1 + argv.count + 1 + envp.count + 1 + 2 * AUX_PAIRS);
  const sp = (stringsVa - words * 8) & ~(<u64>15);
  const total = STACK_TOP - sp;
  if (total > ARGUMENT_AREA_MAX) {
    stackError = -E2BIG;
    return 0;
  }
  const bottom = (sp & ~(PAGE_SIZE - 1)) - STACK_RESERVE;
  if (!mapZeroRange(vm, bottom, STACK_TOP, protectionFlags(PROT_READ | PROT_WRITE))) {
    stackError = -ENOMEM;
    return 0;
  }

  const buffer = heap.alloc(<usize>total);
  memory.fill(buffer, 0, <usize>total);
  // Kernel address of user address `va` inside the buffer.
  const base = buffer - <usize>sp;
  let word = buffer;
  store<u64>(word, <u64>argv.count);
  word += 8;
  let stringVa = stringsVa;
  word = storeStrings(argv, word, base, stringVa);
  stringVa += <u64>argv.size;
  word = storeStrings(envp, word, base, stringVa);

  word = storePair(word, AT_PHDR, aux.phdr);
  word = storePair(word, AT_PHENT, PROGRAM_HEADER_SIZE);
  word = storePair(word, AT_PHNUM, aux.phnum);
  word = storePair(word, AT_PAGESZ, PAGE_SIZE);
  word = storePair(word, AT_ENTRY, aux.entry);
  word = storePair(word, AT_UID, aux.uid);
  word = storePair(word, AT_EUID, aux.uid);
  word = storePair(word, AT_GID, 0);
  word = storePair(word, AT_EGID, 0);
  word = storePair(word, AT_SECURE, 0);
  word = storePair(word, AT_RANDOM, randomVa);
  storePair(word, AT_NULL, 0);

  // AT_RANDOM bytes: rdtsc-derived, not cryptographic.
  // NOTE: there is no entropy source yet; these bytes are predictable.
  let seed = rdtsc();
  for (let i: u64 = 0; i < RANDOM_BYTES; i += 8) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    store<u64>(base + <usize>(randomVa + i), seed);
  }

  const copied = copyOutTo(vm, sp, buffer, <usize>total);
  heap.free(buffer);
  if (!copied) {
    stackError = -ENOMEM;
    return 0;
  }
  return sp;
}

// Stores the pointers to `block`'s strings (placed at user address
// `stringsVa`) and a NULL at `word`, and the strings themselves.
function storeStrings(block: StringBlock, word: usize, base: usize, stringsVa: u64): usize {
  for (let i = 0; i < block.count; i++) {
    const offset = <u64>block.offsets[i];
    store<u64>(word, stringsVa + offset);
    word += 8;
  }
  store<u64>(word, 0);
  memory.copy(base + <usize>stringsVa, block.data.dataStart, block.size);
  return word + 8;
}

function storePair(word: usize, type: u64, value: u64): usize {
  store<u64>(word, type);
  store<u64>(word, value, 8);
  return word + 16;
}
