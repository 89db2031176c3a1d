// 4-level paging (SDM Vol. 3A 5.5): the kernel's page tables and one
// address space (VmSpace) per process.
//
// Page-table entry, 4 KiB page or table pointer (SDM Vol. 3A 5.5.4,
// tables 5-15 to 5-20):
//
//    63  62    52 51                    12 11  9 8 7  6 5 4   3   2 1 0
//   +--+--------+------------------------+-----+-+--+-+-+---+---+-+-+-+
//   |NX| avail  | physical frame address |avail|G|PS|D|A|PCD|PWT|U|W|P|
//   +--+--------+------------------------+-----+-+--+-+-+---+---+-+-+-+
//
// PS (bit 7) in a page-directory entry maps a 2 MiB page. Bit 9 (available
// to software) marks a copy-on-write page. Virtual address split: PML4
// index 47:39, PDPT 38:30, PD 29:21, PT 20:12, offset 11:0.
//
// The lower half (PML4 slots 0-255) is the process's; slots 256-511 are
// the kernel's, shared by every PML4 (they point to the same PDPTs).
import {
  invlpg,
  rdmsr,
  readCr3,
  readCr4,
  writeCr3,
  writeCr4,
} from "../../arch/x86_64/intrinsics";
import { panic } from "../panic/panic";
import {
  allocFrame,
  FRAME_SIZE,
  frameRef,
  frameRefCount,
  frameUnref,
  framesReserveZeroFrame,
  sharedZeroFrame,
} from "./frames";

export const PTE_PRESENT: u64 = 1 << 0;
export const PTE_WRITABLE: u64 = 1 << 1;
export const PTE_USER: u64 = 1 << 2;
export const PTE_HUGE: u64 = 1 << 7;
export const PTE_GLOBAL: u64 = 1 << 8;
export const PTE_COW: u64 = 1 << 9;
export const PTE_NX: u64 = 1 << 63;
export const PTE_ADDRESS: u64 = 0x000ffffffffff000;

export const PAGE_SIZE: u64 = 4096;
export const USER_END: u64 = 0x0000800000000000;
export const DIRECT_MAP: u64 = 0xffff800000000000;
const DIRECT_MAP_SLOT = 256;
// The kernel image is below asc's static data at 16 MiB; only that range
// of the direct map is executable.
const KERNEL_EXEC_END: u64 = 16 << 20;
const EFER: u32 = 0xc0000080;
const EFER_NXE: u64 = 1 << 11;
const CR4_PGE: u64 = 1 << 7;

let kernelPml4: u32 = 0;
let nxEnabled = false;

export function nxActive(): bool {
  return nxEnabled;
}

// Builds the kernel's PML4: the direct map of [0, 4 GiB) with global 2 MiB
// pages, supervisor-only, NX above the kernel image. Drops the boot
// identity map by loading it.
export function pagingInit(): void {
  nxEnabled = (rdmsr(EFER) & EFER_NXE) != 0;
  writeCr4(readCr4() | CR4_PGE);
  kernelPml4 = allocFrame();
  const pdpt = allocFrame();
  if (kernelPml4 == 0 || pdpt == 0) panic("paging: no frame for the kernel page tables");
  for (let gib: u32 = 0; gib < 4; gib++) {
    const pd = allocFrame();
    if (pd == 0) panic("paging: no frame for the kernel page directory " + gib.toString());
    store<u64>(pdpt + gib * 8, <u64>pd | PTE_PRESENT | PTE_WRITABLE);
    for (let i: u32 = 0; i < 512; i++) {
      const phys = (<u64>gib << 30) | (<u64>i << 21);
      let entry = phys | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE | PTE_GLOBAL;
      if (nxEnabled && phys >= KERNEL_EXEC_END) entry |= PTE_NX;
      store<u64>(pd + i * 8, entry);
    }
  }
  store<u64>(kernelPml4 + DIRECT_MAP_SLOT * 8, <u64>pdpt | PTE_PRESENT | PTE_WRITABLE);
  writeCr3(kernelPml4);
  framesReserveZeroFrame();
}

function tableIndex(va: u64, level: u32): u32 {
  return <u32>((va >> (12 + 9 * <u64>level)) & 511);
}

// A process's lower-half address space.
export class VmSpace {
  // Physical address of the PML4.
  pml4: u32;
  // Program break: [brkStart, brkEnd) is the heap that brk(2) moves.
  brkStart: u64 = 0;
  brkEnd: u64 = 0;
  // Next address that mmap without MAP_FIXED hands out.
  mmapNext: u64 = 0x0000100000000000;

  // Use VmSpace.create, which reports a missing frame.
  private constructor(pml4: u32) {
    this.pml4 = pml4;
  }

  // Returns an empty address space sharing the kernel half, or null when
  // no frame is free for its PML4.
  static create(): VmSpace | null {
    const pml4 = allocFrame();
    if (pml4 == 0) return null;
    memory.copy(pml4 + 256 * 8, kernelPml4 + 256 * 8, 256 * 8);
    return new VmSpace(pml4);
  }

