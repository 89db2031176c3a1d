// Process system calls: fork, exit, exit_group, wait4 and the ids.
import { EAGAIN, ECHILD, EFAULT, EINVAL, EPERM, ESRCH } from "../lib/errno";
import { wrmsr } from "../../arch/x86_64/intrinsics";
import { USER_END } from "../memory/paging";
import { copyIn } from "../memory/usercopy";
import { TIMER_HZ } from "../trap/cpu";
import { timerChannel, timerTicks } from "../trap/trap";
import { copyOut } from "../memory/usercopy";
import { exitCurrent, exitedStatus, forkCurrent, reap } from "./lifecycle";
import { INIT_PID, Process, ProcessState, processes } from "./process";
import { currentProcess, MSR_FS_BASE, signalProcess, sleep, yieldCpu } from "./sched";
import { ignoresSignal } from "./signal";

// wait4 options (Linux include/uapi/linux/wait.h).
const WNOHANG: i32 = 1;
const WUNTRACED: i32 = 2;
const WCONTINUED: i32 = 8;
const WALL: i32 = 0x40000000;
const WCLONE: i32 = 0x80000000;

export function sysFork(): i64 {
  const child = forkCurrent();
  if (child === null) return -EAGAIN;
  return child.pid;
}

export function sysExit(code: i32): i64 {
  exitCurrent(exitedStatus(code));
  return 0;
}

// Returns true when child `p` matches wait4's `pid`. There is one process
// group, so 0, -1 and every value below -1 match any child.
function matchesWaitPid(p: Process, pid: i32): bool {
  return pid <= 0 || p.pid == pid;
}

export function sysWait4(pid: i32, statusAddress: u64, options: i32, rusage: u64): i64 {
  if ((options & ~(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE)) != 0) return -EINVAL;
  const self = currentProcess();
  while (true) {
    let haveChild = false;
    let zombie: Process | null = null;
    for (let i = 0; i < processes.length; i++) {
      const p = unchecked(processes[i]);
      if (p.ppid != self.pid || !matchesWaitPid(p, pid)) continue;
      haveChild = true;
      if (p.state == ProcessState.Zombie) {
        zombie = p;
        break;
      }
    }
    if (!haveChild) return -ECHILD;
    if (zombie !== null) {
      if (statusAddress != 0) {
        const status = memory.data(4);
        store<i32>(status, zombie.exitStatus);
        if (!copyOut(statusAddress, status, 4)) return -EFAULT;
      }
      if (rusage != 0) {
        // struct rusage is 144 bytes on x86-64; no accounting yet.
        const zeros = heap.alloc(144);
        memory.fill(zeros, 0, 144);
        const copied = copyOut(rusage, zeros, 144);
        heap.free(zeros);
        if (!copied) return -EFAULT;
      }
      const reaped = zombie.pid;
      reap(zombie);
      return reaped;
    }
    if ((options & WNOHANG) != 0) return 0;
    sleep(changetype<usize>(self));
  }
}

export function sysGetpid(): i64 {
  return currentProcess().pid;
}

export function sysGetppid(): i64 {
  return currentProcess().ppid;
}

export function sysGetuid(): i64 {
  return currentProcess().uid;
}

// setuid(2) with one uid per process: root may set any uid (for good,
// because the saved uid changes too); any other user only its own.
export function sysSetuid(uid: u32): i64 {
  const p = currentProcess();
  if (uid == <u32>-1) return -EINVAL;
  if (p.uid == 0 || p.uid == uid) {
    p.uid = uid;
    return 0;
  }
  return -EPERM;
}

// No groups yet: every process has gid 0, and the effective ids are the
// real ones.
export function sysGeteuid(): i64 {
  return currentProcess().uid;
}

export function sysGetgid(): i64 {
  return 0;
}

export function sysSchedYield(): i64 {
  yieldCpu();
  return 0;
}

// One thread per process: the thread id is the pid. The clear-child-tid
// address is not kept, because no thread ever waits on it.
export function sysSetTidAddress(tidAddress: u64): i64 {
  return currentProcess().pid;
}

