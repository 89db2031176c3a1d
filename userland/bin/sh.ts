// A small POSIX-like shell: simple commands with quoting, $? and $NAME,
// NAME=value assignments and the builtins cd, exit, export and pwd. It runs
// other programs with fork, execve and wait4.
//
//   sh                      read commands from standard input, with a prompt
//   sh FILE [ARG...]        run the lines of FILE, with $0 FILE and $1... the ARGs
//   sh -c COMMAND [NAME [ARG...]]  run COMMAND, with $0 NAME and $1... the ARGs

import {
  argv,
  chdir,
  close,
  CString,
  eprint,
  envp,
  exec,
  exit,
  fork,
  fstatFd,
  getcwd,
  getpid,
  getuid,
  open,
  print,
  setSignalDisposition,
  strerror,
  waitFor,
  ENOENT,
  ENOTDIR,
  ENOEXEC,
  EISDIR,
  O_CLOEXEC,
  O_RDONLY,
  S_IFCHR,
  S_IFMT,
  STDIN,
  EINTR,
  SIGINT,
  SIGQUIT,
  SIG_DFL,
  SIG_IGN,
} from "../runtime";
import { parseLine, Word } from "../lib/sh/parser";
import { LineReader } from "../lib/sh/lines";

const DEFAULT_PATH = "/bin";
const USAGE = "usage: sh [FILE [ARG]...]\n       sh -c COMMAND [NAME [ARG]...]\n";

// Shell variables in insertion order, and the names passed to children.
let vars = new Map<string, string>();
let exported = new Set<string>();
let lastStatus: i32 = 0;
// $0, $1, $2 and so on.
let positional: string[] = [];

export function main(): i32 {
  vars = new Map<string, string>();
  exported = new Set<string>();
  lastStatus = 0;
  importEnvironment();
  // ^C and ^\ end the foreground program, not the shell. runProgram sets
  // them back to SIG_DFL in the child.
  setSignalDisposition(SIGINT, SIG_IGN);
  setSignalDisposition(SIGQUIT, SIG_IGN);

  let args = argv();
  positional = [args.length > 0 ? args[0] : "sh"];
  let commandMode = false;
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
      if (option != "c") {
        eprint("sh: invalid option -- '" + option + "'\n" + USAGE);
        return 2;
      }
      commandMode = true;
    }
  }

  if (commandMode) {
    if (i == args.length) {
      eprint("sh: option requires an argument -- 'c'\n" + USAGE);
      return 2;
    }
    let command = args[i];
    if (i + 1 < args.length) positional = args.slice(i + 1);
    return runCommandString(command);
  }
  if (i < args.length && args[i] != "-") {
    positional = args.slice(i);
    return runScript(args[i]);
  }
  // A lone "-" names standard input, and the arguments after it become $1...
  for (let k = i + 1; k < args.length; k++) positional.push(args[k]);
  return runInteractive();
}

// Reads commands from standard input, printing a prompt before each line.
function runInteractive(): i32 {
  let input = new LineReader(STDIN);
  let prompt = getuid() == 0 ? "# " : "$ ";
  while (true) {
    print(prompt);
    let line = input.next();
    if (line === null) break;
    runLine(line);
  }
  // After ^D at the prompt the cursor is still on the prompt's line, so end
  // it. NOTE: the system calls include no ioctl(TCGETS), so any character
  // device counts as a terminal here, /dev/null included.
  if (isCharacterDevice(STDIN)) print("\n");
  return lastStatus;
}

function isCharacterDevice(fd: i32): bool {
  let st = fstatFd(fd);
  return st !== null && (st.mode & S_IFMT) == S_IFCHR;
}

// Runs each line of `command`, as `sh -c` does.
function runCommandString(command: string): i32 {
  let lines = command.split("\n");
  for (let i = 0; i < lines.length; i++) runLine(lines[i]);
  return lastStatus;
}

