// Kernel panic: message, backtrace with function names from the compiler's
// symbol table, then halt, or under test (`test=1`) exit QEMU through
// isa-debug-exit with value 1 (QEMU status 3).
import {
  cli,
  hlt,
  nativeLoad64,
  outb,
  readRbp,
} from "../../arch/x86_64/intrinsics";
import {
  panicPutDec,
  panicPutHex,
  panicPuts,
  panicPutsNative,
} from "./console";

@external("arch", "symbols")
declare function archSymbols(): u64;

const DIRECT_MAP: u64 = 0xffff800000000000;
const DIRECT_MAP_END: u64 = DIRECT_MAP + (<u64>4 << 30);
const MAX_FRAMES = 32;
const MAX_NAME = 80;
const DEBUG_EXIT_PORT: u16 = 0xf4;

let testMode = false;

// Under test, a panic ends QEMU instead of halting.
export function setPanicExitsQemu(on: bool): void {
  testMode = on;
}

// Returns the index of the aot_symbols record whose [start, end) contains
// `rip`, or -1. Layout: `dq count`, then `count` records of `dq start,
// dq end, dq name`, sorted by start (docs/abi.md).
function findSymbol(rip: u64): i64 {
  const table = archSymbols();
  const count = <i64>nativeLoad64(table);
  let low: i64 = 0;
  let high = count - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const record = table + 8 + <u64>middle * 24;
    const start = nativeLoad64(record);
    const end = nativeLoad64(record + 8);
    if (rip < start) high = middle - 1;
    else if (rip >= end) low = middle + 1;
    else return middle;
  }
  return -1;
}

// Writes "NAME+0xOFFSET", or "?" for an address outside compiled code.
export function panicPutSymbol(rip: u64): void {
  const index = findSymbol(rip);
  if (index < 0) {
    panicPuts("?");
    return;
  }
  const record = archSymbols() + 8 + <u64>index * 24;
  panicPutsNative(nativeLoad64(record + 16), MAX_NAME);
  panicPuts("+");
  panicPutHex(rip - nativeLoad64(record), 1);
}

function isKernelStackAddress(address: u64): bool {
  return address >= DIRECT_MAP && address < DIRECT_MAP_END && (address & 7) == 0;
}

// Walks the rbp chain: [rbp] is the caller's rbp, [rbp + 8] the return
// address (docs/abi.md, frame-pointer chain). Stops at rbp 0, outside the
// direct map, or after MAX_FRAMES.
export function panicBacktrace(rbp: u64): void {
  panicPuts("backtrace:\n");
  for (let depth = 0; depth < MAX_FRAMES && isKernelStackAddress(rbp); depth++) {
    const rip = nativeLoad64(rbp + 8);
    if (rip == 0) break;
    panicPuts("  #");
    panicPutDec(<u64>depth);
    panicPuts(" ");
    panicPutHex(rip);
    panicPuts(" ");
    panicPutSymbol(rip);
    panicPuts("\n");
    const next = nativeLoad64(rbp);
    if (next <= rbp) break;
    rbp = next;
  }
}

// Stops the machine: under test through isa-debug-exit, else a halt loop.
export function panicStop(): void {
  cli();
  if (testMode) outb(DEBUG_EXIT_PORT, 1);
  while (true) hlt();
}

// Panics with `message`, which reads "subsystem: what" with the values.
export function panic(message: string): void {
  panicPuts("\npanic: ");
  panicPuts(message);
  panicPuts("\n");
  panicBacktrace(readRbp());
  panicStop();
}

// Messages of the WebAssembly trap kinds, numbered as in docs/abi.md.
function trapMessage(kind: i32): string {
  switch (kind) {
    case 0: return "unreachable";
    case 1: return "integer divide by zero";
    case 2: return "integer overflow";
    case 3: return "invalid conversion to integer";
    case 4: return "out of bounds memory access";
    case 5: return "indirect call type mismatch";
    case 6: return "undefined element";
    case 7: return "uninitialized element";
    case 8: return "call stack exhausted";
    case 9: return "out of bounds table access";
  }
  return "unknown trap";
}

// Target of aot_trap (arch/x86_64/switch.asm): a WebAssembly trap in the
// kernel is a kernel bug.
export function aotTrap(kind: i32, functionName: u64): void {
  panicPuts("\npanic: aot: ");
  panicPuts(trapMessage(kind));
  panicPuts(" in ");
  panicPutsNative(functionName, MAX_NAME);
  panicPuts("\n");
  panicBacktrace(readRbp());
  panicStop();
}

// asc's abort (asconfig.json `use`): failed assertions, `throw`, and
// runtime errors such as an exhausted heap.
export function kernelAbort(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  panicPuts("\npanic: abort: ");
  panicPuts(message !== null ? message : "(no message)");
  panicPuts(" at ");
  panicPuts(fileName !== null ? fileName : "?");
  panicPuts(":");
  panicPutDec(line);
  panicPuts(":");
  panicPutDec(column);
  panicPuts("\n");
  panicBacktrace(readRbp());
  panicStop();
}
