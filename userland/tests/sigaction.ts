// Test program: rt_sigaction accepts SIG_DFL and SIG_IGN, reads back the
// old disposition, rejects what the kernel does not support, and fork
// copies the dispositions. Prints one line per check and exits with 0 when
// every check passed, else 1.
import { syscall6 } from "../../arch/x86_64/intrinsics";
import {
  errnoName,
  exit,
  fork,
  nativeAddress,
  print,
  rtSigaction,
  setSignalDisposition,
  waitFor,
  EFAULT,
  EINVAL,
  SIGACTION_SIZE,
  SIGINT,
  SIGKILL,
  SIGQUIT,
  SIG_DFL,
  SIG_IGN,
  SYS_RT_SIGACTION,
} from "../runtime";

// An address in the program's code, which a real handler would have.
const HANDLER_ADDRESS: i64 = 0x401000;
// The kernel's direct map (docs/abi.md), never readable from user mode.
const KERNEL_ADDRESS: i64 = 0xffff800000100000;
const SIGSTOP: i32 = 19;

let ok = true;

export function main(): i32 {
  let action = memory.data(SIGACTION_SIZE);
  memory.fill(action, 0, SIGACTION_SIZE);

  check("SIGINT starts as SIG_DFL", setSignalDisposition(SIGINT, SIG_IGN), SIG_DFL);
  check("SIGINT reads back SIG_IGN", setSignalDisposition(SIGINT, SIG_IGN), SIG_IGN);
  check("SIGQUIT set to SIG_IGN", setSignalDisposition(SIGQUIT, SIG_IGN), SIG_DFL);

  let pid = fork();
  if (pid == 0) {
    let inherited = setSignalDisposition(SIGINT, SIG_DFL) == SIG_IGN;
    exit(inherited ? 0 : 1);
  }
  check("fork copies SIG_IGN", <i64>waitFor(pid).status, 0);
  check("parent keeps SIG_IGN", setSignalDisposition(SIGINT, SIG_DFL), SIG_IGN);
  check("SIGINT back to SIG_DFL", setSignalDisposition(SIGINT, SIG_DFL), SIG_DFL);

  store<i64>(action, HANDLER_ADDRESS);
  check("handler address", <i64>rtSigaction(SIGINT, action, 0), -EINVAL);
  store<i64>(action, SIG_IGN);
  check("SIGKILL to SIG_IGN", <i64>rtSigaction(SIGKILL, action, 0), -EINVAL);
  check("SIGSTOP to SIG_IGN", <i64>rtSigaction(SIGSTOP, action, 0), -EINVAL);
  check("SIGKILL query", <i64>rtSigaction(SIGKILL, 0, 0), 0);
  check("signal 0", <i64>rtSigaction(0, action, 0), -EINVAL);
  check("signal 65", <i64>rtSigaction(65, action, 0), -EINVAL);
  let wrongSetSize = syscall6(SYS_RT_SIGACTION, SIGINT, nativeAddress(action), 0, 4, 0, 0);
  check("sigset size 4", wrongSetSize, -EINVAL);
  let badAction = syscall6(SYS_RT_SIGACTION, SIGINT, KERNEL_ADDRESS, 0, 8, 0, 0);
  check("action in kernel memory", badAction, -EFAULT);
  check("SIGINT still SIG_DFL", setSignalDisposition(SIGINT, SIG_DFL), SIG_DFL);

  print(ok ? "PASS\n" : "FAIL\n");
  return ok ? 0 : 1;
}

function check(name: string, result: i64, expected: i64): void {
  let text = result < 0 ? errnoName(<i32>result) : result.toString();
  let pass = result == expected;
  print(name + ": " + text + (pass ? "" : " (FAIL)") + "\n");
  if (!pass) ok = false;
}
