// Copies each file named in its arguments, or standard input when there is
// none or the name is "-", to standard output.
import {
  argv,
  close,
  CString,
  eprint,
  open,
  read,
  strerror,
  writeAll,
  O_RDONLY,
  STDIN,
  STDOUT,
} from "../runtime";

const CHUNK: i32 = 4096;

export function main(): i32 {
  let args = argv();
  if (args.length < 2) return copyFd(STDIN, "-") ? 0 : 1;
  let status = 0;
  for (let i = 1; i < args.length; i++) {
    if (!catFile(args[i])) status = 1;
  }
  return status;
}

function catFile(path: string): bool {
  if (path == "-") return copyFd(STDIN, path);
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY, 0);
  if (fd < 0) {
    eprint("cat: " + path + ": " + strerror(fd) + "\n");
    return false;
  }
  let ok = copyFd(fd, path);
  close(fd);
  return ok;
}

// Returns false after reporting a read or write error.
function copyFd(fd: i32, name: string): bool {
  let buf = new Uint8Array(CHUNK);
  while (true) {
    let n = read(fd, buf.dataStart, <usize>CHUNK);
    if (n == 0) return true;
    if (n < 0) {
      eprint("cat: " + name + ": " + strerror(<i32>n) + "\n");
      return false;
    }
    let written = writeAll(STDOUT, buf.dataStart, <usize>n);
    if (written < 0) {
      eprint("cat: write error: " + strerror(written) + "\n");
      return false;
    }
  }
}
