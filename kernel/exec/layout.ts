// User address-space layout of a new program (docs/abi.md, "Memory").

// The initial stack grows down from STACK_TOP.
export const STACK_TOP: u64 = 0x00007ffffffff000;
// Mapped below the argument area at exec: the user target's 1 MiB native
// stack plus 64 KiB of margin.
export const STACK_RESERVE: u64 = (1 << 20) + (64 << 10);
// Largest argument area (strings, pointers and auxv) that exec accepts;
// larger argv/envp fail with E2BIG (Linux allows a quarter of the stack
// limit, 2 MiB by default).
export const ARGUMENT_AREA_MAX: u64 = 256 << 10;
// No PT_LOAD segment may reach into the stack region.
export const STACK_BOTTOM: u64 = STACK_TOP - STACK_RESERVE - ARGUMENT_AREA_MAX;
