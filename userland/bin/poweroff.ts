// Powers the machine off through reboot(2) with LINUX_REBOOT_CMD_POWER_OFF.
import { eprint, reboot, strerror, LINUX_REBOOT_CMD_POWER_OFF } from "../runtime";

export function main(): i32 {
  let result = reboot(LINUX_REBOOT_CMD_POWER_OFF);
  eprint("poweroff: " + strerror(result) + "\n");
  return 1;
}
