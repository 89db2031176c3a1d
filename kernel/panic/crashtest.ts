// Deliberate kernel faults for the tests of the panic path, chosen with
// `crashtest=KIND` on the command line:
//   page-fault   a ring-0 read of an unmapped address (vector 14)
//   unreachable  a WebAssembly trap in kernel code (reported through aot_trap)
//   abort        a failed assertion (asc's abort)
import { nativeLoad64 } from "../../arch/x86_64/intrinsics";
import { klog } from "../log";

// The lower half is unmapped in the kernel's own page tables once boot has
// dropped the identity map, so this address faults with CR2 = its value.
const UNMAPPED_ADDRESS: u64 = 0x1000;

export function crashTest(kind: string): void {
  klog("crashtest: " + kind);
  if (kind == "page-fault") {
    const value = nativeLoad64(UNMAPPED_ADDRESS);
    klog("crashtest: read 0x" + value.toString(16) + " from an unmapped address");
  } else if (kind == "unreachable") {
    unreachable();
  } else if (kind == "abort") {
    assert(kind.length == 0, "crashtest: assertion failed on purpose");
  }
  klog("crashtest: unknown kind \"" + kind + "\"; expected page-fault, unreachable or abort");
}
