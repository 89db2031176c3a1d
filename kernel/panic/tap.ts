// TAP (Test Anything Protocol, version 13) output of the in-kernel
// self-tests, on the console.
import { kprint } from "../log";

let testNumber = 0;
let failures = 0;

export function tapStart(): void {
  testNumber = 0;
  failures = 0;
  kprint("TAP version 13\n");
}

// Reports one check; `detail` is shown only for a failure.
export function tapCheck(ok: bool, name: string, detail: string = ""): void {
  testNumber++;
  if (!ok) failures++;
  let line = (ok ? "ok " : "not ok ") + testNumber.toString() + " - " + name;
  if (!ok && detail.length > 0) line += " (" + detail + ")";
  kprint(line + "\n");
}

// Prints the plan line and returns the number of failed checks.
export function tapFinish(): i32 {
  kprint("1.." + testNumber.toString() + "\n");
  return failures;
}
