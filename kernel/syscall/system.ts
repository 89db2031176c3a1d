// uname and reboot.
import { EFAULT, EINVAL, EPERM } from "../lib/errno";
import { copyOut } from "../memory/usercopy";
import { halt, powerOff } from "../power/power";
import { currentProcess } from "../process/sched";

// struct utsname: six fields of 65 bytes (Linux include/uapi/linux/utsname.h).
const UTSNAME_FIELD = 65;
const UTSNAME_SIZE = 6 * UTSNAME_FIELD;

export const KERNEL_NAME = "askernel";
export const KERNEL_RELEASE = "0.1.0";

// reboot(2) magic numbers and commands (Linux include/uapi/linux/reboot.h).
const REBOOT_MAGIC1: u32 = 0xfee1dead;
const REBOOT_MAGIC2: u32 = 672274793;
const REBOOT_MAGIC2A: u32 = 85072278;
const REBOOT_MAGIC2B: u32 = 369367448;
const REBOOT_MAGIC2C: u32 = 537993216;
const REBOOT_CMD_POWER_OFF: u32 = 0x4321fedc;
const REBOOT_CMD_HALT: u32 = 0xcdef0123;

function putField(buffer: usize, index: i32, text: string): void {
  const bytes = String.UTF8.encode(text);
  let length = bytes.byteLength;
  if (length > UTSNAME_FIELD - 1) length = UTSNAME_FIELD - 1;
  memory.copy(buffer + index * UTSNAME_FIELD, changetype<usize>(bytes), length);
}

export function sysUname(buf: u64): i64 {
  const buffer = heap.alloc(UTSNAME_SIZE);
  memory.fill(buffer, 0, UTSNAME_SIZE);
  putField(buffer, 0, KERNEL_NAME);
  putField(buffer, 1, "localhost");
  putField(buffer, 2, KERNEL_RELEASE);
  putField(buffer, 3, "#1");
  putField(buffer, 4, "x86_64");
  putField(buffer, 5, "(none)");
  const copied = copyOut(buf, buffer, UTSNAME_SIZE);
  heap.free(buffer);
  return copied ? 0 : -EFAULT;
}

export function sysReboot(magic1: u32, magic2: u32, command: u32): i64 {
  if (currentProcess().uid != 0) return -EPERM;
  if (magic1 != REBOOT_MAGIC1) return -EINVAL;
  if (
    magic2 != REBOOT_MAGIC2 &&
    magic2 != REBOOT_MAGIC2A &&
    magic2 != REBOOT_MAGIC2B &&
    magic2 != REBOOT_MAGIC2C
  ) {
    return -EINVAL;
  }
  if (command == REBOOT_CMD_POWER_OFF) powerOff();
  if (command == REBOOT_CMD_HALT) halt();
  return -EINVAL;
}
