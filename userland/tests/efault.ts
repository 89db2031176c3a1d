// Test program: system calls given bad buffer addresses must fail with
// EFAULT and leave the process running. Prints one line per call and exits
// with 0 when every call returned -EFAULT, else 1.
import { syscall6 } from "../../arch/x86_64/intrinsics";
import { errnoName, nativeWrite, print, EFAULT, SYS_FSTAT, SYS_GETCWD } from "../runtime";

// Unmapped in user space, and the kernel's direct map (docs/abi.md).
const NULL_ADDRESS: i64 = 0;
const KERNEL_ADDRESS: i64 = 0xffff800000100000;

export function main(): i32 {
  let ok = true;
  ok = check("write(1, NULL, 16)", nativeWrite(1, NULL_ADDRESS, 16)) && ok;
  ok = check("write(1, kernel, 16)", nativeWrite(1, KERNEL_ADDRESS, 16)) && ok;
  ok = check("fstat(1, kernel)", syscall6(SYS_FSTAT, 1, KERNEL_ADDRESS, 0, 0, 0, 0)) && ok;
  ok = check("getcwd(NULL, 4096)", syscall6(SYS_GETCWD, NULL_ADDRESS, 4096, 0, 0, 0, 0)) && ok;
  print(ok ? "PASS\n" : "FAIL\n");
  return ok ? 0 : 1;
}

function check(call: string, result: i64): bool {
  let text = result < 0 ? errnoName(<i32>result) : result.toString();
  print(call + " = " + text + "\n");
  return result == -EFAULT;
}