// arch_prctl(2) codes (Linux arch/x86/include/uapi/asm/prctl.h).
const ARCH_SET_FS: i32 = 0x1002;
const ARCH_GET_FS: i32 = 0x1003;

export function sysArchPrctl(code: i32, address: u64): i64 {
  const p = currentProcess();
  if (code == ARCH_SET_FS) {
    if (address >= USER_END) return -EPERM;
    p.fsBase = address;
    wrmsr(MSR_FS_BASE, address);
    return 0;
  }
  if (code == ARCH_GET_FS) {
    const value = memory.data(8);
    store<u64>(value, p.fsBase);
    return copyOut(address, value, 8) ? 0 : -EFAULT;
  }
  return -EINVAL;
}

const NANOSECONDS_PER_SECOND: u64 = 1000000000;
// Maximum sleep in seconds; longer requests sleep this long.
const MAX_SLEEP_SECONDS: u64 = 1 << 31;

// nanosleep(2) in timer ticks (1/TIMER_HZ s), rounded up. A signal ends
// the process in sleep() rather than interrupting the call, because there
// are no handlers, so `remaining` is never written.
export function sysNanosleep(request: u64, remaining: u64): i64 {
  const timespec = memory.data(16);
  if (!copyIn(timespec, request, 16)) return -EFAULT;
  const seconds = load<i64>(timespec);
  const nanoseconds = load<i64>(timespec, 8);
  if (seconds < 0 || nanoseconds < 0 || <u64>nanoseconds >= NANOSECONDS_PER_SECOND) return -EINVAL;
  let wholeSeconds = <u64>seconds;
  if (wholeSeconds > MAX_SLEEP_SECONDS) wholeSeconds = MAX_SLEEP_SECONDS;
  const nanosecondsPerTick = NANOSECONDS_PER_SECOND / TIMER_HZ;
  const ticks = wholeSeconds * TIMER_HZ + (<u64>nanoseconds + nanosecondsPerTick - 1) / nanosecondsPerTick;
  const deadline = timerTicks() + ticks;
  while (timerTicks() < deadline) sleep(timerChannel());
  return 0;
}

// Linux signal numbers (include/uapi/asm-generic/signal.h) whose default
// action is to ignore the signal, or to stop or continue the process,
// which this kernel has no job control for. kill delivers them as no-ops.
const SIGCHLD = 17;
const SIGCONT = 18;
const SIGSTOP = 19;
const SIGTSTP = 20;
const SIGTTIN = 21;
const SIGTTOU = 22;
const SIGURG = 23;
const SIGWINCH = 28;
const MAX_SIGNAL = 64;

function terminatesByDefault(signal: i32): bool {
  switch (signal) {
    case SIGCHLD:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
    case SIGWINCH:
      return false;
  }
  return true;
}

// Returns true when the current process may signal `target` (Linux: root,
// or the same uid).
function maySignal(sender: Process, target: Process): bool {
  return sender.uid == 0 || sender.uid == target.uid;
}

// kill(2) with default actions only: a delivered signal terminates the
// process, with the signal as its wait status, unless the process set it to
// SIG_IGN with rt_sigaction. Init ignores every signal,
// as Linux's init does for signals it has no handler for. pid -1, 0 and
// below -1 (process groups; there is one) mean every process but init.
export function sysKill(pid: i32, signal: i32): i64 {
  if (signal < 0 || signal > MAX_SIGNAL) return -EINVAL;
  const sender = currentProcess();
  let found = false;
  let permitted = false;
  for (let i = 0; i < processes.length; i++) {
    const target = unchecked(processes[i]);
    if (target.state == ProcessState.Zombie) continue;
    if (pid > 0 ? target.pid != pid : target.pid == INIT_PID) continue;
    found = true;
    if (!maySignal(sender, target)) continue;
    permitted = true;
    if (signal == 0 || target.pid == INIT_PID || !terminatesByDefault(signal)) continue;
    if (ignoresSignal(target, signal)) continue;
    signalProcess(target, signal);
  }
  if (!found) return -ESRCH;
  return permitted ? 0 : -EPERM;
}
