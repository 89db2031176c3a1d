// Checks the linked kernel image against the memory map in docs/abi.md:
// every loadable segment must end below asc's --memoryBase, where the
// kernel's static data begins.
import { readFileSync } from "node:fs";

const PT_LOAD = 1;

export interface LoadSegment {
  physical: bigint;
  memorySize: bigint;
}

// Reads the PT_LOAD program headers of an ELF64 little-endian file
// (ELF-64 Object File Format, "Program header table").
export function readLoadSegments(image: Buffer): LoadSegment[] {
  const magic = image.subarray(0, 4).toString("latin1");
  if (magic !== "\x7fELF" || image[4] !== 2 || image[5] !== 1) {
    throw new Error("kernel image: not an ELF64 little-endian file");
  }
  const phoff = Number(image.readBigUInt64LE(0x20));
  const phentsize = image.readUInt16LE(0x36);
  const phnum = image.readUInt16LE(0x38);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const header = phoff + i * phentsize;
    if (image.readUInt32LE(header) !== PT_LOAD) continue;
    segments.push({
      physical: image.readBigUInt64LE(header + 0x18),
      memorySize: image.readBigUInt64LE(header + 0x28),
    });
  }
  return segments;
}

export function checkKernelImage(path: string, memoryBase: number): void {
  const segments = readLoadSegments(readFileSync(path));
  let end = 0n;
  for (const segment of segments) {
    const segmentEnd = segment.physical + segment.memorySize;
    if (segmentEnd > end) end = segmentEnd;
  }
  if (end > BigInt(memoryBase)) {
    throw new Error(
      `kernel image ends at physical 0x${end.toString(16)}, above the static ` +
        `data at --memoryBase 0x${memoryBase.toString(16)}; raise ` +
        `targets.kernel.memoryBase in asconfig.json (and the heap limits with it)`,
    );
  }
}
