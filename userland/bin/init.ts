// Process 1: prints /etc/motd once, then keeps /bin/sh running on the
// console (fds 0, 1 and 2, which the kernel opens) and reaps every child,
// orphans included.
import {
  eprint,
  exec,
  exit,
  fork,
  getpid,
  readFile,
  strerror,
  waitFor,
  writeAll,
  read,
  setSignalDisposition,
  ECHILD,
  EINTR,
  STDIN,
  STDOUT,
  SIGINT,
  SIGQUIT,
  SIG_IGN,
} from "../runtime";

const SHELL = "/bin/sh";
const SHELL_ENVIRONMENT: string[] = ["PATH=/bin"];
// The forked child exits with this status when execve of the shell fails.
// A shell can exit with 255 too, which at worst makes init wait for Enter.
const EXEC_FAILED: i32 = 255;
// Consecutive failures to start the shell after which init waits for a line
// on the console before it tries again, so that a missing /bin/sh does not
// flood the console. Init never exits, because process 1 must not.
const MAX_START_FAILURES: i32 = 3;

export function main(): i32 {
  // Run anywhere else, init would start a second shell on the terminal and
  // restart it on every exit, so the user could never leave it.
  if (getpid() != 1) {
    eprint("init: must be run as process 1\n");
    return 1;
  }
  // ^C and ^\ at the console signal every process on it, and init must
  // live on.
  setSignalDisposition(SIGINT, SIG_IGN);
  setSignalDisposition(SIGQUIT, SIG_IGN);
  printMotd();
  let failures = 0;
  while (true) {
    if (failures >= MAX_START_FAILURES) {
      eprint("init: " + SHELL + " failed to start; press Enter to try again\n");
      waitForLine();
      failures = 0;
    }
    let shell = startShell();
    if (shell < 0) {
      failures++;
      continue;
    }
    let status = waitForShell(shell);
    if (status == EXEC_FAILED << 8) {
      failures++;
    } else {
      failures = 0;
    }
  }
  return 0;
}

// Blocks until the console delivers a line (or end of input).
function waitForLine(): void {
  let buf = new Uint8Array(128);
  while (true) {
    let n = read(STDIN, buf.dataStart, 128);
    if (n <= 0) return;
    if (buf.subarray(0, <i32>n).includes(0x0a)) return;
  }
}

function printMotd(): void {
  let motd = readFile("/etc/motd");
  if (motd.error == 0) writeAll(STDOUT, motd.data.dataStart, <usize>motd.data.length);
}

// Returns the shell's pid, or -errno when fork failed.
function startShell(): i32 {
  let pid = fork();
  if (pid < 0) {
    eprint("init: fork: " + strerror(pid) + "\n");
    return pid;
  }
  if (pid == 0) {
    let result = exec(SHELL, ["sh"], SHELL_ENVIRONMENT);
    eprint("init: " + SHELL + ": " + strerror(result) + "\n");
    exit(EXEC_FAILED);
  }
  return pid;
}

// Reaps children until `shell` exits; returns its wait status.
function waitForShell(shell: i32): i32 {
  while (true) {
    let result = waitFor(-1);
    if (result.pid == shell) return result.status;
    if (result.pid == -ECHILD) return 0; // the shell is gone already
    if (result.pid < 0 && result.pid != -EINTR) {
      eprint("init: wait4: " + strerror(result.pid) + "\n");
      return 0;
    }
  }
}
