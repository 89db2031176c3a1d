// Test program: system calls with hostile arguments. Each mode prints one
// line per call ("CALL = RESULT") and ends with PASS or FAIL; the exit
// status is 0 for PASS.
//   hostile-syscalls pointers        bad pointers, lengths and numbers
//   hostile-syscalls resident-list   exec_sys_resident_list with huge lengths
//   hostile-syscalls register ADDR   exec_sys_register(ADDR), expects EINVAL
//   hostile-syscalls fork-storm      forks until fork fails, then reaps all
//   hostile-syscalls exhaust         takes every free frame, then forks,
//                                    execs and registers
//   hostile-syscalls grow            grows and touches memory until killed
//   hostile-syscalls recurse         recurses until the runtime traps
//   hostile-syscalls files           opens files until EMFILE
//   hostile-syscalls isolation       children wreck their own address
//                                    spaces; the parent must not notice
//   hostile-syscalls setuid          uid changes and root-only calls
//   hostile-syscalls inodes          creates files until ENOSPC
//   hostile-syscalls heap            every kernel-heap limit at once: zombies,
//                                    file content and names
//   hostile-syscalls register-child  a forked child registers this file with
//                                    a bad entry; an exec of it must fault
//   hostile-syscalls fs              rename, rmdir, unlink and chdir games
//   hostile-syscalls mprotect        bad ranges, PROT_NONE, and a child that
//                                    makes the shared code writable
//   hostile-syscalls orphans         forks until EAGAIN and exits without
//                                    reaping: init must reap them all
import { nativeLoad8, nativeStore64, nativeStore8, syscall6 } from "../../arch/x86_64/intrinsics";
import {
  argv,
  close,
  CString,
  errnoName,
  exit,
  fork,
  getpid,
  nativeAddress,
  open,
  print,
  wait4,
  E2BIG,
  EACCES,
  EAGAIN,
  EBADF,
  EPERM,
  EFAULT,
  EINVAL,
  EMFILE,
  ENAMETOOLONG,
  ENODEV,
  ENOENT,
  ENOMEM,
  ENOSYS,
  ERANGE,
  O_RDONLY,
  SYS_CLOSE,
  SYS_EXEC_SYS_REGISTER,
  SYS_EXEC_SYS_RESIDENT_LIST,
  SYS_EXEC_SYS_UNREGISTER,
  SYS_EXECVE,
  SYS_FORK,
  SYS_FSTAT,
  SYS_GETCWD,
  SYS_GETDENTS64,
  SYS_OPEN,
  SYS_READ,
  SYS_WAIT4,
  SYS_WRITE,
} from "../runtime";

const SYS_MMAP: i64 = 9;
const SYS_MUNMAP: i64 = 11;
const SYS_BRK: i64 = 12;
const SYS_UNAME: i64 = 63;
const PROT_READ: i64 = 1;
const PROT_WRITE: i64 = 2;
const MAP_PRIVATE: i64 = 0x02;
const MAP_FIXED: i64 = 0x10;
const MAP_ANONYMOUS: i64 = 0x20;

const NULL_ADDRESS: i64 = 0;
const KERNEL_ADDRESS: i64 = 0xffff800000100000;
// First address past the lower half: not canonical.
const NONCANONICAL_ADDRESS: i64 = 0x0000800000000000;
const HIGH_BIT_ADDRESS: i64 = 0x8000000000000000;
const MINUS_ONE: i64 = -1;
const TWO_TO_63: i64 = 0x8000000000000000;
const PAGE: i64 = 4096;

let ok = true;

function describe(result: i64): string {
  return result < 0 && result > -4096 ? errnoName(<i32>result) : result.toString();
}

// Prints the call and its result; a mismatch makes the run FAIL.
function expect(call: string, result: i64, expected: i64): void {
  let line = call + " = " + describe(result);
  if (result != expected) {
    line += " (expected " + describe(expected) + ")";
    ok = false;
  }
  print(line + "\n");
}

function expectError(call: string, result: i64, errno: i32): void {
  expect(call, result, -(<i64>errno));
}

// Maps two pages and unmaps the second. Returns the native address of the
// second: the bytes below it are mapped and the bytes from it on are not.
function mappedEdge(): i64 {
  let anonymous = MAP_PRIVATE | MAP_ANONYMOUS;
  let region = syscall6(SYS_MMAP, 0, 2 * PAGE, PROT_READ | PROT_WRITE, anonymous, -1, 0);
  syscall6(SYS_MUNMAP, region + PAGE, PAGE, 0, 0, 0, 0);
  return region + PAGE;
}

function finish(): i32 {
  print(ok ? "PASS\n" : "FAIL\n");
  return ok ? 0 : 1;
}

export function main(): i32 {
  let args = argv();
  let mode = args.length > 1 ? args[1] : "pointers";
  if (mode == "pointers") return pointers();
  if (mode == "resident-list") return residentList();
  if (mode == "register" && args.length > 2) return register(I64.parseInt(args[2]));
  if (mode == "fork-storm") return forkStorm();
  if (mode == "exhaust") return exhaust();
  if (mode == "grow") return grow();
  if (mode == "recurse") return <i32>recurse(1);
  if (mode == "files") return files();
  if (mode == "isolation") return isolation();
  if (mode == "setuid") return setuidGames();
  if (mode == "inodes") return inodes();
  if (mode == "heap") return kernelHeap();
  if (mode == "register-child") return registerFromChild();
  if (mode == "fs") return fileSystemGames();
  if (mode == "mprotect") return mprotectGames();
  if (mode == "orphans") return orphans();
  print("usage: hostile-syscalls [pointers|resident-list|register ADDR|fork-storm|exhaust|grow|recurse|files|isolation|setuid|inodes|heap|register-child|fs|mprotect|orphans]\n");
  return 2;
}

