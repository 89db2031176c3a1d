// The console: a 16550 UART on COM1 at 115200 baud, 8N1, with interrupt-
// driven input (IRQ 4) fed to the tty line discipline.

import { wakeup } from "../process/sched";
import { ttyChannel, ttyReceive } from "./tty";
import {
  COM1,
  IER_RECEIVED_DATA,
  uartConfigure,
  uartProbe,
  uartPutc,
  uartReceive,
  uartReceiveReady,
  uartWriteString,
} from "./uart";

const CONSOLE_BAUD: u32 = 115200;

// Upper bound on bytes taken per interrupt, so a stuck data-ready bit
// cannot hang the handler. The 16550 receive FIFO has 16 bytes.
const MAX_BYTES_PER_IRQ: i32 = 256;

// Programs COM1 and enables its received-data interrupt. The caller unmasks
// IRQ 4 at the interrupt controller.
export function serialInit(): void {
  if (!uartProbe(COM1)) return;
  uartConfigure(COM1, CONSOLE_BAUD, IER_RECEIVED_DATA);
}

// Writes one byte to the console as it is.
export function serialPutc(c: u8): void {
  uartPutc(COM1, c);
}

// Writes `s` to the console as UTF-8, with "\n" sent as "\r\n".
export function serialWrite(s: string): void {
  uartWriteString(COM1, s);
}

// Drains the receive FIFO into the tty and wakes readers when a line is
// complete. The IRQ 4 handler calls it and sends the end of interrupt. It
// does not allocate.
export function serialIrq(): void {
  let lineCompleted = false;
  for (let i = 0; i < MAX_BYTES_PER_IRQ && uartReceiveReady(COM1); i++) {
    if (ttyReceive(uartReceive(COM1))) lineCompleted = true;
  }
  if (lineCompleted) wakeup(ttyChannel());
}
