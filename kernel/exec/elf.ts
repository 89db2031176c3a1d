// ELF64 loader for static x86-64 executables (ET_EXEC), System V ABI
// "Object Files" and the x86-64 psABI.
//
// ELF header (64 bytes) fields used here, by byte offset:
//    0 e_ident: 7F 'E' 'L' 'F', [4] class 2 (64-bit), [5] data 1 (little
//      endian), [6] version 1
//   16 e_type u16 (2 = ET_EXEC)   18 e_machine u16 (62 = EM_X86_64)
//   24 e_entry u64   32 e_phoff u64   54 e_phentsize u16   56 e_phnum u16
// Program header (56 bytes):
//    0 p_type u32   4 p_flags u32 (X 1, W 2, R 4)   8 p_offset u64
//   16 p_vaddr u64   32 p_filesz u64   40 p_memsz u64
//
// Every check failure returns -ENOEXEC (or -ENOMEM when frames run out),
// never a panic: the file is untrusted input.
import { Inode } from "../fs/inode";
import { ENOEXEC, ENOMEM } from "../lib/errno";
import {
  nxActive,
  PAGE_SIZE,
  PTE_ADDRESS,
  PTE_COW,
  PTE_NX,
  PTE_PRESENT,
  PTE_WRITABLE,
  USER_END,
  VmSpace,
} from "../memory/paging";
import { sharedZeroFrame } from "../memory/frames";
import { STACK_BOTTOM, STACK_TOP } from "./layout";

const ELF_HEADER_SIZE: u64 = 64;
const PROGRAM_HEADER_SIZE: u64 = 56;
const ET_EXEC: u16 = 2;
const EM_X86_64: u16 = 62;
const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;
const PT_PHDR: u32 = 6;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
// More program headers than any static executable has; larger counts are
// rejected as malformed.
const MAX_PROGRAM_HEADERS: u32 = 64;
// Largest total of segment sizes accepted; bigger images fail with ENOMEM.
// It covers the user target's linear memory at its 4 GiB maximum. .bss
// pages map the zero frame, so the cost is page tables: 8 MiB for 4 GiB.
const MAX_IMAGE_BYTES: u64 = <u64>4 << 30;

// Entry point and the auxiliary-vector facts of a loaded image.
export class ElfImage {
  entry: u64 = 0;
  // User address of the program headers (AT_PHDR), 0 when not loaded.
  phdr: u64 = 0;
  phnum: u32 = 0;
  // End of the highest segment: where the program break starts.
  end: u64 = 0;
}

// How many times each file (by inode number) was parsed as ELF.
const parseCounts = new Map<u32, u64>();

export function elfLoadCount(ino: u32): u64 {
  return parseCounts.has(ino) ? parseCounts.get(ino) : 0;
}

function pageDown(value: u64): u64 {
  return value & ~(PAGE_SIZE - 1);
}

