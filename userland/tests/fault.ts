// Test program: touches a native address that is not mapped for user mode,
// so the kernel must kill it (wait status: signal 11) and keep running.
//   fault         writes to address 0
//   fault read    reads address 0
//   fault kernel  reads the kernel's direct map at 0xFFFF800000100000
import { nativeLoad64, nativeStore8 } from "../../arch/x86_64/intrinsics";
import { argv, eprint, print } from "../runtime";

const KERNEL_ADDRESS: u64 = 0xffff800000100000;

export function main(): i32 {
  let args = argv();
  let mode = args.length > 1 ? args[1] : "write";
  print("fault: " + mode + "\n");
  if (mode == "write") {
    nativeStore8(0, 1);
  } else if (mode == "read") {
    print(nativeLoad64(0).toString() + "\n");
  } else if (mode == "kernel") {
    print(nativeLoad64(KERNEL_ADDRESS).toString() + "\n");
  } else {
    eprint("usage: fault [write|read|kernel]\n");
    return 2;
  }
  eprint("fault: still running after the bad access\n");
  return 1;
}
