// Test program: after setuid(1000), the resident calls must fail with EPERM
// because only root may register or unregister. Prints each result and
// exits with 0 when both calls returned -EPERM, else 1.
import {
  errnoName,
  execSysRegister,
  execSysUnregister,
  getuid,
  print,
  setuid,
  strerror,
  EPERM,
  UNREGISTER_ALL,
} from "../runtime";

// Any user-space address serves: the permission check comes first.
const ENTRY: i64 = 0x400000;

export function main(): i32 {
  let result = setuid(1000);
  print("setuid(1000) = " + result.toString() + "\n");
  if (result < 0 || getuid() != 1000) {
    print("FAIL: setuid: " + strerror(result) + "\n");
    return 1;
  }
  let registered = execSysRegister(ENTRY);
  print("exec_sys_register = " + describe(registered) + "\n");
  let unregistered = execSysUnregister(UNREGISTER_ALL);
  print("exec_sys_unregister(-2) = " + describe(unregistered) + "\n");
  if (registered != -EPERM || unregistered != -EPERM) {
    print("FAIL: expected -1 EPERM from both calls\n");
    return 1;
  }
  print("PASS\n");
  return 0;
}

function describe(result: i32): string {
  if (result >= 0) return result.toString();
  return "-1 " + errnoName(result) + " (" + strerror(result) + ")";
}
