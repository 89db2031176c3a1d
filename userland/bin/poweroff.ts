// Powers the machine off through reboot(2) with LINUX_REBOOT_CMD_POWER_OFF.
import { argv, eprint, reboot, strerror, LINUX_REBOOT_CMD_POWER_OFF } from "../runtime";

const USAGE = "usage: poweroff\n";

export function main(): i32 {
  // Any argument is a mistake, so reject it before the machine goes down.
  let args = argv();
  if (args.length > 1) {
    let arg = args[1];
    if (arg.length > 1 && arg.startsWith("-")) {
      eprint("poweroff: invalid option -- '" + arg.charAt(1) + "'\n" + USAGE);
    } else {
      eprint("poweroff: unexpected argument '" + arg + "'\n" + USAGE);
    }
    return 1;
  }
  let result = reboot(LINUX_REBOOT_CMD_POWER_OFF);
  eprint("poweroff: " + strerror(result) + "\n");
  return 1;
}