function pageUp(value: u64): u64 {
  return (value + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

// Reads exactly `len` bytes at `offset` of `inode` into wasm address
// `dst`.
function readExact(inode: Inode, offset: u64, dst: usize, len: usize): bool {
  if (len == 0) return true;
  return inode.read(offset, dst, len) == <i64>len;
}

// Returns true when [start, start + size) overlaps [otherStart, otherEnd).
function overlaps(start: u64, size: u64, otherStart: u64, otherEnd: u64): bool {
  return start < otherEnd && otherStart < start + size;
}

// Checks one PT_LOAD header against the file size and the user layout.
function validLoadSegment(header: usize, fileSize: u64): bool {
  const offset = load<u64>(header, 8);
  const vaddr = load<u64>(header, 16);
  const filesz = load<u64>(header, 32);
  const memsz = load<u64>(header, 40);
  if (filesz > memsz) return false;
  if (offset > fileSize || filesz > fileSize - offset) return false;
  if (vaddr >= USER_END || memsz > USER_END - vaddr) return false;
  if (vaddr < PAGE_SIZE) return false;
  if (overlaps(vaddr, memsz, STACK_BOTTOM, STACK_TOP)) return false;
  return true;
}

// Parses the ELF file `inode` and maps its PT_LOAD segments into `vm`
// (which should be empty). Returns the image, or sets `error` to the
// negative errno and returns null.
export function loadElf(inode: Inode, vm: VmSpace): ElfImage | null {
  parseCounts.set(inode.ino, elfLoadCount(inode.ino) + 1);
  const header = heap.alloc(<usize>ELF_HEADER_SIZE);
  const image = parseAndMap(inode, vm, header);
  heap.free(header);
  return image;
}

export let elfError: i32 = 0;

function fail(code: i32): ElfImage | null {
  elfError = code;
  return null;
}

function parseAndMap(inode: Inode, vm: VmSpace, header: usize): ElfImage | null {
  const fileSize = inode.size;
  if (fileSize < ELF_HEADER_SIZE) return fail(-ENOEXEC);
  if (!readExact(inode, 0, header, <usize>ELF_HEADER_SIZE)) return fail(-ENOEXEC);
  if (load<u32>(header) != 0x464c457f) return fail(-ENOEXEC);
  if (load<u8>(header, 4) != 2 || load<u8>(header, 5) != 1 || load<u8>(header, 6) != 1) {
    return fail(-ENOEXEC);
  }
  if (load<u16>(header, 16) != ET_EXEC || load<u16>(header, 18) != EM_X86_64) {
    return fail(-ENOEXEC);
  }
  const entry = load<u64>(header, 24);
  const phoff = load<u64>(header, 32);
  const phentsize = <u64>load<u16>(header, 54);
  const phnum = <u32>load<u16>(header, 56);
  if (phentsize != PROGRAM_HEADER_SIZE || phnum == 0 || phnum > MAX_PROGRAM_HEADERS) {
    return fail(-ENOEXEC);
  }
  const tableSize = <u64>phnum * PROGRAM_HEADER_SIZE;
  if (phoff > fileSize || tableSize > fileSize - phoff) return fail(-ENOEXEC);

  const table = heap.alloc(<usize>tableSize);
  const result = mapSegments(inode, vm, table, phoff, phnum, entry, fileSize);
  heap.free(table);
  return result;
}

function mapSegments(
  inode: Inode,
  vm: VmSpace,
  table: usize,
  phoff: u64,
  phnum: u32,
  entry: u64,
  fileSize: u64,
): ElfImage | null {
  if (!readExact(inode, phoff, table, <usize>(<u64>phnum * PROGRAM_HEADER_SIZE))) {
    return fail(-ENOEXEC);
  }
  const image = new ElfImage();
  image.entry = entry;
  image.phnum = phnum;

  // Validate everything before mapping anything.
  let loads = 0;
  let total: u64 = 0;
  let entryMapped = false;
  for (let i: u32 = 0; i < phnum; i++) {
    const header = table + <usize>i * <usize>PROGRAM_HEADER_SIZE;
    const type = load<u32>(header);
    if (type == PT_INTERP) return fail(-ENOEXEC);
    if (type == PT_PHDR) image.phdr = load<u64>(header, 16);
    if (type != PT_LOAD) continue;
    if (!validLoadSegment(header, fileSize)) return fail(-ENOEXEC);
    loads++;
    const vaddr = load<u64>(header, 16);
    const memsz = load<u64>(header, 40);
    total += memsz;
    if (total > MAX_IMAGE_BYTES) return fail(-ENOMEM);
    if (entry >= vaddr && entry - vaddr < memsz && (load<u32>(header, 4) & PF_X) != 0) {
      entryMapped = true;
    }
    const offset = load<u64>(header, 8);
    const filesz = load<u64>(header, 32);
    if (image.phdr == 0 && phoff >= offset && phoff - offset < filesz) {
      image.phdr = vaddr + (phoff - offset);
    }
    if (vaddr + memsz > image.end) image.end = vaddr + memsz;
  }
  if (loads == 0 || !entryMapped) return fail(-ENOEXEC);

  for (let i: u32 = 0; i < phnum; i++) {
    const header = table + <usize>i * <usize>PROGRAM_HEADER_SIZE;
    if (load<u32>(header) != PT_LOAD) continue;
    const code = mapSegment(inode, vm, header);
    if (code != 0) return fail(code);
  }
  return image;
}

// Maps one PT_LOAD segment: pages with file bytes get a frame of their own,
// the rest (.bss) are demand-zero. A page shared with an earlier segment
// keeps its frame and gains this segment's permissions.
function mapSegment(inode: Inode, vm: VmSpace, header: usize): i32 {
  const flags = load<u32>(header, 4);
  const offset = load<u64>(header, 8);
  const vaddr = load<u64>(header, 16);
  const filesz = load<u64>(header, 32);
  const memsz = load<u64>(header, 40);
  let pteFlags: u64 = 0;
  if ((flags & PF_W) != 0) pteFlags |= PTE_WRITABLE;
  const executable = (flags & PF_X) != 0;
  if (!executable && nxActive()) pteFlags |= PTE_NX;

  const fileEnd = vaddr + filesz;
  for (let page = pageDown(vaddr); page < pageUp(vaddr + memsz); page += PAGE_SIZE) {
    // File bytes of this page: [max(page, vaddr), min(page + 4 KiB, fileEnd)).
    const from = page > vaddr ? page : vaddr;
    const to = page + PAGE_SIZE < fileEnd ? page + PAGE_SIZE : fileEnd;
    const hasFileBytes = from < to;

    const pte = vm.walk(page, true);
    if (pte == 0) return -ENOMEM;
    let entry = load<u64>(pte);
    if ((entry & PTE_PRESENT) == 0) {
      const mapped = hasFileBytes ? vm.mapZeroed(page, pteFlags) : vm.mapDemandZero(page, pteFlags);
      if (!mapped) return -ENOMEM;
    } else {
      if ((pteFlags & PTE_WRITABLE) != 0) {
        // A shared frame (copy-on-write or the zero frame) becomes
        // copy-on-write, so that its first write gets a private copy.
        const shared = (entry & PTE_COW) != 0 || (entry & PTE_ADDRESS) == <u64>sharedZeroFrame();
        entry |= shared ? PTE_COW : PTE_WRITABLE;
      }
      if (executable) entry &= ~PTE_NX;
      store<u64>(pte, entry);
    }
    if (!hasFileBytes) continue;
    if (!vm.makePrivate(page)) return -ENOMEM;
    const frame = vm.translate(page);
    const dst = <usize>(frame + (from - page));
    if (!readExact(inode, offset + (from - vaddr), dst, <usize>(to - from))) return -ENOEXEC;
  }
  return 0;
}
