// System-call wrappers for user programs. Numbers, registers and error
// convention are Linux x86-64 (results below 0 are -errno); calls 1000-1002
// are this project's resident-executable calls (docs/abi.md).
//
// Pointer arguments are wasm addresses (`usize`); each wrapper adds
// memoryBase() so that the kernel receives a native address. Wrappers whose
// name starts with `native` take native addresses as they are.

import { memoryBase, syscall6 } from "../../arch/x86_64/intrinsics";

export const SYS_READ: i64 = 0;
export const SYS_WRITE: i64 = 1;
export const SYS_OPEN: i64 = 2;
export const SYS_CLOSE: i64 = 3;
export const SYS_FSTAT: i64 = 5;
export const SYS_LSEEK: i64 = 8;
export const SYS_GETPID: i64 = 39;
export const SYS_FORK: i64 = 57;
export const SYS_EXECVE: i64 = 59;
export const SYS_EXIT: i64 = 60;
export const SYS_WAIT4: i64 = 61;
export const SYS_GETCWD: i64 = 79;
export const SYS_CHDIR: i64 = 80;
export const SYS_GETUID: i64 = 102;
export const SYS_SETUID: i64 = 105;
export const SYS_GETPPID: i64 = 110;
export const SYS_REBOOT: i64 = 169;
export const SYS_GETDENTS64: i64 = 217;
export const SYS_EXIT_GROUP: i64 = 231;
export const SYS_EXEC_SYS_REGISTER: i64 = 1000;
export const SYS_EXEC_SYS_UNREGISTER: i64 = 1001;
export const SYS_EXEC_SYS_RESIDENT_LIST: i64 = 1002;

// open(2) flags and lseek(2) whence values, as Linux defines them on x86-64.
export const O_RDONLY: i32 = 0;
export const O_WRONLY: i32 = 1;
export const O_RDWR: i32 = 2;
export const O_CREAT: i32 = 0o100;
export const O_TRUNC: i32 = 0o1000;
export const O_APPEND: i32 = 0o2000;
export const O_DIRECTORY: i32 = 0o200000;
export const O_CLOEXEC: i32 = 0o2000000;
export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;

// reboot(2) magic numbers and commands, as the Linux reboot(2) page gives them.
export const LINUX_REBOOT_MAGIC1: i64 = 0xfee1dead;
export const LINUX_REBOOT_MAGIC2: i64 = 672274793;
export const LINUX_REBOOT_CMD_RESTART: i64 = 0x01234567;
export const LINUX_REBOOT_CMD_HALT: i64 = 0xcdef0123;
export const LINUX_REBOOT_CMD_POWER_OFF: i64 = 0x4321fedc;

// exec_sys_unregister(2) ids that select more than one registration.
export const UNREGISTER_SELF: i32 = -1;
export const UNREGISTER_ALL: i32 = -2;

// Returns the native address of wasm address `ptr`.
@inline
export function nativeAddress(ptr: usize): i64 {
  return <i64>memoryBase() + <i64>ptr;
}

@inline
function syscall0(nr: i64): i64 {
  return syscall6(nr, 0, 0, 0, 0, 0, 0);
}

@inline
function syscall3(nr: i64, a1: i64, a2: i64, a3: i64): i64 {
  return syscall6(nr, a1, a2, a3, 0, 0, 0);
}

export function read(fd: i32, buf: usize, count: usize): i64 {
  return syscall3(SYS_READ, fd, nativeAddress(buf), <i64>count);
}

export function write(fd: i32, buf: usize, count: usize): i64 {
  return syscall3(SYS_WRITE, fd, nativeAddress(buf), <i64>count);
}

// Passes `buf` unchanged, so tests can hand the kernel any native address.
export function nativeWrite(fd: i32, buf: i64, count: i64): i64 {
  return syscall3(SYS_WRITE, fd, buf, count);
}

export function nativeRead(fd: i32, buf: i64, count: i64): i64 {
  return syscall3(SYS_READ, fd, buf, count);
}

// `path` is the wasm address of a NUL-terminated UTF-8 string.
export function open(path: usize, flags: i32, mode: i32): i32 {
  return <i32>syscall3(SYS_OPEN, nativeAddress(path), flags, mode);
}

export function close(fd: i32): i32 {
  return <i32>syscall3(SYS_CLOSE, fd, 0, 0);
}

// `statbuf` must hold STAT_SIZE bytes (see stat.ts for the layout).
export function fstat(fd: i32, statbuf: usize): i32 {
  return <i32>syscall3(SYS_FSTAT, fd, nativeAddress(statbuf), 0);
}

export function lseek(fd: i32, offset: i64, whence: i32): i64 {
  return syscall3(SYS_LSEEK, fd, offset, whence);
}

// Fills `buf` with linux_dirent64 records; returns the bytes used, 0 at the
// end of the directory.
export function getdents64(fd: i32, buf: usize, count: usize): i64 {
  return syscall3(SYS_GETDENTS64, fd, nativeAddress(buf), <i64>count);
}

export function getpid(): i32 {
  return <i32>syscall0(SYS_GETPID);
}

export function getppid(): i32 {
  return <i32>syscall0(SYS_GETPPID);
}

// Returns the child's pid in the parent and 0 in the child.
export function fork(): i32 {
  return <i32>syscall0(SYS_FORK);
}

// `path` is a wasm address; `argv` and `envp` are wasm addresses of
// NULL-terminated arrays of native (u64) string addresses. Returns only on
// failure.
export function execve(path: usize, argv: usize, envp: usize): i32 {
  return <i32>(
    syscall3(SYS_EXECVE, nativeAddress(path), nativeAddress(argv), nativeAddress(envp))
  );
}

// Stores the wait status as an i32 at wasm address `status` (0: not stored).
export function wait4(pid: i32, status: usize, options: i32): i32 {
  let nativeStatus: i64 = status == 0 ? 0 : nativeAddress(status);
  return <i32>syscall6(SYS_WAIT4, pid, nativeStatus, options, 0, 0, 0);
}

// Ends the process (exit_group: the runtime has a single thread).
export function exit(code: i32): void {
  syscall3(SYS_EXIT_GROUP, code, 0, 0);
  unreachable();
}

export function getuid(): i32 {
  return <i32>syscall0(SYS_GETUID);
}

export function setuid(uid: i32): i32 {
  return <i32>syscall3(SYS_SETUID, uid, 0, 0);
}

export function chdir(path: usize): i32 {
  return <i32>syscall3(SYS_CHDIR, nativeAddress(path), 0, 0);
}

// Linux's raw getcwd returns the length including the NUL, or -errno.
export function getcwd(buf: usize, size: usize): i32 {
  return <i32>syscall3(SYS_GETCWD, nativeAddress(buf), <i64>size, 0);
}

export function reboot(cmd: i64): i32 {
  return <i32>(
    syscall6(SYS_REBOOT, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, 0, 0, 0)
  );
}

// `entry` is the native address where a resident exec starts.
export function execSysRegister(entry: i64): i32 {
  return <i32>syscall3(SYS_EXEC_SYS_REGISTER, entry, 0, 0);
}

export function execSysUnregister(id: i32): i32 {
  return <i32>syscall3(SYS_EXEC_SYS_UNREGISTER, id, 0, 0);
}

// Fills `buf` (`len` bytes) with RESIDENT_RECORD_SIZE-byte records; returns
// how many records it wrote.
export function execSysResidentList(buf: usize, len: usize): i32 {
  return <i32>syscall3(SYS_EXEC_SYS_RESIDENT_LIST, nativeAddress(buf), <i64>len, 0);
}
