// Power-off and halt.
import { cli, hlt, outw } from "../../arch/x86_64/intrinsics";

// QEMU i440fx: ACPI PM1a control block at 0x604; SLP_TYPa 0 with SLP_EN
// (bit 13) requests the S5 soft-off state (ACPI 6.4, 4.8.3.2.1), and QEMU
// exits with status 0.
const PM1A_CONTROL: u16 = 0x604;
const SLEEP_ENABLE: u16 = 0x2000;

export function powerOff(): void {
  outw(PM1A_CONTROL, SLEEP_ENABLE);
  halt();
}

export function halt(): void {
  cli();
  while (true) hlt();
}
