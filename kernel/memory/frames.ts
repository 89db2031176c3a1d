// Physical frame allocator: 4 KiB frames of available RAM from 48 MiB up,
// because the kernel image, boot structures and asc's heap lie below
// (docs/abi.md). Each frame has a reference count, so that copy-on-write
// and resident snapshots can share frames.
//
// A frame's physical address is also its kernel wasm address, because the
// direct map puts physical memory at the kernel's linear memory base. Only
// RAM below 4 GiB is used: kernel pointers are 32 bits and the direct map
// covers [0, 4 GiB). RAM above is ignored.
import { panic } from "../panic/panic";

export const FRAME_SIZE: u32 = 4096;
export const FRAME_SHIFT: u32 = 12;
export const FRAMES_START: u64 = 48 << 20;
const ADDRESS_LIMIT: u64 = <u64>4 << 30;

// Reference count per frame number (u16), and a stack of free frame numbers
// (u32); both sized for frames below `frameCount`.
let refCounts: usize = 0;
let freeStack: usize = 0;
let freeCount: u32 = 0;
let frameCount: u32 = 0;
// One frame of zeros, shared read-only by every demand-zero page. It is
// not reference-counted and never freed.
let zeroFrame: u32 = 0;

// Sizes the tables for RAM up to physical address `top` (exclusive).
export function framesInit(top: u64): void {
  if (top > ADDRESS_LIMIT) top = ADDRESS_LIMIT;
  frameCount = <u32>(top >> FRAME_SHIFT);
  refCounts = heap.alloc(<usize>frameCount * 2);
  freeStack = heap.alloc(<usize>frameCount * 4);
  memory.fill(refCounts, 0, <usize>frameCount * 2);
}

// Adds the available region [start, end) (bytes) to the free frames,
// clipped to [FRAMES_START, top) and rounded inwards to whole frames.
export function framesAddRegion(start: u64, end: u64): void {
  if (start < FRAMES_START) start = FRAMES_START;
  const top = <u64>frameCount << FRAME_SHIFT;
  if (end > top) end = top;
  let frame = <u32>((start + FRAME_SIZE - 1) >> FRAME_SHIFT);
  const last = <u32>(end >> FRAME_SHIFT);
  // Pushed from the top down so that allocation starts at low addresses.
  for (let f = last; f > frame; ) {
    f--;
    if (load<u16>(refCounts + (<usize>f << 1)) == 0xffff) continue;
    store<u16>(refCounts + (<usize>f << 1), 0xffff);
    store<u32>(freeStack + (<usize>freeCount << 2), f);
    freeCount++;
  }
}

// Returns the physical address of a zeroed frame with reference count 1,
// or 0 when no frame is free.
export function allocFrame(): u32 {
  if (freeCount == 0) return 0;
  freeCount--;
  const frame = load<u32>(freeStack + (<usize>freeCount << 2));
  store<u16>(refCounts + (<usize>frame << 1), 1);
  const phys = frame << FRAME_SHIFT;
  memory.fill(<usize>phys, 0, FRAME_SIZE);
  return phys;
}

// Allocates the shared zero frame; call once, after the first regions.
export function framesReserveZeroFrame(): void {
  zeroFrame = allocFrame();
  if (zeroFrame == 0) panic("frames: no frame for the zero page");
}

export function sharedZeroFrame(): u32 {
  return zeroFrame;
}

function checkedFrame(phys: u32, operation: string): u32 {
  const frame = phys >> FRAME_SHIFT;
  if (frame >= frameCount || phys < <u32>FRAMES_START) {
    panic("frames: " + operation + " of frame 0x" + phys.toString(16) + " outside the allocator");
  }
  const count = load<u16>(refCounts + (<usize>frame << 1));
  if (count == 0 || count == 0xffff) {
    panic("frames: " + operation + " of free frame 0x" + phys.toString(16));
  }
  return frame;
}

// Adds a reference to an allocated frame.
export function frameRef(phys: u32): void {
  if (phys == zeroFrame) return;
  const frame = checkedFrame(phys, "ref");
  const slot = refCounts + (<usize>frame << 1);
  store<u16>(slot, load<u16>(slot) + 1);
}

// Drops a reference; the frame is free again when none is left.
export function frameUnref(phys: u32): void {
  if (phys == zeroFrame) return;
  const frame = checkedFrame(phys, "unref");
  const slot = refCounts + (<usize>frame << 1);
  const count = load<u16>(slot) - 1;
  if (count == 0) {
    store<u16>(slot, 0xffff);
    store<u32>(freeStack + (<usize>freeCount << 2), frame);
    freeCount++;
  } else {
    store<u16>(slot, count);
  }
}

export function frameRefCount(phys: u32): u32 {
  if (phys == zeroFrame) return 0xffff;
  return load<u16>(refCounts + (<usize>checkedFrame(phys, "count") << 1));
}

export function freeFrames(): u32 {
  return freeCount;
}
