// In-kernel self-test of the ELF loader (`selftest=1` on the command
// line): malformed images must fail with -ENOEXEC and a minimal valid one
// must load.
import { Inode, S_IFREG } from "../fs/inode";
import { ENOEXEC } from "../lib/errno";
import { tapCheck } from "../panic/tap";
import { VmSpace } from "../memory/paging";
import { elfError, loadElf } from "./elf";
import { STACK_TOP } from "./layout";

const ENTRY: u64 = 0x401000;
const DATA_VA: u64 = 0x402000;
const IMAGE_SIZE: i32 = 0x1100;
const CODE_OFFSET: i32 = 0x1000;

// A minimal valid ELF64 executable: two PT_LOAD segments, code (R X, 16
// bytes at file offset 0x1000, va 0x401000) and data (RW, 8 file bytes at
// 0x1010 then .bss to 0x3000 bytes, va 0x402000).
function validImage(): Uint8Array {
  const image = new Uint8Array(IMAGE_SIZE);
  const base = image.dataStart;
  store<u32>(base, 0x464c457f);
  store<u8>(base, 2, 4); // ELFCLASS64
  store<u8>(base, 1, 5); // ELFDATA2LSB
  store<u8>(base, 1, 6); // EV_CURRENT
  store<u16>(base, 2, 16); // ET_EXEC
  store<u16>(base, 62, 18); // EM_X86_64
  store<u32>(base, 1, 20);
  store<u64>(base, ENTRY, 24);
  store<u64>(base, 64, 32); // e_phoff
  store<u16>(base, 64, 52); // e_ehsize
  store<u16>(base, 56, 54); // e_phentsize
  store<u16>(base, 2, 56); // e_phnum
  writeSegment(base + 64, 5, <u64>CODE_OFFSET, ENTRY, 16, 16);
  writeSegment(base + 120, 6, <u64>CODE_OFFSET + 16, DATA_VA, 8, 0x3000);
  for (let i = 0; i < 24; i++) store<u8>(base + CODE_OFFSET + i, <u8>(0xa0 + i));
  return image;
}

function writeSegment(header: usize, flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64): void {
  store<u32>(header, 1); // PT_LOAD
  store<u32>(header, flags, 4);
  store<u64>(header, offset, 8);
  store<u64>(header, vaddr, 16);
  store<u64>(header, vaddr, 24);
  store<u64>(header, filesz, 32);
  store<u64>(header, memsz, 40);
  store<u64>(header, 0x1000, 48);
}

function fileOf(image: Uint8Array, length: i32): Inode {
  const inode = new Inode(S_IFREG | 0o755, 0, 0);
  inode.write(0, image.dataStart, <usize>length);
  return inode;
}

function report(ok: bool, name: string, detail: string = ""): void {
  tapCheck(ok, "elf: " + name, detail);
}

// Loads `image` (first `length` bytes) and expects -ENOEXEC.
function expectRejected(name: string, image: Uint8Array, length: i32 = IMAGE_SIZE): void {
  const vm = VmSpace.create()!;
  const loaded = loadElf(fileOf(image, length), vm);
  vm.destroy();
  if (loaded !== null) report(false, name, "loaded");
  else report(elfError == -ENOEXEC, name, "errno " + (-elfError).toString());
}

function mutated(offset: i32, value: u64, size: i32): Uint8Array {
  const image = validImage();
  const at = image.dataStart + <usize>offset;
  if (size == 1) store<u8>(at, <u8>value);
  else if (size == 2) store<u16>(at, <u16>value);
  else if (size == 4) store<u32>(at, <u32>value);
  else store<u64>(at, value);
  return image;
}

function checkValidImage(): void {
  const vm = VmSpace.create()!;
  const image = loadElf(fileOf(validImage(), IMAGE_SIZE), vm);
  if (image === null) {
    report(false, "valid image loads", "errno " + (-elfError).toString());
    vm.destroy();
    return;
  }
  report(image.entry == ENTRY, "entry is e_entry");
  report(image.phnum == 2, "phnum is e_phnum");
  // The program headers (file offset 64) lie outside every PT_LOAD.
  report(image.phdr == 0, "no AT_PHDR without a loaded table");
  report(image.end == DATA_VA + 0x3000, "end is the top of .bss");
  const code = vm.translate(ENTRY);
  report(code != <u64>-1 && load<u8>(<usize>code) == 0xa0, "code bytes mapped");
  const data = vm.translate(DATA_VA);
  report(data != <u64>-1 && load<u8>(<usize>data + 7) == 0xb7 && load<u8>(<usize>data + 8) == 0, "data bytes then zeros");
  const bss = vm.translate(DATA_VA + 0x2ff8);
  report(bss != <u64>-1 && load<u64>(<usize>bss) == 0, ".bss mapped and zero");
  vm.destroy();
}

// Runs every case, reporting through kernel/panic/tap.ts.
export function elfSelfTest(): void {
  checkValidImage();
  expectRejected("shorter than the ELF header", validImage(), 40);
  expectRejected("bad magic", mutated(1, 0x46, 1));
  expectRejected("32-bit class", mutated(4, 1, 1));
  expectRejected("big-endian data", mutated(5, 2, 1));
  expectRejected("ET_DYN", mutated(16, 3, 2));
  expectRejected("EM_AARCH64", mutated(18, 183, 2));
  expectRejected("wrong e_phentsize", mutated(54, 32, 2));
  expectRejected("no program headers", mutated(56, 0, 2));
  expectRejected("absurd e_phnum", mutated(56, 0xffff, 2));
  expectRejected("program headers past the end", mutated(32, 0x10f0, 8));
  expectRejected("truncated program headers", validImage(), 100);
  expectRejected("segment past the end of file", mutated(64 + 32, 0x200, 8));
  expectRejected("segment offset overflow", mutated(64 + 8, 0xfffffffffffffff0, 8));
  expectRejected("p_filesz above p_memsz", mutated(120 + 40, 4, 8));
  expectRejected("segment in kernel space", mutated(120 + 16, 0xffff800000000000, 8));
  expectRejected("segment wrapping around", mutated(120 + 16, 0xfffffffffffff000, 8));
  expectRejected("segment overlapping the stack", mutated(120 + 16, STACK_TOP - 0x1000, 8));
  expectRejected("segment at page 0", mutated(120 + 16, 0, 8));
  expectRejected("entry outside the code", mutated(24, DATA_VA, 8));
  expectRejected("PT_INTERP", mutated(120, 3, 4));
  expectRejected("truncated segment data", validImage(), CODE_OFFSET + 8);
}
