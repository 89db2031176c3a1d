// Dispatch of everything that enters the kernel through the trap frame:
// exceptions, PIC interrupts and system calls.
import { readCr2 } from "../../arch/x86_64/intrinsics";
import { serialIrq } from "../drivers/serial";
import { kprint } from "../log";
import { PTE_COW } from "../memory/paging";
import { panicPutDec, panicPutHex, panicPuts } from "../panic/console";
import { panicBacktrace, panicPutSymbol, panicStop } from "../panic/panic";
import { killCurrent } from "../process/lifecycle";
import { currentProcess, hasCurrentProcess, wakeup, yieldCpu } from "../process/sched";
import { syscallDispatch } from "../syscall/dispatch";
import { IRQ_BASE, IRQ_COM1, IRQ_TIMER, picEndOfInterrupt, picIrqInService } from "./cpu";
import { SYSCALL_VECTOR, TrapFrame } from "./frame";

const PAGE_FAULT: u64 = 14;
// Linux signal numbers for the status of a process killed by a fault.
const SIGILL = 4;
const SIGTRAP = 5;
const SIGFPE = 8;
const SIGKILL = 9;
const SIGSEGV = 11;

let ticks: u64 = 0;

// Timer interrupts since boot, TIMER_HZ a second.
export function timerTicks(): u64 {
  return ticks;
}

// Channel that sleepers on the timer wait for; woken on every tick.
export function timerChannel(): usize {
  return changetype<usize>(memory.data(8));
}

// Exception names (SDM Vol. 3A 7.15).
function exceptionName(vector: u64): string {
  switch (<i32>vector) {
    case 0: return "divide error";
    case 1: return "debug exception";
    case 2: return "non-maskable interrupt";
    case 3: return "breakpoint";
    case 4: return "overflow";
    case 5: return "bound range exceeded";
    case 6: return "invalid opcode";
    case 7: return "device not available";
    case 8: return "double fault";
    case 10: return "invalid TSS";
    case 11: return "segment not present";
    case 12: return "stack-segment fault";
    case 13: return "general protection fault";
    case 14: return "page fault";
    case 16: return "x87 floating-point error";
    case 17: return "alignment check";
    case 18: return "machine check";
    case 19: return "SIMD floating-point exception";
    case 20: return "virtualization exception";
    case 21: return "control protection exception";
  }
  return "reserved exception";
}

function signalForException(vector: u64): i32 {
  switch (<i32>vector) {
    case 0:
    case 16:
    case 19:
      return SIGFPE;
    case 1:
    case 3:
      return SIGTRAP;
    case 6:
      return SIGILL;
  }
  return SIGSEGV;
}

// Entry from arch/x86_64/idt.asm and syscall.asm; `frameAddress` is the
// wasm address of the trap frame.
export function trapHandler(frameAddress: usize): void {
  const frame = changetype<TrapFrame>(frameAddress);
  const vector = frame.vector;
  if (vector == SYSCALL_VECTOR) {
    syscallDispatch(frame);
  } else if (vector < 32) {
    if (frame.fromUser()) userException(frame);
    else kernelException(frame);
  } else if (vector < <u64>IRQ_BASE + 16) {
    interrupt(frame, <u32>vector - IRQ_BASE);
  } else {
    kernelException(frame);
  }
  // A signal sent to a process running in ring 3 (or to itself) acts on
  // the way back to ring 3.
  if (frame.fromUser() && hasCurrentProcess()) {
    const signal = currentProcess().pendingSignal;
    if (signal != 0) killCurrent(signal);
  }
}

