// Copies each file named in its arguments, or standard input when there is
// none or the name is "-", to standard output. The one option, -u (POSIX:
// unbuffered output), changes nothing because cat never buffers output.
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
const USAGE = "usage: cat [-u] [FILE]...\n";

export function main(): i32 {
  let args = argv();
  // Options come before the first operand. "--" ends them, and a lone "-"
  // is an operand that names standard input.
  let first = 1;
  while (first < args.length && args[first].length > 1 && args[first].startsWith("-")) {
    let arg = args[first++];
    if (arg == "--") break;
    for (let j = 1; j < arg.length; j++) {
      let option = arg.charAt(j);
      if (option != "u") {
        eprint("cat: invalid option -- '" + option + "'\n" + USAGE);
        return 1;
      }
    }
  }
  if (first == args.length) return copyFd(STDIN, "-") ? 0 : 1;
  let status = 0;
  for (let i = first; i < args.length; i++) {
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
