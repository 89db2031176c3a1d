// Multiboot 1 boot information (Multiboot Specification 0.6.96, 3.3):
//
//   offset  field                  valid when flags bit
//    0      flags u32
//    4, 8   mem_lower, mem_upper    0
//   16      cmdline (physical)      2
//   20, 24  mods_count, mods_addr   3
//   44, 48  mmap_length, mmap_addr  6
//
// A module entry is 16 bytes: mod_start, mod_end, string, reserved. A
// memory map entry is `size` u32 (not counting itself), base_addr u64,
// length u64, type u32 (1 = available RAM).
//
// The information lies in low memory, which the kernel addresses directly
// (wasm address = physical address).
export const MULTIBOOT_MAGIC: u32 = 0x2badb002;
const FLAG_MEMORY: u32 = 1 << 0;
const FLAG_CMDLINE: u32 = 1 << 2;
const FLAG_MODULES: u32 = 1 << 3;
const FLAG_MEMORY_MAP: u32 = 1 << 6;
const MEMORY_AVAILABLE: u32 = 1;
const MAX_CMDLINE = 4096;

export class MemoryRegion {
  constructor(
    public base: u64,
    public length: u64,
  ) {}
}

export class BootInfo {
  commandLine: string = "";
  // Available RAM regions.
  regions: Array<MemoryRegion> = [];
  // The first module (the initrd), physical; length 0 when absent.
  initrdStart: u64 = 0;
  initrdEnd: u64 = 0;
  moduleCount: u32 = 0;
}

// Reads a NUL-terminated byte string at physical `address`.
function readString(address: u32): string {
  let length = 0;
  while (length < MAX_CMDLINE && load<u8>(<usize>address + length) != 0) length++;
  return String.UTF8.decodeUnsafe(<usize>address, length);
}

export function parseMultiboot(mbi: u32): BootInfo {
  const info = new BootInfo();
  const flags = load<u32>(mbi);
  if ((flags & FLAG_CMDLINE) != 0) info.commandLine = readString(load<u32>(mbi, 16));
  if ((flags & FLAG_MODULES) != 0) {
    info.moduleCount = load<u32>(mbi, 20);
    if (info.moduleCount > 0) {
      const module = load<u32>(mbi, 24);
      info.initrdStart = load<u32>(module);
      info.initrdEnd = load<u32>(module, 4);
    }
  }
  if ((flags & FLAG_MEMORY_MAP) != 0) {
    const start = load<u32>(mbi, 48);
    const end = start + load<u32>(mbi, 44);
    for (let entry = start; entry < end; entry += load<u32>(entry) + 4) {
      if (load<u32>(entry, 20) != MEMORY_AVAILABLE) continue;
      info.regions.push(new MemoryRegion(load<u64>(entry, 4), load<u64>(entry, 12)));
    }
  } else if ((flags & FLAG_MEMORY) != 0) {
    // mem_upper: KiB of RAM from 1 MiB up.
    info.regions.push(new MemoryRegion(1 << 20, <u64>load<u32>(mbi, 8) << 10));
  }
  return info;
}

// Returns the value of `key=value` on the command line, or null.
export function commandLineValue(commandLine: string, key: string): string | null {
  const words = commandLine.split(" ");
  const prefix = key + "=";
  for (let i = 0; i < words.length; i++) {
    if (words[i].startsWith(prefix)) return words[i].substring(prefix.length);
  }
  return null;
}