function interrupt(frame: TrapFrame, irq: u32): void {
  if ((irq == 7 || irq == 15) && !picIrqInService(irq)) {
    // Spurious: no EOI for it, except to the master for a slave's (8259A
    // data sheet); IRQ 2 is the cascade.
    if (irq == 15) picEndOfInterrupt(0);
    return;
  }
  if (irq == IRQ_TIMER) {
    ticks++;
    picEndOfInterrupt(irq);
    wakeup(timerChannel());
    // Preempt only ring 3: kernel code runs with interrupts off except in
    // the scheduler's idle wait.
    if (frame.fromUser() && hasCurrentProcess()) yieldCpu();
    return;
  }
  if (irq == IRQ_COM1) serialIrq();
  picEndOfInterrupt(irq);
}

// Page-fault error code bits (SDM Vol. 3A 5.7, figure 5-12): the page was
// present (a protection fault), and the access was a write.
const FAULT_PRESENT: u64 = 1 << 0;
const FAULT_WRITE: u64 = 1 << 1;

// A write to a copy-on-write page gets a private frame and retries; any
// other fault in ring 3 kills the process with a one-line report, which
// says "out of memory" when no frame was free for the copy.
function userException(frame: TrapFrame): void {
  const p = currentProcess();
  let outOfMemory = false;
  if (frame.vector == PAGE_FAULT && (frame.error & (FAULT_PRESENT | FAULT_WRITE)) == (FAULT_PRESENT | FAULT_WRITE)) {
    const page = readCr2() & ~(<u64>0xfff);
    if (p.vm.resolveCopyOnWrite(page)) return;
    // A copy-on-write page that could not be copied: no frame is free.
    outOfMemory = (p.vm.entry(page) & PTE_COW) != 0;
  }
  let report = "pid " + p.pid.toString() + ": " + (outOfMemory ? "out of memory" : exceptionName(frame.vector));
  if (frame.vector == PAGE_FAULT) report += " at 0x" + readCr2().toString(16);
  report += " rip 0x" + frame.rip.toString(16) + "\n";
  kprint(report);
  // Linux's out-of-memory killer sends SIGKILL.
  killCurrent(outOfMemory ? SIGKILL : signalForException(frame.vector));
}

// A CPU exception in the kernel is a kernel bug: report it without
// allocating and stop.
function kernelException(frame: TrapFrame): void {
  panicPuts("\npanic: trap: ");
  panicPuts(exceptionName(frame.vector));
  panicPuts(" (vector ");
  panicPutDec(frame.vector);
  panicPuts(") in the kernel, error code ");
  panicPutHex(frame.error, 1);
  panicPuts("\n  rip ");
  panicPutHex(frame.rip);
  panicPuts(" ");
  panicPutSymbol(frame.rip);
  panicPuts("\n  cr2 ");
  panicPutHex(readCr2());
  if (hasCurrentProcess()) {
    panicPuts("  pid ");
    panicPutDec(<u64>currentProcess().pid);
  }
  panicPuts("\n");
  printRegisters(frame);
  panicBacktrace(frame.rbp);
  panicStop();
}

function printRegister(name: string, value: u64, endOfLine: bool): void {
  panicPuts("  ");
  panicPuts(name);
  panicPuts(" ");
  panicPutHex(value);
  if (endOfLine) panicPuts("\n");
}

function printRegisters(frame: TrapFrame): void {
  printRegister("rax", frame.rax, false);
  printRegister("rbx", frame.rbx, false);
  printRegister("rcx", frame.rcx, true);
  printRegister("rdx", frame.rdx, false);
  printRegister("rsi", frame.rsi, false);
  printRegister("rdi", frame.rdi, true);
  printRegister("rbp", frame.rbp, false);
  printRegister("rsp", frame.rsp, false);
  printRegister("r8 ", frame.r8, true);
  printRegister("r9 ", frame.r9, false);
  printRegister("r10", frame.r10, false);
  printRegister("r11", frame.r11, true);
  printRegister("r12", frame.r12, false);
  printRegister("r13", frame.r13, false);
  printRegister("r14", frame.r14, true);
  printRegister("r15", frame.r15, false);
  printRegister("rflags", frame.rflags, false);
  printRegister("cs", frame.cs, true);
}
