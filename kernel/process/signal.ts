// Signal dispositions (rt_sigaction) and the terminal's SIGINT and SIGQUIT.
//
// A signal's disposition is SIG_DFL or SIG_IGN. There are no handlers. Fork
// copies the dispositions, and execve keeps them, as POSIX requires of
// ignored and default signals.
import { EFAULT, EINVAL } from "../lib/errno";
import { copyIn, copyOut } from "../memory/usercopy";
import { INIT_PID, Process, ProcessState, processes } from "./process";
import { currentProcess, signalProcess } from "./sched";

// Linux signal numbers (include/uapi/asm-generic/signal.h).
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGKILL = 9;
export const SIGSTOP = 19;
export const MAX_SIGNAL = 64;

// sa_handler values (include/uapi/asm-generic/signal-defs.h).
const SIG_DFL: u64 = 0;
const SIG_IGN: u64 = 1;

// struct sigaction as x86-64 Linux's rt_sigaction takes it: sa_handler,
// sa_flags, sa_restorer and an 8-byte sa_mask, 8 bytes each.
const SIGACTION_SIZE: usize = 32;
const SIGSET_SIZE: u64 = 8;

function signalBit(signal: i32): u64 {
  return <u64>1 << <u64>(signal - 1);
}

// Returns true when `p` has set `signal` to SIG_IGN.
export function ignoresSignal(p: Process, signal: i32): bool {
  return (p.ignoredSignals & signalBit(signal)) != 0;
}

// rt_sigaction(2) for SIG_DFL and SIG_IGN. A handler address fails with
// EINVAL, as do SIGKILL and SIGSTOP and a sigset size other than 8. The old
// action reads back with sa_flags, sa_restorer and sa_mask zero, because
// the kernel keeps only the disposition. Setting SIG_IGN discards that
// signal if it is pending, as POSIX requires.
export function sysRtSigaction(signal: i32, action: u64, oldAction: u64, sigsetSize: u64): i64 {
  if (sigsetSize != SIGSET_SIZE) return -EINVAL;
  if (signal < 1 || signal > MAX_SIGNAL) return -EINVAL;
  const p = currentProcess();
  const buffer = memory.data(<i32>SIGACTION_SIZE);

  let handler: u64 = 0;
  if (action != 0) {
    if (signal == SIGKILL || signal == SIGSTOP) return -EINVAL;
    if (!copyIn(buffer, action, SIGACTION_SIZE)) return -EFAULT;
    handler = load<u64>(buffer);
    if (handler != SIG_DFL && handler != SIG_IGN) return -EINVAL;
  }

  if (oldAction != 0) {
    memory.fill(buffer, 0, SIGACTION_SIZE);
    store<u64>(buffer, ignoresSignal(p, signal) ? SIG_IGN : SIG_DFL);
    if (!copyOut(oldAction, buffer, SIGACTION_SIZE)) return -EFAULT;
  }

  if (action != 0) {
    if (handler == SIG_IGN) {
      p.ignoredSignals |= signalBit(signal);
      if (p.pendingSignal == signal) p.pendingSignal = 0;
    } else {
      p.ignoredSignals &= ~signalBit(signal);
    }
  }
  return 0;
}

// Sends `signal` (SIGINT for ^C, SIGQUIT for ^\) to every process whose
// controlling terminal is the console, except init and those that ignore
// it. The tty calls it from the serial interrupt handler, so it must not
// allocate or switch: it only marks the signal pending and wakes sleepers.
// The process acts on it on its way back to ring 3 or when its sleep
// returns (sched.ts, trap.ts).
// NOTE: there are no sessions or process groups, so every process has the
// console as its controlling terminal, background ones included.
export function signalTerminal(signal: i32): void {
  for (let i = 0; i < processes.length; i++) {
    const p = unchecked(processes[i]);
    if (p.state == ProcessState.Zombie || p.pid == INIT_PID) continue;
    if (ignoresSignal(p, signal)) continue;
    signalProcess(p, signal);
  }
}
