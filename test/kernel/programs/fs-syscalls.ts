// Test program: the file system calls with the results Linux gives. It
// works inside the directory named by argv[1], prints "ok" or "not ok" with
// the call and its result for each check, then "PASS" or "FAIL", and exits
// with 0 only when every check passed. test/kernel/fs-syscalls.test.ts runs
// it on the Linux host and on this kernel.
import { syscall6 } from "../../../arch/x86_64/intrinsics";
import {
  argv,
  CString,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  ERANGE,
  ESPIPE,
  errnoName,
  exit,
  fork,
  nativeAddress,
  print,
  waitFor,
} from "../../../userland/runtime";

// Linux x86-64 system-call numbers.
const SYS_READ: i64 = 0;
const SYS_WRITE: i64 = 1;
const SYS_OPEN: i64 = 2;
const SYS_CLOSE: i64 = 3;
const SYS_FSTAT: i64 = 5;
const SYS_LSEEK: i64 = 8;
const SYS_DUP: i64 = 32;
const SYS_DUP2: i64 = 33;
const SYS_GETCWD: i64 = 79;
const SYS_CHDIR: i64 = 80;
const SYS_RENAME: i64 = 82;
const SYS_MKDIR: i64 = 83;
const SYS_RMDIR: i64 = 84;
const SYS_UNLINK: i64 = 87;
const SYS_GETDENTS64: i64 = 217;

const O_RDONLY: i64 = 0;
const O_WRONLY: i64 = 1;
const O_RDWR: i64 = 2;
const O_CREAT: i64 = 0o100;
const O_EXCL: i64 = 0o200;
const O_TRUNC: i64 = 0o1000;
const O_APPEND: i64 = 0o2000;
const O_DIRECTORY: i64 = 0o200000;
const SEEK_SET: i64 = 0;
const SEEK_CUR: i64 = 1;
const SEEK_END: i64 = 2;
const DT_DIR: u8 = 4;
const DT_REG: u8 = 8;

// Unmapped in every process (docs/abi.md), and an address in the kernel.
const NULL_ADDRESS: i64 = 0;
const KERNEL_ADDRESS: i64 = 0xffff800000100000;

let failures = 0;
const buffer = new ArrayBuffer(8192);
const bufferAddress = changetype<usize>(buffer);

function native(address: usize): i64 {
  return nativeAddress(address);
}

function call(nr: i64, a1: i64 = 0, a2: i64 = 0, a3: i64 = 0): i64 {
  return syscall6(nr, a1, a2, a3, 0, 0, 0);
}

function resultText(result: i64): string {
  return result < 0 ? errnoName(<i32>result) : result.toString();
}

// Prints the outcome of one check and counts failures.
function check(description: string, passed: bool, detail: string = ""): void {
  if (!passed) failures++;
  print((passed ? "ok " : "not ok ") + description + (detail.length > 0 ? " (" + detail + ")" : "") + "\n");
}

function expectResult(description: string, result: i64, expected: i64): void {
  check(description + " = " + resultText(expected), result == expected, "got " + resultText(result));
}

function path(text: string): i64 {
  // Kept alive in `paths` until the program exits, so the kernel always
  // reads a live buffer.
  const value = new CString(text);
  paths.push(value);
  return value.native;
}
const paths = new Array<CString>();

function open(name: string, flags: i64, mode: i64 = 0o644): i64 {
  return call(SYS_OPEN, path(name), flags, mode);
}

function writeText(fd: i64, text: string): i64 {
  const bytes = String.UTF8.encode(text);
  return call(SYS_WRITE, fd, native(changetype<usize>(bytes)), bytes.byteLength);
}

// Reads up to `max` bytes from `fd` and returns them as text, or "error"
// and the errno name when the read fails.
function readText(fd: i64, max: i32 = 4096): string {
  const count = call(SYS_READ, fd, native(bufferAddress), max);
  if (count < 0) return "error " + resultText(count);
  return String.UTF8.decodeUnsafe(bufferAddress, <usize>count);
}

// Result of fstat and the fields of struct stat that the checks use.
class StatResult {
  result: i64 = 0;
  size: i64 = 0;
  mode: u32 = 0;
  nlink: u64 = 0;
}

// Calls fstat on `fd` and reads st_nlink, st_mode and st_size.
function fstat(fd: i64): StatResult {
  const stat = new StatResult();
  stat.result = call(SYS_FSTAT, fd, native(bufferAddress));
  stat.nlink = load<u64>(bufferAddress, 16);
  stat.mode = load<u32>(bufferAddress, 24);
  stat.size = load<i64>(bufferAddress, 48);
  return stat;
}

