// Prints its arguments and environment, one per line.
import { argv, envp, print } from "../runtime";

export function main(): i32 {
  let args = argv();
  for (let i = 0; i < args.length; i++) {
    print("argv[" + i.toString() + "] = " + args[i] + "\n");
  }
  let env = envp();
  for (let i = 0; i < env.length; i++) {
    print("envp[" + i.toString() + "] = " + env[i] + "\n");
  }
  return 0;
}
