// Symbolic names of Linux errno numbers and the messages that glibc's
// strerror prints for them.

// The numbers themselves are the kernel's list, so the two cannot drift.
export * from "../../kernel/lib/errno";

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