// Runs the lines of the file at `path` without a prompt. Returns the status
// of the last command, or 127 when the file does not exist, 126 when it
// cannot be opened or is a directory, and 2 when reading it fails.
function runScript(path: string): i32 {
  let cpath = new CString(path);
  let fd = open(cpath.ptr, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    eprint("sh: " + path + ": " + strerror(fd) + "\n");
    return fd == -ENOENT || fd == -ENOTDIR ? 127 : 126;
  }
  let st = fstatFd(fd);
  if (st !== null && st.isDirectory) {
    close(fd);
    eprint("sh: " + path + ": " + strerror(-EISDIR) + "\n");
    return 126;
  }
  let input = new LineReader(fd);
  while (true) {
    let line = input.next();
    if (line === null) break;
    runLine(line);
  }
  close(fd);
  if (input.error < 0) {
    eprint("sh: " + path + ": " + strerror(input.error) + "\n");
    return 2;
  }
  return lastStatus;
}

function importEnvironment(): void {
  let env = envp();
  for (let i = 0; i < env.length; i++) {
    let eq = env[i].indexOf("=");
    if (eq <= 0) continue;
    let name = env[i].substring(0, eq);
    vars.set(name, env[i].substring(eq + 1));
    exported.add(name);
  }
}

// Returns the NAME=value strings of the exported variables.
function environment(): string[] {
  let names = vars.keys();
  let env = new Array<string>(0);
  for (let i = 0; i < names.length; i++) {
    if (exported.has(names[i])) env.push(names[i] + "=" + vars.get(names[i]));
  }
  return env;
}

function runLine(line: string): void {
  let parsed = parseLine(line, vars, lastStatus, getpid(), positional);
  if (parsed.error.length > 0) {
    eprint("sh: syntax error: " + parsed.error + "\n");
    lastStatus = 2;
    return;
  }
  let words = parsed.words;
  let first = 0;
  while (first < words.length && words[first].assignment) first++;
  if (first == words.length) {
    for (let i = 0; i < words.length; i++) assign(words[i].text);
    if (words.length > 0) lastStatus = 0;
    return;
  }

  let args = new Array<string>(0);
  for (let i = first; i < words.length; i++) args.push(words[i].text);
  let name = args[0];
  if (name == "cd") {
    lastStatus = builtinCd(args);
  } else if (name == "exit") {
    builtinExit(args);
  } else if (name == "export") {
    lastStatus = builtinExport(args);
  } else if (name == "pwd") {
    lastStatus = builtinPwd();
  } else {
    let env = environment();
    for (let i = 0; i < first; i++) env.push(words[i].text);
    lastStatus = runProgram(args, env);
  }
}

function assign(text: string): void {
  let eq = text.indexOf("=");
  vars.set(text.substring(0, eq), text.substring(eq + 1));
}

// Forks, runs `args` in the child and returns the status for $?.
function runProgram(args: string[], env: string[]): i32 {
  let pid = fork();
  if (pid < 0) {
    eprint("sh: fork: " + strerror(pid) + "\n");
    return 2;
  }
  if (pid == 0) {
    setSignalDisposition(SIGINT, SIG_DFL);
    setSignalDisposition(SIGQUIT, SIG_DFL);
    exit(execCommand(args, env));
  }
  while (true) {
    let result = waitFor(pid);
    if (result.pid == pid) return result.shellStatus;
    if (result.pid != -EINTR) {
      eprint("sh: wait4: " + strerror(result.pid) + "\n");
      return 2;
    }
  }
}

// Runs in the forked child. Execs `args[0]`, searching PATH unless the name
// contains "/", and returns the status to exit with when that fails: 127
// when no file was found, 126 when a file was found but could not run.
function execCommand(args: string[], env: string[]): i32 {
  let name = args[0];
  // Such a name usually comes from a key that sends an escape sequence,
  // such as an arrow key, and names no program.
  if (hasControlCharacter(name)) return reportExecFailure(name, name, -ENOENT);
  if (name.includes("/")) {
    let result = exec(name, args, env);
    return reportExecFailure(name, name, result);
  }

  let path = vars.has("PATH") ? vars.get("PATH") : DEFAULT_PATH;
  let dirs = path.split(":");
  // The first failure other than "not found", reported if nothing runs.
  let failedPath = "";
  let failure: i32 = 0;
  for (let i = 0; i < dirs.length; i++) {
    let dir = dirs[i].length == 0 ? "." : dirs[i];
    let candidate = dir.endsWith("/") ? dir + name : dir + "/" + name;
    let result = exec(candidate, args, env);
    if (result == -ENOENT || result == -ENOTDIR) continue;
    if (result == -ENOEXEC) return reportExecFailure(name, candidate, result);
    if (failure == 0) {
      failure = result;
      failedPath = candidate;
    }
  }
  if (failure != 0) return reportExecFailure(name, failedPath, failure);
  return reportExecFailure(name, name, -ENOENT);
}

