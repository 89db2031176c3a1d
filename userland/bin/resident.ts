// resident: makes programs resident, lists and removes registrations, as
// DragonFly BSD's resident(8) does.
//
//   resident [-f] PROGRAM...  run each PROGRAM with
//       LD_RESIDENT_REGISTER_NOW=yes, so that its runtime registers it and
//       exits; -f skips the checks on the file and the registration list
//   resident -d [-f] PROGRAM...  unregister each PROGRAM: by the id that the
//       list gives for its inode, else (or with -f) by running it with
//       LD_RESIDENT_UNREGISTER_NOW=yes
//   resident -l [-v]   list registrations (exec_sys_resident_list); -v adds
//       the exec count and the number of ELF loads of each file
//   resident -x ID     unregister registration ID
//   resident -R        unregister everything
//
// Messages follow resident(8), with two changes so that scripts and the
// console tests can rely on them. -x and -R print nothing on success. On
// failure they exit with status 1 after printing "resident: id ID: not
// registered" (another error's message in place of "not registered"), or
// for -R "resident: unregister all: MESSAGE", on standard error.
import {
  argv,
  close,
  CString,
  envp,
  eprint,
  exec,
  execSysUnregister,
  exit,
  fork,
  fstatFd,
  lastStatError,
  listResidents,
  open,
  print,
  read,
  Stat,
  strerror,
  waitFor,
  EISDIR,
  ENOENT,
  O_RDONLY,
  UNREGISTER_ALL,
} from "../runtime";

const USAGE = "usage: resident [-l [-v]] [-f] [-x id] [-d] [-R] program ...\n";
const REGISTER_VARIABLE = "LD_RESIDENT_REGISTER_NOW";
const UNREGISTER_VARIABLE = "LD_RESIDENT_UNREGISTER_NOW";

class Options {
  list: bool = false;
  verbose: bool = false;
  force: bool = false;
  unregister: bool = false; // -d
  removeAll: bool = false; // -R
  removeId: string | null = null; // -x
  programs: string[] = [];
}

export function main(): i32 {
  let options = parseOptions(argv());
  if (options === null) {
    eprint(USAGE);
    return 1;
  }
  if (options.list) return listRegistrations(options.verbose);
  if (options.removeAll) return unregisterId(UNREGISTER_ALL);
  let removeId = options.removeId;
  if (removeId !== null) {
    let id = parseId(removeId);
    if (id == i32.MIN_VALUE) {
      eprint("resident: invalid id: " + removeId + "\n" + USAGE);
      return 1;
    }
    return unregisterId(id);
  }
  if (options.programs.length == 0) {
    eprint(USAGE);
    return 1;
  }
  let status = 0;
  for (let i = 0; i < options.programs.length; i++) {
    if (!runProgram(options.programs[i], options)) status = 1;
  }
  return status;
}

// Returns null on an unknown option or a missing -x argument.
function parseOptions(args: string[]): Options | null {
  let options = new Options();
  let i = 1;
  for (; i < args.length; i++) {
    let arg = args[i];
    if (arg == "--") {
      i++;
      break;
    }
    if (arg.length < 2 || !arg.startsWith("-")) break;
    for (let j = 1; j < arg.length; j++) {
      let option = arg.charAt(j);
      if (option == "l") options.list = true;
      else if (option == "v") options.verbose = true;
      else if (option == "f") options.force = true;
      else if (option == "d") options.unregister = true;
      else if (option == "R") options.removeAll = true;
      else if (option == "x") {
        if (j + 1 < arg.length) {
          options.removeId = arg.substring(j + 1);
        } else if (i + 1 < args.length) {
          options.removeId = args[++i];
        } else {
          eprint("resident: option requires an argument -- 'x'\n");
          return null;
        }
        break;
      } else {
        eprint("resident: invalid option -- '" + option + "'\n");
        return null;
      }
    }
  }
  for (; i < args.length; i++) options.programs.push(args[i]);
  return options;
}

// Parses a decimal or 0x-prefixed hexadecimal id, as strtol(3) with base 0
// does for these forms; returns i32.MIN_VALUE when `text` is neither.
function parseId(text: string): i32 {
  let negative = text.startsWith("-");
  let digits = negative ? text.substring(1) : text;
  let radix = 10;
  if (digits.startsWith("0x") || digits.startsWith("0X")) {
    radix = 16;
    digits = digits.substring(2);
  }
  if (digits.length == 0 || digits.length > 9) return i32.MIN_VALUE;
  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    let c = digits.charCodeAt(i);
    let digit = -1;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (radix == 16 && c >= 0x61 && c <= 0x66) digit = c - 0x61 + 10;
    else if (radix == 16 && c >= 0x41 && c <= 0x46) digit = c - 0x41 + 10;
    if (digit < 0) return i32.MIN_VALUE;
    value = value * radix + digit;
  }
  return negative ? -value : value;
}

function unregisterId(id: i32): i32 {
  let result = execSysUnregister(id);
  if (result >= 0) return 0;
  if (id == UNREGISTER_ALL) {
    eprint("resident: unregister all: " + strerror(result) + "\n");
  } else if (result == -ENOENT) {
    eprint("resident: id " + id.toString() + ": not registered\n");
  } else {
    eprint("resident: id " + id.toString() + ": " + strerror(result) + "\n");
  }
  return 1;
}

