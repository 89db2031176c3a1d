// Test program for ^C and ^\: runs until a signal ends it.
//   spin         loops without system calls
//   spin sleep   sleeps in nanosleep, one second at a time
//   spin wait    forks a child that loops and waits for it in wait4
//   spin ignore  sets SIGINT to SIG_IGN and execs "spin", which must then
//                survive ^C (ignored signals stay ignored across execve)
// Each mode first prints a line that reports whether SIGINT is ignored, so
// a test knows the program is running before it sends a signal.
import { syscall6 } from "../../arch/x86_64/intrinsics";
import {
  argv,
  eprint,
  exec,
  fork,
  nativeAddress,
  print,
  rtSigaction,
  setSignalDisposition,
  strerror,
  waitFor,
  SIGACTION_SIZE,
  SIGINT,
  SIG_IGN,
} from "../runtime";

const SYS_NANOSLEEP: i64 = 35;

export function main(): i32 {
  let args = argv();
  let mode = args.length > 1 ? args[1] : "loop";
  if (mode == "loop") {
    report("looping");
    loopForever();
  } else if (mode == "sleep") {
    report("sleeping");
    sleepForever();
  } else if (mode == "wait") {
    return forkAndWait();
  } else if (mode == "ignore") {
    let old = setSignalDisposition(SIGINT, SIG_IGN);
    if (old < 0) {
      eprint("spin: rt_sigaction: " + strerror(<i32>old) + "\n");
      return 1;
    }
    let result = exec("/tests/spin", ["spin"], []);
    eprint("spin: exec /tests/spin: " + strerror(result) + "\n");
    return 1;
  } else {
    eprint("usage: spin [loop|sleep|wait|ignore]\n");
    return 2;
  }
  return 1;
}

// Prints "spin: WHAT, SIGINT default" or "... SIGINT ignored", as
// rt_sigaction reads back the disposition.
function report(what: string): void {
  let oldAction = memory.data(SIGACTION_SIZE);
  let result = rtSigaction(SIGINT, 0, oldAction);
  if (result < 0) {
    eprint("spin: rt_sigaction: " + strerror(result) + "\n");
    return;
  }
  let ignored = load<i64>(oldAction) == SIG_IGN;
  print("spin: " + what + ", SIGINT " + (ignored ? "ignored" : "default") + "\n");
}

// The counter is stored to memory on every pass so that the loop is not
// optimised away.
let counter: u64 = 0;

function loopForever(): void {
  while (true) counter++;
}

function sleepForever(): void {
  let timespec = memory.data(16);
  store<i64>(timespec, 1);
  store<i64>(timespec, 0, 8);
  while (true) syscall6(SYS_NANOSLEEP, nativeAddress(timespec), 0, 0, 0, 0, 0);
}

function forkAndWait(): i32 {
  let pid = fork();
  if (pid < 0) {
    eprint("spin: fork: " + strerror(pid) + "\n");
    return 1;
  }
  if (pid == 0) loopForever();
  report("waiting for child " + pid.toString());
  let result = waitFor(pid);
  print("spin: child ended with wait status " + result.status.toString() + "\n");
  return 1;
}
