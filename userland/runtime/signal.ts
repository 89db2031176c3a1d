// Signal dispositions through rt_sigaction(2). The kernel has no signal
// handlers, so a disposition is SIG_DFL or SIG_IGN (docs/abi.md).

import { syscall6 } from "../../arch/x86_64/intrinsics";
import { nativeAddress } from "./syscall";

export const SYS_RT_SIGACTION: i64 = 13;

// Linux signal numbers (include/uapi/asm-generic/signal.h).
export const SIGINT: i32 = 2;
export const SIGQUIT: i32 = 3;
export const SIGKILL: i32 = 9;

export const SIG_DFL: i64 = 0;
export const SIG_IGN: i64 = 1;

// struct sigaction for x86-64 rt_sigaction: sa_handler, sa_flags,
// sa_restorer and sa_mask, 8 bytes each. The sigset size is 8 bytes.
export const SIGACTION_SIZE: i32 = 32;
const SIGSET_SIZE: i64 = 8;

// Calls rt_sigaction with wasm addresses of struct sigaction (0: none).
export function rtSigaction(signal: i32, action: usize, oldAction: usize): i32 {
  let nativeAction: i64 = action == 0 ? 0 : nativeAddress(action);
  let nativeOld: i64 = oldAction == 0 ? 0 : nativeAddress(oldAction);
  return <i32>syscall6(SYS_RT_SIGACTION, signal, nativeAction, nativeOld, SIGSET_SIZE, 0, 0);
}

// Sets the disposition of `signal` to SIG_DFL or SIG_IGN, as signal(3)
// does. Returns the previous disposition, or -errno.
export function setSignalDisposition(signal: i32, disposition: i64): i64 {
  let action = memory.data(SIGACTION_SIZE);
  let oldAction = memory.data(SIGACTION_SIZE);
  memory.fill(action, 0, SIGACTION_SIZE);
  store<i64>(action, disposition);
  let result = rtSigaction(signal, action, oldAction);
  if (result < 0) return result;
  return load<i64>(oldAction);
}