  // Returns the wasm address of the PTE for `va`, creating missing tables
  // when `create` is set; 0 if a table is missing (or no frame is free).
  walk(va: u64, create: bool): usize {
    let table = <usize>this.pml4;
    for (let level: u32 = 3; level > 0; level--) {
      const slot = table + tableIndex(va, level) * 8;
      let entry = load<u64>(slot);
      if ((entry & PTE_PRESENT) == 0) {
        if (!create) return 0;
        const next = allocFrame();
        if (next == 0) return 0;
        entry = <u64>next | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
        store<u64>(slot, entry);
      }
      table = <usize>(entry & PTE_ADDRESS);
    }
    return table + tableIndex(va, 0) * 8;
  }

  // Maps the page at `va` to the frame `phys` with `flags` (PTE_PRESENT
  // and PTE_USER are added). The page table takes over the caller's
  // reference to the frame, and a previous mapping is dropped. Returns
  // false when a page table cannot be allocated.
  map(va: u64, phys: u32, flags: u64): bool {
    const pte = this.walk(va, true);
    if (pte == 0) return false;
    const old = load<u64>(pte);
    store<u64>(pte, <u64>phys | flags | PTE_PRESENT | PTE_USER);
    if ((old & PTE_PRESENT) != 0) {
      frameUnref(<u32>(old & PTE_ADDRESS));
      invlpg(va);
    }
    return true;
  }

  // Maps a fresh zeroed frame at `va`. Returns false when out of memory.
  mapZeroed(va: u64, flags: u64): bool {
    const frame = allocFrame();
    if (frame == 0) return false;
    if (!this.map(va, frame, flags)) {
      frameUnref(frame);
      return false;
    }
    return true;
  }

  // Maps the shared zero frame at `va`: reads see zeros, and the first
  // write of a writable page copies it (resolveCopyOnWrite). Returns false
  // when a page table cannot be allocated.
  mapDemandZero(va: u64, flags: u64): bool {
    let shared = flags & ~PTE_WRITABLE;
    if ((flags & PTE_WRITABLE) != 0) shared |= PTE_COW;
    return this.map(va, sharedZeroFrame(), shared);
  }

  // Removes the mapping of the page at `va`, if any.
  unmap(va: u64): void {
    const pte = this.walk(va, false);
    if (pte == 0) return;
    const entry = load<u64>(pte);
    if ((entry & PTE_PRESENT) == 0) return;
    store<u64>(pte, 0);
    frameUnref(<u32>(entry & PTE_ADDRESS));
    invlpg(va);
  }

  // Returns the PTE of `va`, or 0 when it is not mapped.
  entry(va: u64): u64 {
    const pte = this.walk(va, false);
    return pte == 0 ? 0 : load<u64>(pte);
  }

  // Returns the physical address that `va` maps to, or -1 when the page is
  // not present.
  translate(va: u64): u64 {
    const entry = this.entry(va);
    if ((entry & PTE_PRESENT) == 0) return <u64>-1;
    return (entry & PTE_ADDRESS) | (va & (PAGE_SIZE - 1));
  }

  // Gives the copy-on-write page at `va` a private writable frame: the
  // frame itself when no one else maps it, else a copy. Returns false when
  // the page is not copy-on-write or no frame is free.
  resolveCopyOnWrite(va: u64): bool {
    const pte = this.walk(va, false);
    if (pte == 0) return false;
    const entry = load<u64>(pte);
    if ((entry & (PTE_PRESENT | PTE_COW)) != (PTE_PRESENT | PTE_COW)) return false;
    const frame = <u32>(entry & PTE_ADDRESS);
    const flags = (entry & ~PTE_ADDRESS & ~PTE_COW) | PTE_WRITABLE;
    if (frame != sharedZeroFrame() && frameRefCount(frame) == 1) {
      store<u64>(pte, <u64>frame | flags);
    } else {
      const copy = allocFrame();
      if (copy == 0) return false;
      if (frame != sharedZeroFrame()) memory.copy(copy, frame, FRAME_SIZE);
      store<u64>(pte, <u64>copy | flags);
      frameUnref(frame);
    }
    invlpg(va);
    return true;
  }

  // Makes sure that the kernel may write the frame behind `va` (present):
  // resolves copy-on-write and replaces a read-only zero-frame mapping by a
  // private frame with the same flags. Returns false when out of memory.
  makePrivate(va: u64): bool {
    const entry = this.entry(va);
    if ((entry & PTE_COW) != 0) return this.resolveCopyOnWrite(va);
    if ((entry & PTE_ADDRESS) != <u64>sharedZeroFrame()) return true;
    return this.mapZeroed(va, entry & ~PTE_ADDRESS & ~(PTE_PRESENT | PTE_USER));
  }

