// In-kernel self-test of paging and copy-on-write (`selftest=1`): sharing,
// private copies on write, kernel copies into shared pages, demand-zero
// pages and that destroying the spaces returns every frame.
import { tapCheck } from "../panic/tap";
import { freeFrames } from "./frames";
import { DIRECT_MAP, PAGE_SIZE, PTE_COW, PTE_WRITABLE, USER_END, VmSpace } from "./paging";
import { copyInFrom, copyOutTo, userStringLength } from "./usercopy";

const PAGE: u64 = 0x10000000;
const ZERO_PAGE: u64 = 0x10001000;

function check(ok: bool, name: string): void {
  tapCheck(ok, "memory: " + name);
}

function readByte(space: VmSpace, va: u64): u8 {
  const byte = memory.data(1);
  store<u8>(byte, 0xee);
  copyInFrom(space, byte, va, 1);
  return load<u8>(byte);
}

function writeByte(space: VmSpace, va: u64, value: u8): bool {
  const byte = memory.data(1);
  store<u8>(byte, value);
  return copyOutTo(space, va, byte, 1);
}

export function memorySelfTest(): void {
  const framesBefore = freeFrames();
  const parent = VmSpace.create()!;
  check(parent.mapZeroed(PAGE, PTE_WRITABLE), "map a page");
  check(writeByte(parent, PAGE, 0x11), "write a mapped page");
  check(parent.mapDemandZero(ZERO_PAGE, PTE_WRITABLE), "map a demand-zero page");
  check(readByte(parent, ZERO_PAGE + 100) == 0, "demand-zero page reads zero");
  check((parent.entry(ZERO_PAGE) & PTE_COW) != 0, "demand-zero page is copy-on-write");

  const child = parent.copy()!;
  const shared = parent.translate(PAGE) == child.translate(PAGE);
  check(shared, "fork shares the frame");
  check((parent.entry(PAGE) & (PTE_WRITABLE | PTE_COW)) == PTE_COW, "parent page turns copy-on-write");
  check((child.entry(PAGE) & (PTE_WRITABLE | PTE_COW)) == PTE_COW, "child page is copy-on-write");

  check(writeByte(child, PAGE, 0x22), "copyOut into a shared page");
  check(parent.translate(PAGE) != child.translate(PAGE), "the write got a private frame");
  check(readByte(parent, PAGE) == 0x11, "parent keeps its byte");
  check(readByte(child, PAGE) == 0x22, "child sees its byte");
  check(parent.resolveCopyOnWrite(PAGE), "last sharer takes the frame back");
  check((parent.entry(PAGE) & PTE_WRITABLE) != 0, "reclaimed page is writable");

  check(writeByte(child, ZERO_PAGE, 0x33), "write a demand-zero page");
  check(readByte(parent, ZERO_PAGE) == 0, "the zero frame stays zero");
  check(!writeByte(child, PAGE + 64 * PAGE_SIZE, 1), "copyOut to an unmapped page fails");
  const scratch = memory.data(16);
  check(!copyInFrom(parent, scratch, USER_END - 1, 2), "copyIn across the user end fails");
  check(!copyInFrom(parent, scratch, DIRECT_MAP + <u64>PAGE, 1), "copyIn from a kernel address fails");
  check(!copyInFrom(parent, scratch, ZERO_PAGE + PAGE_SIZE - 8, 16), "copyIn running into an unmapped page fails");
  check(userStringLength(parent, ZERO_PAGE + 8, 4096) == 0, "string length of zeros");
  check(userStringLength(parent, PAGE, 0) == -2, "string without a NUL within max");

  check(parent.pageCount() == 2 && child.pageCount() == 2, "page counts");
  parent.destroy();
  child.destroy();
  check(freeFrames() == framesBefore, "destroy returns every frame");
}
