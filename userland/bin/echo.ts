// Writes its arguments separated by spaces and ended by a newline; "-n" as
// the first argument leaves the newline out.
import { argv, print } from "../runtime";

export function main(): i32 {
  let args = argv();
  let first = 1;
  let newline = true;
  if (args.length > 1 && args[1] == "-n") {
    newline = false;
    first = 2;
  }
  let out = "";
  for (let i = first; i < args.length; i++) {
    if (i > first) out += " ";
    out += args[i];
  }
  if (newline) out += "\n";
  print(out);
  return 0;
}
