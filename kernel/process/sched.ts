// Round-robin scheduler, sleep/wakeup and the context switch.
//
// The kernel runs with interrupts off, because the IDT has interrupt gates
// and the syscall entry masks IF. Interrupts are on only in ring 3 and
// while the scheduler idles in arch_idle. So a switch happens only where
// the kernel calls sleep, yieldCpu or exit. An interrupt handler never runs
// in the middle of kernel code other than the idle wait.
//
// asc's incremental collector keeps the roots of the running code on a
// shadow stack. That is one region for the whole kernel, scanned from
// __stack_pointer up to __heap_base, but every process has its own kernel
// stack. So a switch moves the outgoing process's shadow slots into its
// Process object, where the collector traces them, and puts the incoming
// process's slots back. Each process gets back the __stack_pointer it
// saved, so its own frames line up again however the compiler inlined the
// switch path.
import { wrmsr } from "../../arch/x86_64/intrinsics";
import { DIRECT_MAP } from "../memory/paging";
import { panic } from "../panic/panic";
import { killCurrent } from "./lifecycle";
import { Process, ProcessState, processes } from "./process";

@external("arch", "switch")
declare function archSwitch(saveRsp: u64, nextRsp: u64): void;
@external("arch", "set_kernel_stack")
declare function archSetKernelStack(top: u64): void;
@external("arch", "idle")
declare function archIdle(): void;
@external("arch", "fork_return_address")
declare function archForkReturnAddress(): u64;

// FS segment base (SDM Vol. 4, table 2-2); the kernel itself never uses FS.
export const MSR_FS_BASE: u32 = 0xc0000100;

let current: Process | null = null;
let lastIndex = 0;
// Where the boot context's rsp goes when the first process starts; the
// boot context never runs again.
const bootRsp = memory.data(8);

// The process whose kernel code is running. Panics before the first
// process starts.
export function currentProcess(): Process {
  if (current === null) panic("sched: no current process");
  return current!;
}

export function hasCurrentProcess(): bool {
  return current !== null;
}

// Blocks the current process until wakeup(channel). A caller rechecks its
// condition after sleep returns, because one wakeup releases every sleeper
// of the channel. A signal sent meanwhile ends the process here, so sleep
// returns only to a process that lives on.
export function sleep(channel: usize): void {
  const p = currentProcess();
  p.channel = channel;
  p.state = ProcessState.Sleeping;
  schedule();
  if (p.pendingSignal != 0) killCurrent(p.pendingSignal);
}

// Sends `signal` to `p`: a sleeping process wakes up to die.
export function signalProcess(p: Process, signal: i32): void {
  p.pendingSignal = signal;
  if (p.state == ProcessState.Sleeping) {
    p.state = ProcessState.Runnable;
    p.channel = 0;
  }
}

// Makes every process sleeping on `channel` runnable. Safe in interrupt
// handlers: it does not allocate.
export function wakeup(channel: usize): void {
  for (let i = 0; i < processes.length; i++) {
    const p = unchecked(processes[i]);
    if (p.state == ProcessState.Sleeping && p.channel == channel) {
      p.state = ProcessState.Runnable;
      p.channel = 0;
    }
  }
}

// Gives up the CPU to the next runnable process, if any.
export function yieldCpu(): void {
  const p = currentProcess();
  p.state = ProcessState.Runnable;
  schedule();
}

// Returns the next runnable process after the last one chosen, or null.
function pickNext(): Process | null {
  const count = processes.length;
  for (let step = 1; step <= count; step++) {
    const index = (lastIndex + step) % count;
    const p = unchecked(processes[index]);
    if (p.state == ProcessState.Runnable) {
      lastIndex = index;
      return p;
    }
  }
  return null;
}

// Runs the next runnable process; returns when the current process is
// chosen again. Idles with interrupts on while nothing is runnable.
export function schedule(): void {
  let next = pickNext();
  while (next === null) {
    archIdle();
    next = pickNext();
  }
  switchTo(next!);
}

function switchTo(next: Process): void {
  const prev = currentProcess();
  next.state = ProcessState.Running;
  if (next === prev) return;

  prev.checkKernelStack();
  const sp = __stack_pointer;
  saveShadowStack(prev, sp);
  enter(next);
  archSwitch(DIRECT_MAP + <u64>(changetype<usize>(prev) + offsetof<Process>("savedRsp")), next.savedRsp);

  // Running again as `prev`, switched back by some other process.
  const me = changetype<usize>(current);
  const slots = changetype<usize>(load<usize>(me + offsetof<Process>("shadowSlots")));
  restoreShadowStack(load<usize>(me + offsetof<Process>("shadowPointer")), slots);
}

// Loads `next`'s address space and kernel stack and makes it current.
function enter(next: Process): void {
  current = next;
  next.vm.activate();
  archSetKernelStack(next.kernelStackTopNative());
  wrmsr(MSR_FS_BASE, next.fsBase);
}

function saveShadowStack(p: Process, sp: usize): void {
  const count = <i32>((__heap_base - sp) / sizeof<usize>());
  const slots = p.shadowSlots;
  slots.length = count;
  for (let i = 0; i < count; i++) {
    unchecked((slots[i] = changetype<Object | null>(load<usize>(sp + i * sizeof<usize>()))));
  }
  p.shadowPointer = sp;
}

// Writes saved slots back to [sp, __heap_base). Uses no managed locals, so
// it owns no shadow-stack frame that the copy could overwrite.
function restoreShadowStack(sp: usize, slots: usize): void {
  const data = load<usize>(slots, offsetof<Array<usize>>("dataStart"));
  const count = (__heap_base - sp) / sizeof<usize>();
  memory.copy(sp, data, count * sizeof<usize>());
  __stack_pointer = sp;
}

// Prepares `p` to start at arch_fork_return with the trap frame and the
// x87/SSE state at the top of its kernel stack, both filled in by the
// caller: arch_switch pops six callee-saved registers (zero) and returns
// there.
export function prepareFirstSwitch(p: Process): void {
  const returnSlot = p.fpuState() - 8;
  store<u64>(returnSlot, archForkReturnAddress());
  const registers = returnSlot - 6 * 8;
  memory.fill(registers, 0, 6 * 8);
  p.savedRsp = DIRECT_MAP + <u64>registers;
}

// First code of a new process in the kernel (called by arch_fork_return):
// its shadow stack is empty.
export function forkReturn(): void {
  __stack_pointer = __heap_base;
}

// Starts the first process; never returns.
export function startScheduler(): void {
  const first = pickNext();
  if (first === null) panic("sched: no runnable process to start");
  first!.state = ProcessState.Running;
  enter(first!);
  archSwitch(DIRECT_MAP + <u64>bootRsp, first!.savedRsp);
  panic("sched: boot context resumed");
}