  // Gives the mapped page at `va` the permissions `flags` (PTE_WRITABLE,
  // PTE_NX), reachable from ring 3 only when `accessible`. A frame that
  // others share, or the zero frame, gets PTE_COW in place of
  // PTE_WRITABLE.
  protect(va: u64, flags: u64, accessible: bool): void {
    const pte = this.walk(va, false);
    const entry = load<u64>(pte);
    const frame = <u32>(entry & PTE_ADDRESS);
    let updated = <u64>frame | PTE_PRESENT | (flags & PTE_NX);
    if (accessible) updated |= PTE_USER;
    if ((flags & PTE_WRITABLE) != 0) {
      const shared = (entry & PTE_COW) != 0 || frame == sharedZeroFrame() || frameRefCount(frame) > 1;
      updated |= shared ? PTE_COW : PTE_WRITABLE;
    }
    store<u64>(pte, updated);
    invlpg(va);
  }

  // Returns the lowest mapped user page at or above `va`, or USER_END.
  // Skips absent tables whole.
  nextMapped(va: u64): u64 {
    va &= ~(PAGE_SIZE - 1);
    while (va < USER_END) {
      let table = <usize>this.pml4;
      let level: u32 = 3;
      for (; level > 0; level--) {
        const entry = load<u64>(table + tableIndex(va, level) * 8);
        if ((entry & PTE_PRESENT) == 0) break;
        table = <usize>(entry & PTE_ADDRESS);
      }
      if (level > 0) {
        // The table at `level` has no entry for va: go to the next region
        // that entry would cover (512 GiB, 1 GiB or 2 MiB).
        const span = <u64>1 << (12 + 9 * <u64>level);
        va = (va + span) & ~(span - 1);
        continue;
      }
      if ((load<u64>(table + tableIndex(va, 0) * 8) & PTE_PRESENT) != 0) return va;
      va += PAGE_SIZE;
    }
    return USER_END;
  }

  // Returns a copy-on-write copy of this address space (fork). Returns
  // null when out of memory.
  copy(): VmSpace | null {
    const child = VmSpace.create();
    if (child === null) return null;
    child.brkStart = this.brkStart;
    child.brkEnd = this.brkEnd;
    child.mmapNext = this.mmapNext;
    if (!this.shareInto(child, 0, USER_END)) {
      child.destroy();
      return null;
    }
    return child;
  }

  // Maps every user page of [start, end) into `target` at the same
  // address, sharing the frame: writable pages become copy-on-write in
  // both spaces, read-only pages stay read-only. Returns false when a page
  // table cannot be allocated.
  shareInto(target: VmSpace, start: u64, end: u64): bool {
    let ok = true;
    for (let va = this.nextMapped(start); va < end; va = this.nextMapped(va + PAGE_SIZE)) {
      const pte = this.walk(va, false);
      let entry = load<u64>(pte);
      if ((entry & PTE_WRITABLE) != 0) {
        entry = (entry & ~PTE_WRITABLE) | PTE_COW;
        store<u64>(pte, entry);
      }
      const frame = <u32>(entry & PTE_ADDRESS);
      frameRef(frame);
      if (!target.map(va, frame, entry & ~PTE_ADDRESS)) {
        frameUnref(frame);
        ok = false;
        break;
      }
      // map adds PTE_USER, but a PROT_NONE page (mprotect) has none and
      // must stay inaccessible in the copy.
      if ((entry & PTE_USER) == 0) store<u64>(target.walk(va, false), entry);
    }
    // Pages that were writable here are read-only now: drop stale TLB
    // entries when this space is the loaded one.
    if (<u64>this.pml4 == (readCr3() & PTE_ADDRESS)) writeCr3(this.pml4);
    return ok;
  }

  // Returns the number of user pages mapped.
  pageCount(): u64 {
    let pages: u64 = 0;
    for (let va = this.nextMapped(0); va < USER_END; va = this.nextMapped(va + PAGE_SIZE)) pages++;
    return pages;
  }

  // Frees every user frame, the user page tables and the PML4. The space
  // must not be the one loaded in CR3.
  destroy(): void {
    const pml4 = <usize>this.pml4;
    if (pml4 == 0) return;
    for (let i: u32 = 0; i < 256; i++) {
      const e4 = load<u64>(pml4 + i * 8);
      if ((e4 & PTE_PRESENT) == 0) continue;
      const pdpt = <usize>(e4 & PTE_ADDRESS);
      for (let j: u32 = 0; j < 512; j++) {
        const e3 = load<u64>(pdpt + j * 8);
        if ((e3 & PTE_PRESENT) == 0) continue;
        const pd = <usize>(e3 & PTE_ADDRESS);
        for (let k: u32 = 0; k < 512; k++) {
          const e2 = load<u64>(pd + k * 8);
          if ((e2 & PTE_PRESENT) == 0) continue;
          const pt = <usize>(e2 & PTE_ADDRESS);
          for (let l: u32 = 0; l < 512; l++) {
            const e1 = load<u64>(pt + l * 8);
            if ((e1 & PTE_PRESENT) != 0) frameUnref(<u32>(e1 & PTE_ADDRESS));
          }
          frameUnref(<u32>pt);
        }
        frameUnref(<u32>pd);
      }
      frameUnref(<u32>pdpt);
    }
    frameUnref(<u32>pml4);
    this.pml4 = 0;
  }

  activate(): void {
    writeCr3(this.pml4);
  }
}

// Loads the kernel's own PML4 (no user half).
export function activateKernelSpace(): void {
  writeCr3(kernelPml4);
}

