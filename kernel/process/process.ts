// Processes and the process table.
import { FileTable } from "../fs/file";
import { Inode } from "../fs/inode";
import { panic } from "../panic/panic";
import { DIRECT_MAP, VmSpace } from "../memory/paging";
import { FXSAVE_SIZE, TRAP_FRAME_SIZE } from "../trap/frame";

// NOTE: kernel stacks have no guard page, so an overflow corrupts the
// kernel heap before the canary at the stack's lowest address reveals it
// (checkKernelStack). The deepest use measured (boot, shell, exec,
// resident exec, user faults) was under 3 KiB, including the trap frame.
export const KERNEL_STACK_SIZE: usize = 32 * 1024;
const STACK_CANARY: u64 = 0x5354414b43414e59;
export const INIT_PID = 1;
// Maximum number of processes; fork fails with EAGAIN beyond it. Each costs a
// kernel stack on the kernel heap, which ends at 48 MiB.
export const MAX_PROCESSES = 256;

export const enum ProcessState {
  Runnable = 1,
  Running = 2,
  Sleeping = 3,
  Zombie = 4,
}

export class Process {
  pid: i32;
  ppid: i32;
  uid: u32 = 0;
  state: ProcessState = ProcessState.Runnable;
  // wait4 status word (docs/abi.md), set when the process becomes a zombie.
  exitStatus: i32 = 0;
  vm: VmSpace;
  // Kernel stack: [kernelStack, kernelStack + KERNEL_STACK_SIZE), wasm
  // addresses; 16-byte aligned. The trap frame of the latest entry from
  // ring 3 sits at its top.
  kernelStack: usize;
  kernelStackBlock: usize;
  // User FS base (arch_prctl ARCH_SET_FS), loaded into MSR FS_BASE while
  // the process runs.
  fsBase: u64 = 0;
  // Native rsp saved by arch_switch while the process is switched out.
  savedRsp: u64 = 0;
  // Signal sent by kill(2) or the tty and not yet acted on, or 0. Every
  // signal that is delivered terminates the process (there are no handlers).
  pendingSignal: i32 = 0;
  // Signals set to SIG_IGN by rt_sigaction: bit n - 1 for signal n. Fork
  // copies the mask and execve keeps it (signal.ts).
  ignoredSignals: u64 = 0;
  // What a sleeping process waits for (sleep/wakeup in sched.ts).
  channel: usize = 0;
  // asc's shadow stack of the switched-out process: the slots from
  // `shadowPointer` up to __heap_base. Kept in a managed array, so that the
  // collector traces them (sched.ts).
  shadowSlots: Array<Object | null> = [];
  shadowPointer: usize = 0;
  files: FileTable;
  cwd: string = "/";
  // The executable this process runs, for resident registration.
  exePath: string = "";
  exeInode: Inode | null = null;
  // Auxiliary-vector facts of the running program (AT_PHDR, AT_PHNUM,
  // AT_ENTRY), kept for a resident snapshot taken from this process.
  auxPhdr: u64 = 0;
  auxPhnum: u32 = 0;
  auxEntry: u64 = 0;

  constructor(pid: i32, ppid: i32, vm: VmSpace, files: FileTable) {
    this.pid = pid;
    this.ppid = ppid;
    this.vm = vm;
    this.files = files;
    const block = heap.alloc(KERNEL_STACK_SIZE + 16);
    this.kernelStackBlock = block;
    this.kernelStack = (block + 15) & ~(<usize>15);
    store<u64>(this.kernelStack, STACK_CANARY);
  }

  // Panics when the canary at the bottom of the kernel stack is gone.
  checkKernelStack(): void {
    if (this.kernelStack != 0 && load<u64>(this.kernelStack) != STACK_CANARY) {
      panic("process: kernel stack of pid " + this.pid.toString() + " overflowed at 0x" + this.kernelStack.toString(16));
    }
  }

  kernelStackTop(): usize {
    return this.kernelStack + KERNEL_STACK_SIZE;
  }

  // Native address of the top of the kernel stack, for TSS.rsp0.
  kernelStackTopNative(): u64 {
    return DIRECT_MAP + <u64>this.kernelStackTop();
  }

  // Wasm address of the trap frame of the latest entry from ring 3.
  trapFrame(): usize {
    return this.kernelStackTop() - TRAP_FRAME_SIZE;
  }

  // Wasm address of the saved x87/SSE state, right below the trap frame.
  fpuState(): usize {
    return this.trapFrame() - FXSAVE_SIZE;
  }

  freeKernelStack(): void {
    if (this.kernelStackBlock != 0) heap.free(this.kernelStackBlock);
    this.kernelStackBlock = 0;
    this.kernelStack = 0;
  }
}

// Every process that has not been reaped, in creation order.
export const processes = new Array<Process>();
let nextPid = INIT_PID;

export function allocatePid(): i32 {
  return nextPid++;
}

export function findProcess(pid: i32): Process | null {
  for (let i = 0; i < processes.length; i++) {
    const p = unchecked(processes[i]);
    if (p.pid == pid) return p;
  }
  return null;
}

export function removeProcess(target: Process): void {
  const index = processes.indexOf(target);
  if (index < 0) panic("process: pid " + target.pid.toString() + " is not in the table");
  processes.splice(index, 1);
}