function pointers(): i32 {
  let motd = new CString("/etc/motd");
  let fd = open(motd.ptr, O_RDONLY, 0);
  expect("open(/etc/motd) >= 3", fd >= 3 ? 1 : fd, 1);
  let end = mappedEdge();
  let buffer = heap.alloc(256);
  let native = nativeAddress(buffer);

  // read and write: bad buffers, partly mapped buffers, odd lengths.
  let badAddresses: i64[] = [NULL_ADDRESS, KERNEL_ADDRESS, NONCANONICAL_ADDRESS, HIGH_BIT_ADDRESS];
  for (let i = 0; i < badAddresses.length; i++) {
    let address = badAddresses[i];
    let name = "0x" + (<u64>address).toString(16);
    expectError("read(motd, " + name + ", 16)", syscall6(SYS_READ, fd, address, 16, 0, 0, 0), EFAULT);
    expectError("write(1, " + name + ", 16)", syscall6(SYS_WRITE, 1, address, 16, 0, 0, 0), EFAULT);
  }
  expectError("read(motd, end - 8, 64)", syscall6(SYS_READ, fd, end - 8, 64, 0, 0, 0), EFAULT);
  // The failed reads must not move the file offset.
  expect("read(motd, buffer, 1) after the faults", syscall6(SYS_READ, fd, native, 1, 0, 0, 0), 1);
  expect("lseek(motd, 0, SEEK_CUR)", syscall6(8, fd, 0, 1, 0, 0, 0), 1);
  expectError("write(1, end - 8, 64)", syscall6(SYS_WRITE, 1, end - 8, 64, 0, 0, 0), EFAULT);
  expect("write(1, buffer, 0)", syscall6(SYS_WRITE, 1, native, 0, 0, 0, 0), 0);
  expect("read(motd, NULL, 0)", syscall6(SYS_READ, fd, NULL_ADDRESS, 0, 0, 0, 0), 0);
  expectError("read(-1, buffer, 16)", syscall6(SYS_READ, -1, native, 16, 0, 0, 0), EBADF);
  expectError("read(1000000, buffer, 16)", syscall6(SYS_READ, 1000000, native, 16, 0, 0, 0), EBADF);
  // A huge length on a small file reads to the end of the file.
  syscall6(8, fd, 0, 0, 0, 0, 0);
  let whole = syscall6(SYS_READ, fd, native, 256, 0, 0, 0);
  syscall6(8, fd, 0, 0, 0, 0, 0);
  expect("read(motd, buffer, -1) = file size", syscall6(SYS_READ, fd, native, MINUS_ONE, 0, 0, 0), whole);
  syscall6(8, fd, 0, 0, 0, 0, 0);
  expect("read(motd, buffer, 2^63) = file size", syscall6(SYS_READ, fd, native, TWO_TO_63, 0, 0, 0), whole);

  // Paths.
  expectError("open(NULL)", syscall6(SYS_OPEN, NULL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  expectError("open(kernel)", syscall6(SYS_OPEN, KERNEL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  expectError("open(non-canonical)", syscall6(SYS_OPEN, NONCANONICAL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  // "AAAA" up to the unmapped page, with no NUL.
  for (let i: i64 = 1; i <= 4; i++) nativeStore8(end - i, 0x41);
  expectError("open(unterminated before an unmapped page)", syscall6(SYS_OPEN, end - 4, 0, 0, 0, 0, 0), EFAULT);
  let long = heap.alloc(5000);
  memory.fill(long, 0x61, 4999);
  store<u8>(long + 4999, 0);
  expectError("open(4999-byte path)", syscall6(SYS_OPEN, nativeAddress(long), 0, 0, 0, 0, 0), ENAMETOOLONG);
  expectError("open(\"\")", syscall6(SYS_OPEN, nativeAddress(long + 4999), 0, 0, 0, 0, 0), ENOENT);
  expectError("execve(\"\")", syscall6(SYS_EXECVE, nativeAddress(long + 4999), 0, 0, 0, 0, 0), ENOENT);
  // Paths that are not well-formed UTF-8 fail with EILSEQ. asc's decoder
  // would turn "/\xff\xfe" into "/" and the overlong "\xc0\xaf" into "/".
  let invalid = heap.alloc(4);
  store<u32>(invalid, 0x00feff2f);
  expectError("open(/\\xff\\xfe)", syscall6(SYS_OPEN, nativeAddress(invalid), 0, 0, 0, 0, 0), EILSEQ);
  let overlong = heap.alloc(12);
  memory.copy(overlong, changetype<usize>(String.UTF8.encode("/etc\u0001\u0001motd", true)), 12);
  store<u16>(overlong + 4, 0xafc0);
  expectError("open(/etc\\xc0\\xafmotd)", syscall6(SYS_OPEN, nativeAddress(overlong), 0, 0, 0, 0, 0), EILSEQ);
  expectError("mkdir(/\\xff\\xfe)", syscall6(SYS_MKDIR, nativeAddress(invalid), 0o755, 0, 0, 0, 0), EILSEQ);
  expectError("execve(/\\xff\\xfe)", syscall6(SYS_EXECVE, nativeAddress(invalid), 0, 0, 0, 0, 0), EILSEQ);
  expect("mkdir(/\u00e9t\u00e9 \u{1f600})", call1(SYS_MKDIR, "/\u00e9t\u00e9 \u{1f600}"), 0);
  expect("rmdir(/\u00e9t\u00e9 \u{1f600})", call1(SYS_RMDIR, "/\u00e9t\u00e9 \u{1f600}"), 0);

  // fstat, getcwd, uname, getdents64, wait4.
  expectError("fstat(motd, NULL)", syscall6(SYS_FSTAT, fd, NULL_ADDRESS, 0, 0, 0, 0), EFAULT);
  expectError("fstat(motd, end - 8)", syscall6(SYS_FSTAT, fd, end - 8, 0, 0, 0, 0), EFAULT);
  expectError("getcwd(buffer, 0)", syscall6(SYS_GETCWD, native, 0, 0, 0, 0, 0), ERANGE);
  expectError("getcwd(kernel, 4096)", syscall6(SYS_GETCWD, KERNEL_ADDRESS, 4096, 0, 0, 0, 0), EFAULT);
  expectError("uname(NULL)", syscall6(SYS_UNAME, NULL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  let slash = new CString("/");
  let dir = open(slash.ptr, O_RDONLY, 0);
  expectError("getdents64(/, NULL, 4096)", syscall6(SYS_GETDENTS64, dir, NULL_ADDRESS, 4096, 0, 0, 0), EFAULT);
  expectError("getdents64(/, kernel, 2^63)", syscall6(SYS_GETDENTS64, dir, KERNEL_ADDRESS, TWO_TO_63, 0, 0, 0), EFAULT);
  let listed = syscall6(SYS_GETDENTS64, dir, native, 256, 0, 0, 0);
  expect("getdents64(/, buffer, 256) after the faults > 0", listed > 0 ? 1 : listed, 1);
  close(dir);
  expectError("wait4 without children", syscall6(SYS_WAIT4, -1, KERNEL_ADDRESS, 0, 0, 0, 0), 10); // ECHILD
  let child = <i32>syscall6(SYS_FORK, 0, 0, 0, 0, 0, 0);
  if (child == 0) exit(7);
  expectError("wait4(child, kernel status)", syscall6(SYS_WAIT4, child, KERNEL_ADDRESS, 0, 0, 0, 0), EFAULT);
  expectError("wait4(child, status, bad options)", syscall6(SYS_WAIT4, child, native, 0x100, 0, 0, 0), EINVAL);
  // The child stays a zombie until a wait4 that can store the status.
  expect("wait4(child, status) reaps it", syscall6(SYS_WAIT4, child, native, 0, 0, 0, 0), child);
  expect("exit status of the child", load<i32>(buffer), 7 << 8);

  // execve with bad path, argv and envp. Each must fail and return here.
  let echo = new CString("/bin/echo");
  let path = nativeAddress(echo.ptr);
  let array = heap.alloc(24);
  expectError("execve(NULL)", syscall6(SYS_EXECVE, NULL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  expectError("execve(echo, argv = kernel)", syscall6(SYS_EXECVE, path, KERNEL_ADDRESS, 0, 0, 0, 0), EFAULT);
  store<i64>(array, KERNEL_ADDRESS);
  store<i64>(array, 0, 8);
  expectError("execve(echo, argv[0] = kernel)", syscall6(SYS_EXECVE, path, nativeAddress(array), 0, 0, 0, 0), EFAULT);
  expectError("execve(echo, envp[0] = kernel)", syscall6(SYS_EXECVE, path, 0, nativeAddress(array), 0, 0, 0), EFAULT);
  // An argv array that runs into the unmapped page without a NULL.
  nativeStore64(end - 8, path);
  expectError("execve(echo, argv unterminated)", syscall6(SYS_EXECVE, path, end - 8, 0, 0, 0, 0), EFAULT);
  // 40000 pointers to "": more than exec accepts.
  let many = heap.alloc(40001 * 8);
  let empty = nativeAddress(long + 4999);
  for (let i = 0; i < 40000; i++) store<i64>(many + <usize>i * 8, empty);
  store<i64>(many + 40000 * 8, 0);
  expectError("execve(echo, 40000 empty arguments)", syscall6(SYS_EXECVE, path, nativeAddress(many), 0, 0, 0, 0), E2BIG);
  // One 300000-byte argument: past the 256 KiB argument area.
  let huge = heap.alloc(300001);
  memory.fill(huge, 0x62, 300000);
  store<u8>(huge + 300000, 0);
  store<i64>(array, nativeAddress(huge));
  store<i64>(array, 0, 8);
  expectError("execve(echo, 300000-byte argument)", syscall6(SYS_EXECVE, path, nativeAddress(array), 0, 0, 0, 0), E2BIG);

  // mmap, munmap and brk.
  let anonymous = MAP_PRIVATE | MAP_ANONYMOUS;
  expectError("mmap(length 0)", syscall6(SYS_MMAP, 0, 0, PROT_READ, anonymous, -1, 0), EINVAL);
  expectError("mmap(length 2^63)", syscall6(SYS_MMAP, 0, TWO_TO_63, PROT_READ, anonymous, -1, 0), EINVAL);
  expectError("mmap(length -1)", syscall6(SYS_MMAP, 0, MINUS_ONE, PROT_READ, anonymous, -1, 0), EINVAL);
  expectError("mmap(flags 0)", syscall6(SYS_MMAP, 0, PAGE, PROT_READ, 0, -1, 0), EINVAL);
  expectError("mmap(prot 0xff)", syscall6(SYS_MMAP, 0, PAGE, 0xff, anonymous, -1, 0), EINVAL);
  expectError("mmap(file-backed)", syscall6(SYS_MMAP, 0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0), ENODEV);
  expectError("mmap(MAP_FIXED kernel)", syscall6(SYS_MMAP, KERNEL_ADDRESS, PAGE, PROT_READ, anonymous | MAP_FIXED, -1, 0), ENOMEM);
  expectError("mmap(MAP_FIXED unaligned)", syscall6(SYS_MMAP, 0x10000001, PAGE, PROT_READ, anonymous | MAP_FIXED, -1, 0), EINVAL);
  expectError("mmap(MAP_FIXED across the top)", syscall6(SYS_MMAP, NONCANONICAL_ADDRESS - PAGE, 2 * PAGE, PROT_READ, anonymous | MAP_FIXED, -1, 0), ENOMEM);
  expectError("munmap(kernel)", syscall6(SYS_MUNMAP, KERNEL_ADDRESS, PAGE, 0, 0, 0, 0), EINVAL);
  expectError("munmap(unaligned)", syscall6(SYS_MUNMAP, 0x10000001, PAGE, 0, 0, 0, 0), EINVAL);
  expectError("munmap(length 0)", syscall6(SYS_MUNMAP, 0x10000000, 0, 0, 0, 0, 0), EINVAL);
  expectError("munmap(length 2^63)", syscall6(SYS_MUNMAP, 0x10000000, TWO_TO_63, 0, 0, 0, 0), EINVAL);
  let brk = syscall6(SYS_BRK, 0, 0, 0, 0, 0, 0);
  expect("brk(kernel) keeps the break", syscall6(SYS_BRK, KERNEL_ADDRESS, 0, 0, 0, 0, 0), brk);
  expect("brk(-1) keeps the break", syscall6(SYS_BRK, MINUS_ONE, 0, 0, 0, 0, 0), brk);
  expect("brk(break + 2^40) keeps the break", syscall6(SYS_BRK, brk + (<i64>1 << 40), 0, 0, 0, 0, 0), brk);

  // Unknown system-call numbers.
  let numbers: i64[] = [335, 999, 1003, 0x7fffffff, 0x80000000, MINUS_ONE, TWO_TO_63];
  for (let i = 0; i < numbers.length; i++) {
    expectError("syscall " + numbers[i].toString(), syscall6(numbers[i], 0, 0, 0, 0, 0, 0), ENOSYS);
  }

  // Resident calls with bogus ids and buffers.
  expectError("exec_sys_unregister(12345)", syscall6(SYS_EXEC_SYS_UNREGISTER, 12345, 0, 0, 0, 0, 0), ENOENT);
  expectError("exec_sys_unregister(-3)", syscall6(SYS_EXEC_SYS_UNREGISTER, -3, 0, 0, 0, 0, 0), ENOENT);
  expect("exec_sys_resident_list(NULL, 0)", syscall6(SYS_EXEC_SYS_RESIDENT_LIST, 0, 0, 0, 0, 0, 0), 0);

  // arch_prctl, nanosleep and set_tid_address.
  expectError("arch_prctl(SET_FS, non-canonical)", syscall6(158, 0x1002, NONCANONICAL_ADDRESS, 0, 0, 0, 0), EPERM);
  expectError("arch_prctl(SET_FS, kernel)", syscall6(158, 0x1002, KERNEL_ADDRESS, 0, 0, 0, 0), EPERM);
  expectError("arch_prctl(GET_FS, kernel)", syscall6(158, 0x1003, KERNEL_ADDRESS, 0, 0, 0, 0), EFAULT);
  expectError("arch_prctl(0x9999)", syscall6(158, 0x9999, native, 0, 0, 0, 0), EINVAL);
  expectError("nanosleep(NULL)", syscall6(35, NULL_ADDRESS, 0, 0, 0, 0, 0), EFAULT);
  expectError("nanosleep(end - 8)", syscall6(35, end - 8, 0, 0, 0, 0, 0), EFAULT);
  let timespec = heap.alloc(16);
  store<i64>(timespec, -1);
  store<i64>(timespec, 0, 8);
  expectError("nanosleep({-1, 0})", syscall6(35, nativeAddress(timespec), 0, 0, 0, 0, 0), EINVAL);
  store<i64>(timespec, 0);
  store<i64>(timespec, 1000000000, 8);
  expectError("nanosleep({0, 1e9})", syscall6(35, nativeAddress(timespec), 0, 0, 0, 0, 0), EINVAL);
  store<i64>(timespec, 0, 8);
  store<i64>(timespec, -1, 8);
  expectError("nanosleep({0, -1})", syscall6(35, nativeAddress(timespec), 0, 0, 0, 0, 0), EINVAL);
  store<i64>(timespec, 1, 8);
  expect("nanosleep({0, 1}, kernel)", syscall6(35, nativeAddress(timespec), KERNEL_ADDRESS, 0, 0, 0, 0), 0);
  let pid = syscall6(39, 0, 0, 0, 0, 0, 0);
  expect("set_tid_address(kernel)", syscall6(218, KERNEL_ADDRESS, 0, 0, 0, 0, 0), pid);

  // Descriptors.
  expectError("close(-1)", syscall6(SYS_CLOSE, -1, 0, 0, 0, 0, 0), EBADF);
  expectError("close(1 << 31)", syscall6(SYS_CLOSE, 0x80000000, 0, 0, 0, 0, 0), EBADF);
  expectError("dup2(1, 1000)", syscall6(33, 1, 1000, 0, 0, 0, 0), EBADF);
  expectError("dup2(1, -1)", syscall6(33, 1, -1, 0, 0, 0, 0), EBADF);
  expectError("lseek(motd, -1, SEEK_SET)", syscall6(8, fd, -1, 0, 0, 0, 0), EINVAL);
  expectError("lseek(motd, 0, 7)", syscall6(8, fd, 0, 7, 0, 0, 0), EINVAL);
  close(fd);
  return finish();
}

// exec_sys_resident_list with lengths whose record count does not fit in
// an i32. With no registration, every call returns 0.
function residentList(): i32 {
  let buffer = nativeAddress(heap.alloc(256));
  let lengths: i64[] = [0xffffffff80, 0x4000000000, TWO_TO_63, MINUS_ONE];
  for (let i = 0; i < lengths.length; i++) {
    let length = lengths[i];
    expect("exec_sys_resident_list(buffer, 0x" + (<u64>length).toString(16) + ")", syscall6(SYS_EXEC_SYS_RESIDENT_LIST, buffer, length, 0, 0, 0, 0), 0);
  }
  return finish();
}

function register(entry: i64): i32 {
  expectError("exec_sys_register(0x" + (<u64>entry).toString(16) + ")", syscall6(SYS_EXEC_SYS_REGISTER, entry, 0, 0, 0, 0, 0), EINVAL);
  return finish();
}

// Forks children that exit at once, without reaping them, until fork
// fails; then reaps them all.
function forkStorm(): i32 {
  let forked = 0;
  let result: i32 = 0;
  while (forked < 100000) {
    result = fork();
    if (result == 0) exit(0);
    if (result < 0) break;
    forked++;
  }
  expectError("fork after " + (forked > 0 ? "some" : "no") + " children", result, EAGAIN);
  let reaped = 0;
  while (wait4(-1, 0, 0) > 0) reaped++;
  expect("children reaped", reaped, forked);
  result = fork();
  if (result == 0) exit(0);
  expect("fork after reaping >= 0", result >= 0 ? 1 : result, 1);
  wait4(result, 0, 0);
  print("forked " + forked.toString() + "\n");
  return finish();
}

// Makes every page of a large mapping private through getcwd, which
// copies out to it, until the kernel has no frame left (getcwd then
// returns EFAULT). Then fork, execve and exec_sys_register must fail with
// errors, and munmap gives the frames back.
function exhaust(): i32 {
  let size: i64 = <i64>1 << 30;
  let echo = new CString("/bin/echo");
  let region = syscall6(SYS_MMAP, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (region < 0) {
    expect("mmap(1 GiB)", region, 0);
    return finish();
  }
  let pages = 0;
  let last: i64 = 0;
  for (let offset: i64 = 0; offset < size; offset += PAGE) {
    last = syscall6(SYS_GETCWD, region + offset, 2, 0, 0, 0, 0);
    if (last < 0) break;
    pages++;
  }
  let forked = syscall6(SYS_FORK, 0, 0, 0, 0, 0, 0);
  if (forked == 0) exit(0);
  let executed = syscall6(SYS_EXECVE, nativeAddress(echo.ptr), 0, 0, 0, 0, 0);
  let registered = syscall6(SYS_EXEC_SYS_REGISTER, 0x400000, 0, 0, 0, 0, 0);
  let unmapped = syscall6(SYS_MUNMAP, region, size, 0, 0, 0, 0);
  // Printing may need frames, so it waits until munmap gave them back.
  expectError("getcwd into page " + pages.toString() + " with no frame left", last, EFAULT);
  expectError("fork with no frame left", forked, EAGAIN);
  expectError("execve with no frame left", executed, ENOMEM);
  expectError("exec_sys_register with no frame left", registered, ENOMEM);
  expect("munmap", unmapped, 0);
  return finish();
}

// Grows linear memory and writes to every new page until the kernel has no
// frame for a write fault and kills the process.
function grow(): i32 {
  let pages = 0;
  while (memory.grow(1) >= 0) {
    let base = <usize>(memory.size() - 1) << 16;
    for (let offset: usize = 0; offset < 65536; offset += 4096) store<u8>(base + offset, 1);
    pages++;
  }
  print("memory.grow failed after " + pages.toString() + " pages of 64 KiB\n");
  return 1;
}

function recurse(depth: i64): i64 {
  return depth > 0 ? recurse(depth + 1) + 1 : 0;
}

function files(): i32 {
  let motd = new CString("/etc/motd");
  let opened = new Array<i32>();
  let result = 0;
  while (opened.length < 1000) {
    result = open(motd.ptr, O_RDONLY, 0);
    if (result < 0) break;
    opened.push(result);
  }
  expectError("open after " + opened.length.toString() + " files", result, EMFILE);
  for (let i = 0; i < opened.length; i++) close(opened[i]);
  let again = open(motd.ptr, O_RDONLY, 0);
  expect("open after closing them >= 3", again >= 3 ? 1 : again, 1);
  return finish();
}

// Written before fork; a child's write must stay in the child.
let shared: i32 = 1;

// Runs `damage` in a child and returns its wait status.
function inChild(damage: i32): i32 {
  let child = fork();
  if (child == 0) {
    shared = 2;
    wreck(damage);
    exit(0);
  }
  let status = heap.alloc(4);
  store<i32>(status, -1);
  wait4(child, status, 0);
  return load<i32>(status);
}

const CODE_ADDRESS: i64 = 0x400000;
const STACK_TOP: i64 = 0x7ffffffff000;

function wreck(damage: i32): void {
  let anonymous = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
  if (damage == 0) {
    // Zeroed, non-executable pages over the code that is running.
    syscall6(SYS_MMAP, CODE_ADDRESS, 256 * PAGE, PROT_READ | PROT_WRITE, anonymous, -1, 0);
  } else if (damage == 1) {
    // The whole stack, from below its 1 MiB to the top.
    syscall6(SYS_MUNMAP, STACK_TOP - (2 << 20), 2 << 20, 0, 0, 0, 0);
  } else if (damage == 2) {
    // Every page of the lower half.
    syscall6(SYS_MUNMAP, PAGE, NONCANONICAL_ADDRESS - PAGE, 0, 0, 0, 0);
  } else {
    // Writes to every page of linear memory, which is shared with the
    // parent copy-on-write.
    let size = <usize>memory.size() << 16;
    for (let offset: usize = 0; offset < size; offset += 4096) store<u8>(offset, load<u8>(offset) ^ 0xff);
  }
}

function isolation(): i32 {
  let names = ["mmap over the code", "munmap of the stack", "munmap of everything", "write every page"];
  let statuses = [11, 11, 11, 0];
  let before = heap.alloc(16);
  memory.fill(before, 0x5a, 16);
  for (let i = 0; i < names.length; i++) {
    expect("child: " + names[i] + ", wait status", inChild(i), statuses[i]);
  }
  expect("parent's global after the children", shared, 1);
  expect("parent's heap bytes after the children", load<u64>(before) == 0x5a5a5a5a5a5a5a5a ? 1 : 0, 1);
  return finish();
}

const SYS_SETUID: i64 = 105;
const SYS_REBOOT: i64 = 169;

function setuidGames(): i32 {
  expectError("setuid(-1)", syscall6(SYS_SETUID, 0xffffffff, 0, 0, 0, 0, 0), EINVAL);
  let child = fork();
  if (child == 0) {
    expect("setuid(1000)", syscall6(SYS_SETUID, 1000, 0, 0, 0, 0, 0), 0);
    expectError("setuid(0) back", syscall6(SYS_SETUID, 0, 0, 0, 0, 0, 0), EPERM);
    expectError("setuid(1001)", syscall6(SYS_SETUID, 1001, 0, 0, 0, 0, 0), EPERM);
    expect("setuid(1000) again", syscall6(SYS_SETUID, 1000, 0, 0, 0, 0, 0), 0);
    expectError("reboot as uid 1000", syscall6(SYS_REBOOT, 0xfee1dead, 672274793, 0x4321fedc, 0, 0, 0), EPERM);
    expectError("exec_sys_register as uid 1000", syscall6(SYS_EXEC_SYS_REGISTER, 0x800000000000, 0, 0, 0, 0, 0), EPERM);
    expectError("exec_sys_unregister(-2) as uid 1000", syscall6(SYS_EXEC_SYS_UNREGISTER, -2, 0, 0, 0, 0, 0), EPERM);
    // Root owns every file of the initrd, with mode 0755 or 0644.
    expectError("open(/etc/motd, O_WRONLY) as uid 1000", syscall6(SYS_OPEN, nativePath("/etc/motd"), 1, 0, 0, 0, 0), EACCES);
    expectError("open(/etc/new, O_CREAT) as uid 1000", syscall6(SYS_OPEN, nativePath("/etc/new"), 0o101, 0o644, 0, 0, 0), EACCES);
    expectError("mkdir(/x) as uid 1000", call1(SYS_MKDIR, "/x"), EACCES);
    expectError("unlink(/bin/sh) as uid 1000", call1(SYS_UNLINK, "/bin/sh"), EACCES);
    expectError("rmdir(/tests/raw) as uid 1000", call1(SYS_RMDIR, "/tests/raw"), EACCES);
    expectError("rename(/bin/sh, /bin/sh2) as uid 1000", renamePaths("/bin/sh", "/bin/sh2"), EACCES);
    expectError("rename(/etc/motd, /tmp-motd) as uid 1000", renamePaths("/etc/motd", "/tmp-motd"), EACCES);
    exit(ok ? 0 : 1);
  }
  let status = heap.alloc(4);
  wait4(child, status, 0);
  expect("child's wait status", load<i32>(status), 0);
  expectError("reboot with a bad magic", syscall6(SYS_REBOOT, 1, 2, 0x4321fedc, 0, 0, 0), EINVAL);
  expectError("reboot with a bad command", syscall6(SYS_REBOOT, 0xfee1dead, 672274793, 7, 0, 0, 0), EINVAL);
  return finish();
}

const SYS_MKDIR: i64 = 83;
const SYS_RMDIR: i64 = 84;
const SYS_UNLINK: i64 = 87;
const O_CREAT_WRONLY: i32 = 0o101;
const ENOSPC: i32 = 28;
const EILSEQ: i32 = 84;
const FANOUT = 64;

function nativePath(path: string): i64 {
  return new CString(path).native;
}

// Creates empty files with 200-byte names in a tree /hog/aN/bN until the
// kernel refuses one with ENOSPC. Then removes the tree and checks that a
// file can be created again.
function inodes(): i32 {
  let padding = "x".repeat(200);
  let created = 0;
  let result: i64 = syscall6(SYS_MKDIR, nativePath("/hog"), 0o755, 0, 0, 0, 0);
  let lastTop = 0;
  for (let a = 0; a < 1000 && result >= 0; a++) {
    lastTop = a;
    let top = "/hog/a" + a.toString();
    result = syscall6(SYS_MKDIR, nativePath(top), 0o755, 0, 0, 0, 0);
    for (let b = 0; b < FANOUT && result >= 0; b++) {
      let middle = top + "/b" + b.toString();
      result = syscall6(SYS_MKDIR, nativePath(middle), 0o755, 0, 0, 0, 0);
      for (let c = 0; c < FANOUT && result >= 0; c++) {
        result = syscall6(SYS_OPEN, nativePath(middle + "/f" + c.toString() + padding), O_CREAT_WRONLY, 0o644, 0, 0, 0);
        if (result >= 0) {
          close(<i32>result);
          created++;
        }
      }
    }
  }
  expectError("create after " + created.toString() + " files", result, ENOSPC);

  let removed = 0;
  for (let a = 0; a <= lastTop; a++) {
    let top = "/hog/a" + a.toString();
    for (let b = 0; b < FANOUT; b++) {
      let middle = top + "/b" + b.toString();
      for (let c = 0; c < FANOUT; c++) {
        if (syscall6(SYS_UNLINK, nativePath(middle + "/f" + c.toString() + padding), 0, 0, 0, 0, 0) != 0) break;
        removed++;
      }
      if (syscall6(SYS_RMDIR, nativePath(middle), 0, 0, 0, 0, 0) != 0) break;
    }
    syscall6(SYS_RMDIR, nativePath(top), 0, 0, 0, 0, 0);
  }
  expect("files removed", removed, created);
  expect("rmdir(/hog)", syscall6(SYS_RMDIR, nativePath("/hog"), 0, 0, 0, 0, 0), 0);
  let fd = syscall6(SYS_OPEN, nativePath("/hog-check"), O_CREAT_WRONLY, 0o644, 0, 0, 0);
  expect("create after the cleanup >= 0", fd >= 0 ? 1 : fd, 1);
  close(<i32>fd);
  expect("unlink(/hog-check)", syscall6(SYS_UNLINK, nativePath("/hog-check"), 0, 0, 0, 0, 0), 0);
  return finish();
}

// Reaches every limit that bounds the kernel heap at the same time: as
// many zombie children as fork allows (each keeps its kernel stack),
// file content until ENOSPC, then names until ENOSPC. Then frees it all.
function kernelHeap(): i32 {
  let zombies = 0;
  let child = 1;
  while (child > 0) {
    child = fork();
    if (child == 0) exit(0);
    if (child > 0) zombies++;
  }
  expectError("fork after " + zombies.toString() + " zombies", child, EAGAIN);

  let chunk = heap.alloc(65536);
  memory.fill(chunk, 0x63, 65536);
  let files = 0;
  let bytes: i64 = 0;
  let result: i64 = 0;
  while (result >= 0 && files < 100) {
    let fd = syscall6(SYS_OPEN, nativePath("/big" + files.toString()), O_CREAT_WRONLY, 0o644, 0, 0, 0);
    if (fd < 0) {
      result = fd;
      break;
    }
    files++;
    let written: i64 = 0;
    while ((result = syscall6(SYS_WRITE, fd, nativeAddress(chunk), 65536, 0, 0, 0)) > 0) written += result;
    close(<i32>fd);
    bytes += written;
    // EFBIG ends one file; ENOSPC (or a file that took nothing) ends all.
    if (result == -27) result = written > 0 ? 0 : -ENOSPC;
  }
  expectError("write after " + bytes.toString() + " bytes in " + files.toString() + " files", result, ENOSPC);

  let padding = "y".repeat(250);
  let names = 0;
  while ((result = syscall6(SYS_MKDIR, nativePath("/n" + names.toString() + padding), 0o755, 0, 0, 0, 0)) == 0) names++;
  expectError("mkdir after " + names.toString() + " long names", result, ENOSPC);

  for (let i = 0; i < names; i++) syscall6(SYS_RMDIR, nativePath("/n" + i.toString() + padding), 0, 0, 0, 0, 0);
  for (let i = 0; i < files; i++) syscall6(SYS_UNLINK, nativePath("/big" + i.toString()), 0, 0, 0, 0, 0);
  let reaped = 0;
  while (wait4(-1, 0, 0) > 0) reaped++;
  expect("zombies reaped", reaped, zombies);
  return finish();
}

// The child of a fork shares the parent's executable, so it may register
// it. The entry 0x400000 is the ELF header, not code: an exec that starts
// from the snapshot must fault in ring 3 and kill only that process.
function registerFromChild(): i32 {
  let idSlot = heap.alloc(4);
  let child = fork();
  if (child == 0) {
    let id = syscall6(SYS_EXEC_SYS_REGISTER, CODE_ADDRESS, 0, 0, 0, 0, 0);
    exit(id > 0 && id < 256 ? <i32>id : 255);
  }
  wait4(child, idSlot, 0);
  let id = (load<i32>(idSlot) >> 8) & 0xff;
  expect("exec_sys_register from a child returned an id", id != 255 ? 1 : 0, 1);
  let self = new CString("/tests/hostile-syscalls");
  child = fork();
  if (child == 0) {
    syscall6(SYS_EXECVE, self.native, 0, 0, 0, 0, 0);
    exit(99);
  }
  store<i32>(idSlot, -1);
  wait4(child, idSlot, 0);
  let signal = load<i32>(idSlot) & 0x7f;
  expect("exec from the snapshot was killed by a signal", signal != 0 ? 1 : 0, 1);
  expect("exec_sys_unregister(id)", syscall6(SYS_EXEC_SYS_UNREGISTER, id, 0, 0, 0, 0, 0), 0);
  expect("exec_sys_resident_list afterwards", syscall6(SYS_EXEC_SYS_RESIDENT_LIST, nativeAddress(heap.alloc(128)), 128, 0, 0, 0, 0), 0);
  return finish();
}

const SYS_CHDIR: i64 = 80;
const SYS_RENAME: i64 = 82;
const EEXIST: i32 = 17;
const ENOTDIR: i32 = 20;
const EISDIR: i32 = 21;
const ENOTEMPTY: i32 = 39;
const EBUSY: i32 = 16;

function call1(nr: i64, path: string): i64 {
  return syscall6(nr, nativePath(path), 0o755, 0, 0, 0, 0);
}

function renamePaths(from: string, to: string): i64 {
  return syscall6(SYS_RENAME, nativePath(from), nativePath(to), 0, 0, 0, 0);
}

function fileSystemGames(): i32 {
  expect("mkdir(/g)", call1(SYS_MKDIR, "/g"), 0);
  expect("mkdir(/g/sub)", call1(SYS_MKDIR, "/g/sub"), 0);
  expectError("mkdir(/g) again", call1(SYS_MKDIR, "/g"), EEXIST);
  expectError("mkdir(/etc/motd/x)", call1(SYS_MKDIR, "/etc/motd/x"), ENOTDIR);
  expectError("rename(/g, /g/sub/inside)", renamePaths("/g", "/g/sub/inside"), EINVAL);
  expectError("rename(/g, /g/sub)", renamePaths("/g", "/g/sub"), EINVAL);
  expectError("rmdir(/g) with a child", call1(SYS_RMDIR, "/g"), ENOTEMPTY);
  expectError("unlink(/g)", call1(SYS_UNLINK, "/g"), EISDIR);
  expectError("rmdir(/etc/motd)", call1(SYS_RMDIR, "/etc/motd"), ENOTDIR);
  let rootRemoved = call1(SYS_RMDIR, "/");
  expect("rmdir(/) fails", rootRemoved < 0 ? 1 : rootRemoved, 1);
  let rootRenamed = renamePaths("/", "/g/root");
  expect("rename(/, /g/root) fails", rootRenamed < 0 ? 1 : rootRenamed, 1);
  expectError("rmdir(/g/sub/.)", call1(SYS_RMDIR, "/g/sub/."), EINVAL);
  expectError("open(/etc/motd/)", syscall6(SYS_OPEN, nativePath("/etc/motd/"), 0, 0, 0, 0, 0), ENOTDIR);
  expectError("chdir(/etc/motd)", call1(SYS_CHDIR, "/etc/motd"), ENOTDIR);

  // The working directory is removed under the process.
  expect("chdir(/g/sub)", call1(SYS_CHDIR, "/g/sub"), 0);
  expect("rmdir(/g/sub) while it is the working directory", call1(SYS_RMDIR, "/g/sub"), 0);
  expectError("open(.) in the removed directory", syscall6(SYS_OPEN, nativePath("."), 0, 0, 0, 0, 0), ENOENT);
  expectError("mkdir(new) in the removed directory", call1(SYS_MKDIR, "new"), ENOENT);
  let cwd = heap.alloc(256);
  let length = syscall6(SYS_GETCWD, nativeAddress(cwd), 256, 0, 0, 0, 0);
  print("getcwd in the removed directory = " + describe(length) + "\n");
  expect("chdir(/)", call1(SYS_CHDIR, "/"), 0);

  // A name of 255 bytes is accepted, one of 256 is not.
  expect("mkdir(255-byte name)", call1(SYS_MKDIR, "/g/" + "n".repeat(255)), 0);
  expectError("mkdir(256-byte name)", call1(SYS_MKDIR, "/g/" + "n".repeat(256)), ENAMETOOLONG);
  expect("rmdir(255-byte name)", call1(SYS_RMDIR, "/g/" + "n".repeat(255)), 0);

  // An open file that is unlinked keeps its content until it is closed.
  let fd = <i32>syscall6(SYS_OPEN, nativePath("/g/file"), 0o102, 0o644, 0, 0, 0); // O_CREAT | O_RDWR
  let text = new CString("kept");
  expect("write(file)", syscall6(SYS_WRITE, fd, text.native, 4, 0, 0, 0), 4);
  expect("unlink(/g/file)", call1(SYS_UNLINK, "/g/file"), 0);
  syscall6(8, fd, 0, 0, 0, 0, 0);
  let back = heap.alloc(8);
  expect("read after unlink", syscall6(SYS_READ, fd, nativeAddress(back), 8, 0, 0, 0), 4);
  close(fd);
  expect("rmdir(/g)", call1(SYS_RMDIR, "/g"), 0);
  return finish();
}

const SYS_MPROTECT: i64 = 10;
const PROT_EXEC: i64 = 4;

function mprotect(address: i64, length: i64, prot: i64): i64 {
  return syscall6(SYS_MPROTECT, address, length, prot, 0, 0, 0);
}

function mprotectGames(): i32 {
  let anonymous = MAP_PRIVATE | MAP_ANONYMOUS;
  let page = syscall6(SYS_MMAP, 0, PAGE, PROT_READ | PROT_WRITE, anonymous, -1, 0);
  nativeStore8(page, 42);
  expectError("mprotect(unaligned)", mprotect(page + 1, PAGE, PROT_READ), EINVAL);
  expectError("mprotect(prot 0xff)", mprotect(page, PAGE, 0xff), EINVAL);
  expectError("mprotect(kernel)", mprotect(KERNEL_ADDRESS, PAGE, PROT_READ), ENOMEM);
  expectError("mprotect(length 2^63)", mprotect(page, TWO_TO_63, PROT_READ), ENOMEM);
  expectError("mprotect(past the mapping)", mprotect(page, 2 * PAGE, PROT_READ), ENOMEM);
  expect("mprotect(PROT_NONE)", mprotect(page, PAGE, 0), 0);
  let motd = open(new CString("/etc/motd").ptr, O_RDONLY, 0);
  expectError("read into a PROT_NONE page", syscall6(SYS_READ, motd, page, 1, 0, 0, 0), EFAULT);
  close(motd);
  expectError("write from a PROT_NONE page", syscall6(SYS_WRITE, 1, page, 1, 0, 0, 0), EFAULT);
  let status = heap.alloc(4);
  let child = fork();
  if (child == 0) {
    nativeStore8(page, 1);
    exit(0);
  }
  wait4(child, status, 0);
  expect("child writing a PROT_NONE page: wait status", load<i32>(status), 11);
  // fork must keep the page inaccessible in the child.
  child = fork();
  if (child == 0) exit(nativeLoad8(page));
  wait4(child, status, 0);
  expect("child reading a PROT_NONE page: wait status", load<i32>(status), 11);
  expect("mprotect(PROT_READ)", mprotect(page, PAGE, PROT_READ), 0);
  expect("byte kept through PROT_NONE", <i64>nativeLoad8(page), 42);

  // A child makes the code it shares with its parent writable and fills it
  // with ud2; the parent's code must stay as it was.
  child = fork();
  if (child == 0) {
    let code: i64 = CODE_ADDRESS + 16 * PAGE;
    if (mprotect(code, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) exit(3);
    for (let offset: i64 = 0; offset < PAGE; offset += 2) {
      nativeStore8(code + offset, 0x0f);
      nativeStore8(code + offset + 1, 0x0b);
    }
    exit(0);
  }
  wait4(child, status, 0);
  let childStatus = load<i32>(status);
  print("child's wait status 0x" + childStatus.toString(16) + "\n");
  expect("child overwriting shared code: killed or exited 0", childStatus == 0 || (childStatus & 0x7f) != 0 ? 1 : 0, 1);
  expect("parent's code page after the child", <i64>nativeLoad8(CODE_ADDRESS + 16 * PAGE) == 0x0f && nativeLoad8(CODE_ADDRESS + 16 * PAGE + 1) == 0x0b ? 0 : 1, 1);
  return finish();
}

// Leaves as many children as fork allows to init: half are zombies
// already, the other half still run for a while.
function orphans(): i32 {
  let forked = 0;
  let child = 1;
  while (child > 0) {
    child = fork();
    if (child == 0) {
      if ((getpid() & 1) != 0) {
        for (let i = 0; i < 100; i++) syscall6(24, 0, 0, 0, 0, 0, 0); // sched_yield
      }
      exit(0);
    }
    if (child > 0) forked++;
  }
  expectError("fork after " + forked.toString() + " children", child, EAGAIN);
  return finish();
}
