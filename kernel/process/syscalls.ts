// Process system calls: fork, exit, exit_group, wait4 and the ids.
import { EAGAIN, ECHILD, EFAULT, EINVAL, EPERM } from "../lib/errno";
import { copyOut } from "../memory/usercopy";
import { exitCurrent, exitedStatus, forkCurrent, reap } from "./lifecycle";
import { Process, ProcessState, processes } from "./process";
import { currentProcess, sleep } from "./sched";

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
