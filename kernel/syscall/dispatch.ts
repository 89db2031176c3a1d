// System-call dispatch: Linux x86-64 numbers and registers (rax = number;
// rdi, rsi, rdx, r10, r8, r9; result in rax, errors as -errno), plus the
// resident calls 1000-1002 (docs/abi.md).
import { sysExecve } from "../exec/exec";
import {
  sysChdir,
  sysClose,
  sysDup,
  sysDup2,
  sysFstat,
  sysGetcwd,
  sysGetdents64,
  sysLseek,
  sysMkdir,
  sysOpen,
  sysRead,
  sysRename,
  sysRmdir,
  sysUnlink,
  sysWrite,
} from "../fs/syscalls";
import { ENOSYS } from "../lib/errno";
import { sysBrk, sysMmap, sysMprotect, sysMunmap } from "../memory/mmap";
import {
  sysArchPrctl,
  sysExit,
  sysFork,
  sysGeteuid,
  sysGetgid,
  sysNanosleep,
  sysSchedYield,
  sysSetTidAddress,
  sysGetpid,
  sysGetppid,
  sysGetuid,
  sysKill,
  sysSetuid,
  sysWait4,
} from "../process/syscalls";
import { sysRtSigaction } from "../process/signal";
import {
  sysExecSysRegister,
  sysExecSysResidentList,
  sysExecSysUnregister,
} from "../resident/resident";
import { TrapFrame } from "../trap/frame";
import { sysReboot, sysUname } from "./system";

export const SYS_READ = 0;
export const SYS_WRITE = 1;
export const SYS_OPEN = 2;
export const SYS_CLOSE = 3;
export const SYS_FSTAT = 5;
export const SYS_LSEEK = 8;
export const SYS_MMAP = 9;
export const SYS_MUNMAP = 11;
export const SYS_MPROTECT = 10;
export const SYS_BRK = 12;
export const SYS_RT_SIGACTION = 13;
export const SYS_SCHED_YIELD = 24;
export const SYS_DUP = 32;
export const SYS_DUP2 = 33;
export const SYS_NANOSLEEP = 35;
export const SYS_GETPID = 39;
export const SYS_FORK = 57;
export const SYS_EXECVE = 59;
export const SYS_EXIT = 60;
export const SYS_WAIT4 = 61;
export const SYS_KILL = 62;
export const SYS_UNAME = 63;
export const SYS_GETCWD = 79;
export const SYS_CHDIR = 80;
export const SYS_RENAME = 82;
export const SYS_MKDIR = 83;
export const SYS_RMDIR = 84;
export const SYS_UNLINK = 87;
export const SYS_GETUID = 102;
export const SYS_GETGID = 104;
export const SYS_SETUID = 105;
export const SYS_GETEUID = 107;
export const SYS_GETEGID = 108;
export const SYS_GETPPID = 110;
export const SYS_ARCH_PRCTL = 158;
export const SYS_REBOOT = 169;
export const SYS_GETDENTS64 = 217;
export const SYS_SET_TID_ADDRESS = 218;
export const SYS_EXIT_GROUP = 231;
export const SYS_EXEC_SYS_REGISTER = 1000;
export const SYS_EXEC_SYS_UNREGISTER = 1001;
export const SYS_EXEC_SYS_RESIDENT_LIST = 1002;

export function syscallDispatch(frame: TrapFrame): void {
  frame.rax = <u64>syscall(frame.rax, frame.rdi, frame.rsi, frame.rdx, frame.r10, frame.r8, frame.r9);
}

function syscall(nr: u64, a1: u64, a2: u64, a3: u64, a4: u64, a5: u64, a6: u64): i64 {
  if (nr > <u64>i32.MAX_VALUE) return -ENOSYS;
  switch (<i32>nr) {
    case SYS_READ: return sysRead(<i32>a1, a2, a3);
    case SYS_WRITE: return sysWrite(<i32>a1, a2, a3);
    case SYS_OPEN: return sysOpen(a1, <i32>a2, <i32>a3);
    case SYS_CLOSE: return sysClose(<i32>a1);
    case SYS_FSTAT: return sysFstat(<i32>a1, a2);
    case SYS_LSEEK: return sysLseek(<i32>a1, <i64>a2, <i32>a3);
    case SYS_MMAP: return sysMmap(a1, a2, <i32>a3, <i32>a4, <i32>a5, a6);
    case SYS_MUNMAP: return sysMunmap(a1, a2);
    case SYS_MPROTECT: return sysMprotect(a1, a2, <i32>a3);
    case SYS_BRK: return sysBrk(a1);
    case SYS_RT_SIGACTION: return sysRtSigaction(<i32>a1, a2, a3, a4);
    case SYS_SCHED_YIELD: return sysSchedYield();
    case SYS_NANOSLEEP: return sysNanosleep(a1, a2);
    case SYS_DUP: return sysDup(<i32>a1);
    case SYS_DUP2: return sysDup2(<i32>a1, <i32>a2);
    case SYS_GETPID: return sysGetpid();
    case SYS_FORK: return sysFork();
    case SYS_EXECVE: return sysExecve(a1, a2, a3);
    case SYS_EXIT: return sysExit(<i32>a1);
    case SYS_WAIT4: return sysWait4(<i32>a1, a2, <i32>a3, a4);
    case SYS_KILL: return sysKill(<i32>a1, <i32>a2);
    case SYS_UNAME: return sysUname(a1);
    case SYS_GETCWD: return sysGetcwd(a1, a2);
    case SYS_CHDIR: return sysChdir(a1);
    case SYS_RENAME: return sysRename(a1, a2);
    case SYS_MKDIR: return sysMkdir(a1, <i32>a2);
    case SYS_RMDIR: return sysRmdir(a1);
    case SYS_UNLINK: return sysUnlink(a1);
    case SYS_GETUID: return sysGetuid();
    case SYS_GETGID: return sysGetgid();
    case SYS_GETEUID: return sysGeteuid();
    case SYS_GETEGID: return sysGetgid();
    case SYS_ARCH_PRCTL: return sysArchPrctl(<i32>a1, a2);
    case SYS_SET_TID_ADDRESS: return sysSetTidAddress(a1);
    case SYS_SETUID: return sysSetuid(<u32>a1);
    case SYS_GETPPID: return sysGetppid();
    case SYS_REBOOT: return sysReboot(<u32>a1, <u32>a2, <u32>a3);
    case SYS_GETDENTS64: return sysGetdents64(<i32>a1, a2, a3);
    // One thread per process, so exit_group is exit.
    case SYS_EXIT_GROUP: return sysExit(<i32>a1);
    case SYS_EXEC_SYS_REGISTER: return sysExecSysRegister(a1);
    case SYS_EXEC_SYS_UNREGISTER: return sysExecSysUnregister(<i32>a1);
    case SYS_EXEC_SYS_RESIDENT_LIST: return sysExecSysResidentList(a1, a2);
  }
  return -ENOSYS;
}
