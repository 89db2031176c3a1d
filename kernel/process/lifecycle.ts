// Process creation, termination and reaping.
import { FileTable } from "../fs/file";
import { klog } from "../log";
import { freeFrames } from "../memory/frames";
import { activateKernelSpace, VmSpace } from "../memory/paging";
import { panic } from "../panic/panic";
import { FXSAVE_SIZE, TRAP_FRAME_SIZE, TrapFrame } from "../trap/frame";
import {
  allocatePid,
  MAX_PROCESSES,
  findProcess,
  INIT_PID,
  Process,
  ProcessState,
  processes,
  removeProcess,
} from "./process";
import { currentProcess, prepareFirstSwitch, schedule, wakeup } from "./sched";

// Creates a runnable process; its trap frame and x87/SSE state at the top
// of the kernel stack must be filled in before it first runs.
export function createProcess(ppid: i32, vm: VmSpace, files: FileTable): Process {
  const p = new Process(allocatePid(), ppid, vm, files);
  prepareFirstSwitch(p);
  processes.push(p);
  return p;
}

// Copies the current process; the child returns 0 from fork. Returns null
// when memory runs out or MAX_PROCESSES exist.
export function forkCurrent(): Process | null {
  const parent = currentProcess();
  if (processes.length >= MAX_PROCESSES) return null;
  const vm = parent.vm.copy();
  if (vm === null) return null;
  const child = createProcess(parent.pid, vm, parent.files.fork());
  child.uid = parent.uid;
  child.cwd = parent.cwd;
  child.exePath = parent.exePath;
  child.exeInode = parent.exeInode;
  child.auxPhdr = parent.auxPhdr;
  child.auxPhnum = parent.auxPhnum;
  child.auxEntry = parent.auxEntry;
  child.fsBase = parent.fsBase;
  child.ignoredSignals = parent.ignoredSignals;
  // The parent's frame and x87/SSE state of this system call.
  memory.copy(child.fpuState(), parent.fpuState(), FXSAVE_SIZE + TRAP_FRAME_SIZE);
  store<u64>(child.trapFrame(), 0, offsetof<TrapFrame>("rax"));
  return child;
}

// Ends the current process with wait4 status `status` and switches away
// for good. Its children go to init; its parent is woken.
export function exitCurrent(status: i32): void {
  const p = currentProcess();
  if (p.pid == INIT_PID) {
    panic("process: init exited with wait status 0x" + status.toString(16));
  }
  p.files.closeAll();
  activateKernelSpace();
  p.vm.destroy();

  let orphans = false;
  for (let i = 0; i < processes.length; i++) {
    const child = unchecked(processes[i]);
    if (child.ppid == p.pid) {
      child.ppid = INIT_PID;
      orphans = true;
    }
  }
  p.exitStatus = status;
  p.state = ProcessState.Zombie;
  const parent = findProcess(p.ppid);
  if (parent !== null) wakeup(changetype<usize>(parent));
  if (orphans) {
    const init = findProcess(INIT_PID);
    if (init !== null) wakeup(changetype<usize>(init));
  }
  schedule();
  panic("process: zombie pid " + p.pid.toString() + " was scheduled");
}

// Exit status word for exit(code) (docs/abi.md, Linux wait4).
export function exitedStatus(code: i32): i32 {
  return (code & 0xff) << 8;
}

// Kills the current process as if by signal `signal`.
export function killCurrent(signal: i32): void {
  exitCurrent(signal & 0x7f);
}

// Frees what is left of a zombie once its parent has read its status.
export function reap(zombie: Process): void {
  zombie.checkKernelStack();
  zombie.freeKernelStack();
  removeProcess(zombie);
  klog(
    "process: reaped pid " + zombie.pid.toString() + ", wait status 0x" + zombie.exitStatus.toString(16) +
      ", " + freeFrames().toString() + " frames free",
  );
}
