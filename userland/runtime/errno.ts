// Linux errno numbers (asm-generic/errno-base.h and errno.h) with their
// symbolic names and the messages that glibc's strerror prints.

export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const ESRCH: i32 = 3;
export const EINTR: i32 = 4;
export const EIO: i32 = 5;
export const ENXIO: i32 = 6;
export const E2BIG: i32 = 7;
export const ENOEXEC: i32 = 8;
export const EBADF: i32 = 9;
export const ECHILD: i32 = 10;
export const EAGAIN: i32 = 11;
export const ENOMEM: i32 = 12;
export const EACCES: i32 = 13;
export const EFAULT: i32 = 14;
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const EXDEV: i32 = 18;
export const ENODEV: i32 = 19;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const ENFILE: i32 = 23;
export const EMFILE: i32 = 24;
export const ENOTTY: i32 = 25;
export const ETXTBSY: i32 = 26;
export const EFBIG: i32 = 27;
export const ENOSPC: i32 = 28;
export const ESPIPE: i32 = 29;
export const EROFS: i32 = 30;
export const EMLINK: i32 = 31;
export const EPIPE: i32 = 32;
export const EDOM: i32 = 33;
export const ERANGE: i32 = 34;
export const EDEADLK: i32 = 35;
export const ENAMETOOLONG: i32 = 36;
export const ENOLCK: i32 = 37;
export const ENOSYS: i32 = 38;
export const ENOTEMPTY: i32 = 39;
export const ELOOP: i32 = 40;

// Indexed by errno; an empty name marks a number without an entry here.
const NAMES: string[] = [
  "", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG",
  "ENOEXEC", "EBADF", "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT",
  "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR", "EISDIR",
  "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC",
  "ESPIPE", "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK",
  "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP",
];

const MESSAGES: string[] = [
  "Success",
  "Operation not permitted",
  "No such file or directory",
  "No such process",
  "Interrupted system call",
  "Input/output error",
  "No such device or address",
  "Argument list too long",
  "Exec format error",
  "Bad file descriptor",
  "No child processes",
  "Resource temporarily unavailable",
  "Cannot allocate memory",
  "Permission denied",
  "Bad address",
  "Block device required",
  "Device or resource busy",
  "File exists",
  "Invalid cross-device link",
  "No such device",
  "Not a directory",
  "Is a directory",
  "Invalid argument",
  "Too many open files in system",
  "Too many open files",
  "Inappropriate ioctl for device",
  "Text file busy",
  "File too large",
  "No space left on device",
  "Illegal seek",
  "Read-only file system",
  "Too many links",
  "Broken pipe",
  "Numerical argument out of domain",
  "Numerical result out of range",
  "Resource deadlock avoided",
  "File name too long",
  "No locks available",
  "Function not implemented",
  "Directory not empty",
  "Too many levels of symbolic links",
];

// Returns the symbolic name of `errno` ("ENOENT"); accepts -errno too.
export function errnoName(errno: i32): string {
  let n = errno < 0 ? -errno : errno;
  if (n > 0 && n < NAMES.length) return NAMES[n];
  return "E" + n.toString();
}

// Returns the message for `errno` as strerror(3) words it; accepts -errno.
export function strerror(errno: i32): string {
  let n = errno < 0 ? -errno : errno;
  if (n < MESSAGES.length) return MESSAGES[n];
  return "Unknown error " + n.toString();
}