function reportExecFailure(name: string, path: string, result: i32): i32 {
  if (result == -ENOENT || result == -ENOTDIR) {
    eprint("sh: " + showControlCharacters(name) + ": not found\n");
    return 127;
  }
  eprint("sh: " + showControlCharacters(path) + ": " + strerror(result) + "\n");
  return 126;
}

function isControlCharacter(c: i32): bool {
  return c < 0x20 || c == 0x7f;
}

function hasControlCharacter(text: string): bool {
  for (let i = 0; i < text.length; i++) {
    if (isControlCharacter(text.charCodeAt(i))) return true;
  }
  return false;
}

// Returns `text` with control characters in caret notation, as the terminal
// echoes them: ESC as "^[", DEL as "^?".
function showControlCharacters(text: string): string {
  if (!hasControlCharacter(text)) return text;
  let out = "";
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    out += isControlCharacter(c) ? "^" + String.fromCharCode(c ^ 0x40) : String.fromCharCode(c);
  }
  return out;
}

function builtinCd(args: string[]): i32 {
  let target = "/";
  if (args.length > 1) {
    target = args[1];
  } else if (vars.has("HOME")) {
    target = vars.get("HOME");
  }
  let ctarget = new CString(target);
  let result = chdir(ctarget.ptr);
  if (result < 0) {
    eprint("sh: cd: " + target + ": " + strerror(result) + "\n");
    return 1;
  }
  if (vars.has("PWD")) {
    let cwd = currentDirectory();
    if (cwd !== null) vars.set("PWD", cwd);
  }
  return 0;
}

function builtinExit(args: string[]): void {
  let code = lastStatus;
  if (args.length > 1) {
    let parsed = parseStatus(args[1]);
    if (parsed < 0) {
      eprint("sh: exit: Illegal number: " + args[1] + "\n");
      lastStatus = 2;
      return;
    }
    code = parsed;
  }
  exit(code & 0xff);
}

// Returns the decimal value of `text`, or -1 when it is not a number.
function parseStatus(text: string): i32 {
  if (text.length == 0 || text.length > 9) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function builtinExport(args: string[]): i32 {
  if (args.length == 1) {
    let names = vars.keys();
    for (let i = 0; i < names.length; i++) {
      if (exported.has(names[i])) print("export " + names[i] + "=" + singleQuote(vars.get(names[i])) + "\n");
    }
    return 0;
  }
  for (let i = 1; i < args.length; i++) {
    let eq = args[i].indexOf("=");
    let name = eq < 0 ? args[i] : args[i].substring(0, eq);
    if (eq >= 0) vars.set(name, args[i].substring(eq + 1));
    exported.add(name);
  }
  return 0;
}

// Quotes `text` so that the shell reads it back unchanged.
function singleQuote(text: string): string {
  return "'" + text.replaceAll("'", "'\\''") + "'";
}

function builtinPwd(): i32 {
  let cwd = currentDirectory();
  if (cwd === null) return 1;
  print(cwd + "\n");
  return 0;
}

// Returns the working directory, or null after reporting the error.
function currentDirectory(): string | null {
  let buf = new Uint8Array(4096);
  let result = getcwd(buf.dataStart, 4096);
  if (result < 0) {
    eprint("sh: getcwd: " + strerror(result) + "\n");
    return null;
  }
  let len = buf.indexOf(0);
  return String.UTF8.decodeUnsafe(buf.dataStart, <usize>(len < 0 ? result : len), false);
}