function padRight(text: string, width: i32): string {
  while (text.length < width) text += " ";
  return text;
}

function listRegistrations(verbose: bool): i32 {
  let list = listResidents();
  if (list.error < 0) {
    eprint("resident: exec_sys_resident_list: " + strerror(list.error) + "\n");
    return 1;
  }
  if (list.records.length == 0) {
    print("no resident binaries to list\n");
    return 0;
  }
  let header = padRight("Id", 4) + "\t" + padRight("Size", 15) + "\t" + padRight("Address", 12);
  if (verbose) header += "\t" + padRight("Execs", 8) + "\t" + padRight("Loads", 8);
  print(header + "\tExecutable\n");
  for (let i = 0; i < list.records.length; i++) {
    let r = list.records[i];
    let line =
      padRight(r.id.toString(), 4) +
      "\t" +
      padRight(r.size.toString(), 15) +
      "\t" +
      padRight("0x" + r.entry.toString(16), 12);
    if (verbose) {
      line += "\t" + padRight(r.execCount.toString(), 8) + "\t" + padRight(r.elfLoads.toString(), 8);
    }
    print(line + "\t" + r.path + "\n");
  }
  return 0;
}

// Checks that `path` is a file that starts with the ELF magic "\x7fELF".
// Returns its status, or null after printing why the check failed.
function checkExecutable(path: string): Stat | null {
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY, 0);
  if (fd < 0) {
    eprint("resident: " + path + ": " + strerror(fd) + "\n");
    return null;
  }
  let st = fstatFd(fd);
  if (st === null) {
    close(fd);
    eprint("resident: " + path + ": " + strerror(lastStatError) + "\n");
    return null;
  }
  if (st.isDirectory) {
    close(fd);
    eprint("resident: " + path + ": " + strerror(-EISDIR) + "\n");
    return null;
  }
  let header = new Uint8Array(4);
  let n = read(fd, header.dataStart, 4);
  close(fd);
  if (n < 0) {
    eprint("resident: " + path + ": can't read program header\n");
    return null;
  }
  if (n < 4 || header[0] != 0x7f || header[1] != 0x45 || header[2] != 0x4c || header[3] != 0x46) {
    eprint("resident: " + path + ": not an ELF executable\n");
    return null;
  }
  return st;
}

// Returns the id of the registration of inode `ino`, 0 when there is none,
// or -errno when the list call failed (Linux has no call 1002: ENOSYS).
function registrationId(ino: u64): i32 {
  let list = listResidents();
  if (list.error < 0) return list.error;
  for (let i = 0; i < list.records.length; i++) {
    if (list.records[i].inode == ino) return <i32>list.records[i].id;
  }
  return 0;
}

// Registers (or with -d unregisters) `path`. Returns true on success.
function runProgram(path: string, options: Options): bool {
  if (options.force) return runWithVariable(path, options.unregister);
  let st = checkExecutable(path);
  if (st === null) return false;
  let id = registrationId(st.ino);

  if (options.unregister) {
    // A resident exec starts at the resume point, after the runtime's check
    // of LD_RESIDENT_UNREGISTER_NOW, so running the program would not
    // unregister it. Unregister by id instead.
    if (id > 0) return unregisterId(id) == 0;
    if (id == 0) {
      eprint(path + ": entry not found\n");
      return false;
    }
    return runWithVariable(path, true);
  }

  if (id > 0) {
    eprint("resident: " + path + ": binary already resident\n");
    return false;
  }
  if (!runWithVariable(path, false)) return false;
  if (id == 0 && registrationId(st.ino) == 0) {
    eprint(
      "resident: " + path + ": not registered: the program exited without calling exec_sys_register\n",
    );
    return false;
  }
  return true;
}

// Runs `path` with LD_RESIDENT_REGISTER_NOW=yes (or, when `unregister`,
// LD_RESIDENT_UNREGISTER_NOW=yes) and reports how it ended. Returns true on
// exit status 0.
function runWithVariable(path: string, unregister: bool): bool {
  let variable = unregister ? UNREGISTER_VARIABLE : REGISTER_VARIABLE;
  let env = environmentWith(variable, "yes");

  let pid = fork();
  if (pid < 0) {
    eprint("resident: fork: " + strerror(pid) + "\n");
    exit(1);
  }
  if (pid == 0) {
    let result = exec(path, [path], env);
    eprint("resident: " + path + ": " + strerror(result) + "\n");
    exit(1);
  }
  let waited = waitFor(pid);
  if (waited.pid < 0) {
    eprint("resident: wait: " + strerror(waited.pid) + "\n");
    return false;
  }
  if (waited.signaled) {
    eprint(path + ": signal " + waited.signal.toString() + "\n");
    return false;
  }
  if (waited.exitCode != 0) {
    // The runtime has printed "resident: cannot register: errno N" already.
    eprint(path + ": exit status " + waited.exitCode.toString() + "\n");
    return false;
  }
  return true;
}

// Returns this process's environment with NAME set to `value`.
function environmentWith(name: string, value: string): string[] {
  let env = envp();
  let result = new Array<string>(0);
  let prefix = name + "=";
  for (let i = 0; i < env.length; i++) {
    if (!env[i].startsWith(prefix)) result.push(env[i]);
  }
  result.push(prefix + value);
  return result;
}