// Lists `directory` with getdents64 in calls of `chunk` bytes. Returns
// "name/type" entries sorted, without "." and "..".
function list(directory: string, chunk: i64): string[] {
  const names = new Array<string>();
  const fd = open(directory, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ["open failed " + resultText(fd)];
  while (true) {
    const count = call(SYS_GETDENTS64, fd, native(bufferAddress), chunk);
    if (count < 0) {
      names.push("getdents64 failed " + resultText(count));
      break;
    }
    if (count == 0) break;
    let offset: usize = 0;
    while (offset < <usize>count) {
      const record = bufferAddress + offset;
      const length = load<u16>(record, 16);
      const type = load<u8>(record, 18);
      let nameLength: usize = 0;
      while (load<u8>(record + 19 + nameLength) != 0) nameLength++;
      const name = String.UTF8.decodeUnsafe(record + 19, nameLength);
      if (name != "." && name != "..") names.push(name + "/" + type.toString());
      offset += length;
    }
  }
  call(SYS_CLOSE, fd);
  names.sort();
  return names;
}

function checkCreateWriteRead(): void {
  const fd = open("file", O_RDWR | O_CREAT | O_EXCL, 0o640);
  check("open(file, O_RDWR|O_CREAT|O_EXCL) >= 0", fd >= 0, resultText(fd));
  expectResult("write(hello, world)", writeText(fd, "hello, world"), 12);
  expectResult("lseek(0, SEEK_CUR)", call(SYS_LSEEK, fd, 0, SEEK_CUR), 12);
  expectResult("lseek(7, SEEK_SET)", call(SYS_LSEEK, fd, 7, SEEK_SET), 7);
  const tail = readText(fd);
  check("read after lseek = world", tail == "world", tail);
  expectResult("read at the end", call(SYS_READ, fd, native(bufferAddress), 10), 0);
  expectResult("lseek(-5, SEEK_END)", call(SYS_LSEEK, fd, -5, SEEK_END), 7);
  expectResult("lseek(-100, SEEK_CUR)", call(SYS_LSEEK, fd, -100, SEEK_CUR), -EINVAL);
  expectResult("lseek(0, whence 7)", call(SYS_LSEEK, fd, 0, 7), -EINVAL);

  const stat = fstat(fd);
  expectResult("fstat(file)", stat.result, 0);
  check("st_size = 12", stat.size == 12, stat.size.toString());
  check("st_mode = 0100640", stat.mode == 0o100640, stat.mode.toString(8));
  check("st_nlink = 1", stat.nlink == 1, stat.nlink.toString());
  expectResult("close(file)", call(SYS_CLOSE, fd), 0);
  expectResult("close(file) again", call(SYS_CLOSE, fd), -EBADF);

  expectResult("open(file, O_CREAT|O_EXCL) again", open("file", O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
  const appender = open("file", O_WRONLY | O_APPEND);
  expectResult("write with O_APPEND", writeText(appender, "!"), 1);
  call(SYS_CLOSE, appender);
  const reader = open("file", O_RDONLY);
  const whole = readText(reader);
  check("O_APPEND wrote at the end", whole == "hello, world!", whole);
  expectResult("write to an O_RDONLY fd", writeText(reader, "x"), -EBADF);
  call(SYS_CLOSE, reader);

  const truncated = open("file", O_RDWR | O_TRUNC);
  check("open(file, O_TRUNC) >= 0", truncated >= 0, resultText(truncated));
  check("O_TRUNC empties the file", fstat(truncated).size == 0);
  expectResult("lseek(4096, SEEK_SET)", call(SYS_LSEEK, truncated, 4096, SEEK_SET), 4096);
  expectResult("write past the end", writeText(truncated, "z"), 1);
  call(SYS_LSEEK, truncated, 0, SEEK_SET);
  const count = call(SYS_READ, truncated, native(bufferAddress), 8192);
  let zeros = true;
  for (let i = 0; i < 4096; i++) if (load<u8>(bufferAddress + i) != 0) zeros = false;
  check("the gap reads as 4096 zeros then z", count == 4097 && zeros && load<u8>(bufferAddress + 4096) == 0x7a);
  call(SYS_CLOSE, truncated);
}

function checkOpenErrors(): void {
  expectResult("open(missing)", open("missing", O_RDONLY), -ENOENT);
  expectResult("open(file/x)", open("file/x", O_RDONLY), -ENOTDIR);
  expectResult("open(file/)", open("file/", O_RDONLY), -ENOTDIR);
  expectResult("open(., O_WRONLY)", open(".", O_WRONLY), -EISDIR);
  expectResult("open(file, O_DIRECTORY)", open("file", O_RDONLY | O_DIRECTORY), -ENOTDIR);
  expectResult("open(missing/x, O_CREAT)", open("missing/x", O_WRONLY | O_CREAT), -ENOENT);
  expectResult("open(name of 256 bytes)", open("n".repeat(256), O_RDONLY), -ENAMETOOLONG);
  expectResult("open(NULL)", call(SYS_OPEN, NULL_ADDRESS, O_RDONLY, 0), -EFAULT);
  expectResult("open(kernel address)", call(SYS_OPEN, KERNEL_ADDRESS, O_RDONLY, 0), -EFAULT);
  expectResult("read(fd 99)", call(SYS_READ, 99, native(bufferAddress), 1), -EBADF);
  expectResult("close(-1)", call(SYS_CLOSE, -1), -EBADF);

  const fd = open("file", O_RDWR);
  expectResult("read into NULL", call(SYS_READ, fd, NULL_ADDRESS, 4), -EFAULT);
  expectResult("the failed read left the offset", call(SYS_LSEEK, fd, 0, SEEK_CUR), 0);
  expectResult("write from a kernel address", call(SYS_WRITE, fd, KERNEL_ADDRESS, 4), -EFAULT);
  expectResult("fstat into NULL", call(SYS_FSTAT, fd, NULL_ADDRESS), -EFAULT);
  call(SYS_CLOSE, fd);
}

function checkDirectories(): void {
  expectResult("mkdir(sub)", call(SYS_MKDIR, path("sub"), 0o755), 0);
  expectResult("mkdir(sub) again", call(SYS_MKDIR, path("sub"), 0o755), -EEXIST);
  expectResult("mkdir(file/sub)", call(SYS_MKDIR, path("file/sub"), 0o755), -ENOTDIR);
  const created = open("sub/inner", O_WRONLY | O_CREAT);
  call(SYS_CLOSE, created);

  const small = list(".", 64).join(" ");
  const large = list(".", 4096).join(" ");
  check("getdents64 lists file and sub", large == "file/" + DT_REG.toString() + " sub/" + DT_DIR.toString(), large);
  check("a 64-byte buffer lists the same", small == large, small);
  const fd = open(".", O_RDONLY | O_DIRECTORY);
  expectResult("getdents64 with 8 bytes", call(SYS_GETDENTS64, fd, native(bufferAddress), 8), -EINVAL);
  expectResult("getdents64 into NULL", call(SYS_GETDENTS64, fd, NULL_ADDRESS, 4096), -EFAULT);
  expectResult("read of a directory", call(SYS_READ, fd, native(bufferAddress), 16), -EISDIR);
  call(SYS_CLOSE, fd);
  const file = open("file", O_RDONLY);
  expectResult("getdents64 of a file", call(SYS_GETDENTS64, file, native(bufferAddress), 4096), -ENOTDIR);
  call(SYS_CLOSE, file);

  expectResult("rmdir(sub) while not empty", call(SYS_RMDIR, path("sub")), -ENOTEMPTY);
  expectResult("rmdir(file)", call(SYS_RMDIR, path("file")), -ENOTDIR);
  expectResult("unlink(sub)", call(SYS_UNLINK, path("sub")), -EISDIR);
  expectResult("unlink(sub/inner)", call(SYS_UNLINK, path("sub/inner")), 0);
  expectResult("unlink(sub/inner) again", call(SYS_UNLINK, path("sub/inner")), -ENOENT);
  expectResult("rmdir(sub)", call(SYS_RMDIR, path("sub")), 0);
}

function checkRename(): void {
  const fd = open("old", O_WRONLY | O_CREAT);
  writeText(fd, "moved");
  call(SYS_CLOSE, fd);
  expectResult("rename(old, new)", call(SYS_RENAME, path("old"), path("new")), 0);
  expectResult("open(old) after rename", open("old", O_RDONLY), -ENOENT);
  const reader = open("new", O_RDONLY);
  const text = readText(reader);
  check("new has the content", text == "moved", text);
  call(SYS_CLOSE, reader);
  expectResult("rename(new, file) replaces file", call(SYS_RENAME, path("new"), path("file")), 0);
  call(SYS_MKDIR, path("dir"), 0o755);
  expectResult("rename(file, dir)", call(SYS_RENAME, path("file"), path("dir")), -EISDIR);
  expectResult("rename(dir, file)", call(SYS_RENAME, path("dir"), path("file")), -ENOTDIR);
  expectResult("rename(dir, dir/x)", call(SYS_RENAME, path("dir"), path("dir/x")), -EINVAL);
  expectResult("rename(missing, x)", call(SYS_RENAME, path("missing"), path("x")), -ENOENT);

  // An unlinked file stays readable through a descriptor opened before.
  const stillOpen = open("file", O_RDONLY);
  expectResult("unlink(file) while open", call(SYS_UNLINK, path("file")), 0);
  const content = readText(stillOpen);
  check("the unlinked file still reads", content == "moved", content);
  check("st_nlink = 0 after unlink", fstat(stillOpen).nlink == 0);
  call(SYS_CLOSE, stillOpen);
}

function checkSharedOffsets(): void {
  const fd = open("shared", O_RDWR | O_CREAT | O_TRUNC);
  writeText(fd, "0123456789");
  call(SYS_LSEEK, fd, 2, SEEK_SET);
  const copy = call(SYS_DUP, fd);
  check("dup >= 0", copy >= 0, resultText(copy));
  expectResult("lseek through dup", call(SYS_LSEEK, copy, 3, SEEK_CUR), 5);
  expectResult("the original sees the offset", call(SYS_LSEEK, fd, 0, SEEK_CUR), 5);
  expectResult("dup2(fd, 20)", call(SYS_DUP2, fd, 20), 20);
  expectResult("dup2 onto itself", call(SYS_DUP2, fd, fd), fd);
  expectResult("dup2(99, 21)", call(SYS_DUP2, 99, 21), -EBADF);
  call(SYS_CLOSE, 20);
  call(SYS_CLOSE, copy);

  const child = fork();
  if (child == 0) {
    // The child moves the shared offset and writes two bytes.
    call(SYS_LSEEK, fd, 8, SEEK_SET);
    writeText(fd, "ab");
    exit(0);
  }
  const status = waitFor(child);
  check("the child exited with 0", status.exited && status.exitCode == 0);
  expectResult("the parent sees the child's offset", call(SYS_LSEEK, fd, 0, SEEK_CUR), 10);
  call(SYS_LSEEK, fd, 0, SEEK_SET);
  const text = readText(fd);
  check("the child's write is in the file", text == "01234567ab", text);
  expectResult("lseek on the console", call(SYS_LSEEK, 1, 0, SEEK_CUR), -ESPIPE);
  call(SYS_CLOSE, fd);
  call(SYS_UNLINK, path("shared"));
}

function checkWorkingDirectory(base: string): void {
  expectResult("chdir(dir)", call(SYS_CHDIR, path("dir")), 0);
  const length = call(SYS_GETCWD, native(bufferAddress), 4096);
  const cwd = length > 0 ? String.UTF8.decodeUnsafe(bufferAddress, <usize>length - 1) : "";
  const expected = base + (base.endsWith("/") ? "" : "/") + "dir";
  check("getcwd = " + expected, cwd == expected, cwd);
  check("getcwd returns the length with the NUL", length == String.UTF8.byteLength(expected) + 1, resultText(length));
  expectResult("getcwd with 2 bytes", call(SYS_GETCWD, native(bufferAddress), 2), -ERANGE);
  expectResult("getcwd into NULL", call(SYS_GETCWD, NULL_ADDRESS, 4096), -EFAULT);
  expectResult("chdir(missing)", call(SYS_CHDIR, path("missing")), -ENOENT);
  expectResult("chdir(..)", call(SYS_CHDIR, path("..")), 0);
  const fd = open("dir", O_RDONLY | O_DIRECTORY);
  check("relative open after chdir(..)", fd >= 0, resultText(fd));
  call(SYS_CLOSE, fd);
  expectResult("rmdir(dir)", call(SYS_RMDIR, path("dir")), 0);
}

export function main(): i32 {
  const args = argv();
  if (args.length < 2) {
    print("usage: fs-syscalls DIRECTORY\n");
    return 2;
  }
  const base = args[1];
  const changed = call(SYS_CHDIR, path(base));
  if (changed < 0) {
    print("fs-syscalls: cannot enter " + base + ": " + resultText(changed) + "\n");
    return 2;
  }
  checkCreateWriteRead();
  checkOpenErrors();
  checkDirectories();
  checkRename();
  checkSharedOffsets();
  checkWorkingDirectory(base);
  print(failures == 0 ? "PASS\n" : "FAIL: " + failures.toString() + " checks\n");
  return failures == 0 ? 0 : 1;
}
