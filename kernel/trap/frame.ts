// Trap frame built by the entry stubs (arch/x86_64/idt.asm and
// syscall.asm) on the kernel stack, lowest address first. The CPU pushes
// ss, rsp, rflags, cs, rip and for some exceptions the error code (SDM
// Vol. 3A 7.14.2); the stubs push the rest.
export const TRAP_FRAME_SIZE: usize = 176;
// FXSAVE area right below the frame: the interrupted code's x87/SSE state
// (SDM Vol. 1 10.5.1, 512 bytes, 16-byte aligned).
export const FXSAVE_SIZE: usize = 512;

// Vector of the syscall entry; outside the IDT's 256 vectors.
export const SYSCALL_VECTOR: u64 = 0x100;

export const USER_CS: u64 = 0x20 | 3;
export const USER_SS: u64 = 0x18 | 3;
// rflags for a new user context: IF (bit 9) and the reserved bit 1.
export const USER_RFLAGS: u64 = 0x202;

@unmanaged
export class TrapFrame {
  r15: u64;
  r14: u64;
  r13: u64;
  r12: u64;
  r11: u64;
  r10: u64;
  r9: u64;
  r8: u64;
  rbp: u64;
  rdi: u64;
  rsi: u64;
  rdx: u64;
  rcx: u64;
  rbx: u64;
  rax: u64;
  vector: u64;
  error: u64;
  rip: u64;
  cs: u64;
  rflags: u64;
  rsp: u64;
  ss: u64;

  fromUser(): bool {
    return (this.cs & 3) == 3;
  }
}

// Points `frame` at a fresh user context: all registers zero, entry `rip`,
// stack `rsp`.
export function resetUserFrame(frame: TrapFrame, rip: u64, rsp: u64): void {
  memory.fill(changetype<usize>(frame), 0, TRAP_FRAME_SIZE);
  frame.rip = rip;
  frame.rsp = rsp;
  frame.cs = USER_CS;
  frame.ss = USER_SS;
  frame.rflags = USER_RFLAGS;
  frame.vector = SYSCALL_VECTOR;
}

// Fills an FXSAVE area with the reset state that fxrstor loads for a new
// program: FCW 0x037F, MXCSR 0x1F80, every exception masked (SDM Vol. 1
// 8.1.5 and 10.2.3).
export function initFpuState(area: usize): void {
  memory.fill(area, 0, FXSAVE_SIZE);
  store<u16>(area, 0x037f);
  store<u32>(area, 0x1f80, 24);
}
