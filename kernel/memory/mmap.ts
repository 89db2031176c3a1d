// mmap, munmap and brk. Only anonymous private memory exists. New pages
// map the shared zero frame and get their own frame on the first write.
import { EINVAL, ENODEV, ENOMEM } from "../lib/errno";
import { currentProcess } from "../process/sched";
import { nxActive, PAGE_SIZE, PTE_NX, PTE_WRITABLE, USER_END, VmSpace } from "./paging";

// Linux include/uapi/asm-generic/mman-common.h and mman.h.
export const PROT_READ: i32 = 0x1;
export const PROT_WRITE: i32 = 0x2;
export const PROT_EXEC: i32 = 0x4;
const MAP_SHARED: i32 = 0x01;
const MAP_PRIVATE: i32 = 0x02;
const MAP_FIXED: i32 = 0x10;
const MAP_ANONYMOUS: i32 = 0x20;

// The heap may grow this far past the end of the program's data.
const BRK_MAX: u64 = 1 << 30;
// Largest single mmap: the user target's whole 4 GiB linear memory. Every
// page is mapped at once (to the zero frame), so the limit bounds the
// time and page-table memory one call can take.
const MMAP_MAX: u64 = <u64>4 << 30;

function pageUp(value: u64): u64 {
  return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

// PTE flags for mmap's `prot`; reading is always allowed once mapped.
export function protectionFlags(prot: i32): u64 {
  let flags: u64 = 0;
  if ((prot & PROT_WRITE) != 0) flags |= PTE_WRITABLE;
  if ((prot & PROT_EXEC) == 0 && nxActive()) flags |= PTE_NX;
  return flags;
}

// Maps demand-zero pages over [start, end) (page-aligned), replacing what
// was there. On failure unmaps the range and returns false.
export function mapZeroRange(vm: VmSpace, start: u64, end: u64, flags: u64): bool {
  for (let va = start; va < end; va += PAGE_SIZE) {
    if (!vm.mapDemandZero(va, flags)) {
      unmapRange(vm, start, end);
      return false;
    }
  }
  return true;
}

// Unmaps every page in [start, end); skips unmapped regions quickly, so a
// huge range costs time only for what is mapped.
export function unmapRange(vm: VmSpace, start: u64, end: u64): void {
  for (let va = vm.nextMapped(start); va < end; va = vm.nextMapped(va + PAGE_SIZE)) vm.unmap(va);
}

export function sysMmap(addr: u64, length: u64, prot: i32, flags: i32, fd: i32, offset: u64): i64 {
  if (length == 0 || length > USER_END) return -EINVAL;
  if (length > MMAP_MAX) return -ENOMEM;
  const sharing = flags & (MAP_SHARED | MAP_PRIVATE);
  if (sharing == 0 || sharing == (MAP_SHARED | MAP_PRIVATE)) return -EINVAL;
  if ((flags & MAP_ANONYMOUS) == 0) return -ENODEV;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) return -EINVAL;
  const size = pageUp(length);
  const vm = currentProcess().vm;

  let start: u64;
  if ((flags & MAP_FIXED) != 0) {
    if ((addr & (PAGE_SIZE - 1)) != 0) return -EINVAL;
    if (addr >= USER_END || size > USER_END - addr) return -ENOMEM;
    start = addr;
  } else {
    start = vm.mmapNext;
    if (start >= USER_END || size > USER_END - start) return -ENOMEM;
    vm.mmapNext = start + size;
  }
  const end = start + size;
  if (prot == 0) {
    // PROT_NONE: reserve nothing; any access faults.
    unmapRange(vm, start, end);
    return <i64>start;
  }
  if (!mapZeroRange(vm, start, end, protectionFlags(prot))) return -ENOMEM;
  return <i64>start;
}

// mprotect(2). Every page of the range must be mapped (else -ENOMEM, as
// Linux). PROT_NONE keeps the frame but clears the user bit, so that any
// access from ring 3 or through usercopy faults. A shared frame that
// becomes writable is copy-on-write.
export function sysMprotect(addr: u64, length: u64, prot: i32): i64 {
  if ((addr & (PAGE_SIZE - 1)) != 0) return -EINVAL;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) return -EINVAL;
  if (length == 0) return 0;
  if (addr >= USER_END || length > USER_END - addr) return -ENOMEM;
  const vm = currentProcess().vm;
  const end = addr + pageUp(length);
  for (let va = addr; va < end; va += PAGE_SIZE) {
    if (vm.nextMapped(va) != va) return -ENOMEM;
  }
  for (let va = addr; va < end; va += PAGE_SIZE) vm.protect(va, protectionFlags(prot), prot != 0);
  return 0;
}

export function sysMunmap(addr: u64, length: u64): i64 {
  if ((addr & (PAGE_SIZE - 1)) != 0 || length == 0) return -EINVAL;
  if (addr >= USER_END || length > USER_END - addr) return -EINVAL;
  unmapRange(currentProcess().vm, addr, addr + pageUp(length));
  return 0;
}

// brk(2) as Linux does it: returns the new break, or the old one when the
// request is below the start, too large or out of memory.
export function sysBrk(requested: u64): i64 {
  const vm = currentProcess().vm;
  const current = vm.brkEnd;
  if (requested < vm.brkStart || requested - vm.brkStart > BRK_MAX) return <i64>current;
  const oldTop = pageUp(current);
  const newTop = pageUp(requested);
  if (newTop > oldTop) {
    if (!mapZeroRange(vm, oldTop, newTop, protectionFlags(PROT_READ | PROT_WRITE))) {
      return <i64>current;
    }
  } else if (newTop < oldTop) {
    unmapRange(vm, newTop, oldTop);
  }
  vm.brkEnd = requested;
  return <i64>requested;
}
