// Process 1: prints /etc/motd once, then keeps /bin/sh running on the
// console (fds 0, 1 and 2, which the kernel opens) and reaps every child,
// orphans included.
import {
  eprint,
  exec,
  exit,
  fork,
  readFile,
  strerror,
  waitFor,
  writeAll,
  ECHILD,
  EINTR,
  STDOUT,
} from "../runtime";

const SHELL = "/bin/sh";
const SHELL_ENVIRONMENT: string[] = ["PATH=/bin"];
// The shell exits with this status when its execve fails.
const EXEC_FAILED: i32 = 127;
// Consecutive exec failures after which init stops restarting the shell.
const MAX_EXEC_FAILURES: i32 = 3;

export function main(): i32 {
  printMotd();
  let failures = 0;
  while (failures < MAX_EXEC_FAILURES) {
    let shell = startShell();
    if (shell < 0) {
      failures++;
      continue;
    }
    let status = waitForShell(shell);
    failures = status == EXEC_FAILED << 8 ? failures + 1 : 0;
  }
  eprint("init: " + SHELL + " failed to start " + MAX_EXEC_FAILURES.toString() + " times; giving up\n");
  return 1;
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
