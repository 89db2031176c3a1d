// Lists directories (through getdents64) and names files, one name a line.
// Options: -a shows names starting with ".", -l adds the mode and size.
import {
  argv,
  close,
  CString,
  eprint,
  fstatFd,
  open,
  print,
  readDirFd,
  statPath,
  lastStatError,
  strerror,
  Stat,
  O_RDONLY,
  S_IFMT,
  S_IFDIR,
  S_IFCHR,
  S_IFLNK,
} from "../runtime";

let showAll = false;
let longFormat = false;

export function main(): i32 {
  showAll = false;
  longFormat = false;
  let args = argv();
  let operands = new Array<string>(0);
  for (let i = 1; i < args.length; i++) {
    let arg = args[i];
    if (arg.length > 1 && arg.startsWith("-") && operands.length == 0) {
      for (let j = 1; j < arg.length; j++) {
        let option = arg.charAt(j);
        if (option == "a") {
          showAll = true;
        } else if (option == "l") {
          longFormat = true;
        } else {
          eprint("ls: invalid option -- '" + option + "'\nusage: ls [-al] [FILE]...\n");
          return 2;
        }
      }
    } else {
      operands.push(arg);
    }
  }
  if (operands.length == 0) operands.push(".");

  let status = 0;
  for (let i = 0; i < operands.length; i++) {
    if (operands.length > 1) {
      if (i > 0) print("\n");
    }
    if (!listOperand(operands[i], operands.length > 1)) status = 1;
  }
  return status;
}

function listOperand(path: string, withHeader: bool): bool {
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY, 0);
  if (fd < 0) {
    eprint("ls: cannot access '" + path + "': " + strerror(fd) + "\n");
    return false;
  }
  let st = fstatFd(fd);
  if (st === null) {
    close(fd);
    eprint("ls: cannot access '" + path + "': " + strerror(lastStatError) + "\n");
    return false;
  }
  if (!st.isDirectory) {
    close(fd);
    printEntry(path, st);
    return true;
  }

  if (withHeader) print(path + ":\n");
  let dir = readDirFd(fd);
  close(fd);
  if (dir.error < 0) {
    eprint("ls: cannot read directory '" + path + "': " + strerror(dir.error) + "\n");
    return false;
  }
  let names = new Array<string>(0);
  for (let i = 0; i < dir.entries.length; i++) {
    let name = dir.entries[i].name;
    if (!showAll && name.startsWith(".")) continue;
    names.push(name);
  }
  names.sort(compareNames);
  let ok = true;
  for (let i = 0; i < names.length; i++) {
    if (!longFormat) {
      print(names[i] + "\n");
      continue;
    }
    let childPath = path.endsWith("/") ? path + names[i] : path + "/" + names[i];
    let childStat = statPath(childPath);
    if (childStat === null) {
      eprint("ls: cannot access '" + childPath + "': " + strerror(lastStatError) + "\n");
      ok = false;
      continue;
    }
    printEntry(names[i], childStat);
  }
  return ok;
}

// Orders names by UTF-16 code unit, which matches byte order for ASCII.
function compareNames(a: string, b: string): i32 {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

function printEntry(name: string, st: Stat): void {
  if (!longFormat) {
    print(name + "\n");
    return;
  }
  let size = st.size.toString();
  while (size.length < 8) size = " " + size;
  print(modeString(st.mode) + " " + size + " " + name + "\n");
}

// Renders st_mode as ls(1) does: the type letter and three rwx triplets.
function modeString(mode: u32): string {
  let type = mode & S_IFMT;
  let out = "-";
  if (type == S_IFDIR) out = "d";
  else if (type == S_IFCHR) out = "c";
  else if (type == S_IFLNK) out = "l";
  let letters = "rwxrwxrwx";
  for (let bit = 0; bit < 9; bit++) {
    let set = (mode & (<u32>1 << (8 - bit))) != 0;
    out += set ? letters.charAt(bit) : "-";
  }
  return out;
}
