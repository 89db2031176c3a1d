// 16550 UART register access (National Semiconductor PC16550D datasheet,
// "Register Descriptions"). Output here never allocates, so the kernel log,
// interrupt handlers and the panic path can all use it.

import { inb, outb } from "../../arch/x86_64/intrinsics";
import { codePointAt, utf16Length, utf8Byte, utf8Length } from "../lib/utf8";

// I/O port base of the first PC serial port.
export const COM1: u16 = 0x3f8;

// Register offsets from the base port. With LCR.DLAB set, offsets 0 and 1
// address the divisor latch instead of RBR/THR and IER.
export const UART_RBR: u16 = 0; // receiver buffer (read)
export const UART_THR: u16 = 0; // transmitter holding (write)
export const UART_DLL: u16 = 0; // divisor latch, low byte (DLAB = 1)
export const UART_IER: u16 = 1; // interrupt enable
export const UART_DLM: u16 = 1; // divisor latch, high byte (DLAB = 1)
export const UART_IIR: u16 = 2; // interrupt identification (read)
export const UART_FCR: u16 = 2; // FIFO control (write)
export const UART_LCR: u16 = 3; // line control
export const UART_MCR: u16 = 4; // modem control
export const UART_LSR: u16 = 5; // line status
export const UART_MSR: u16 = 6; // modem status
export const UART_SCR: u16 = 7; // scratch

export const IER_RECEIVED_DATA: u8 = 0x01;
export const FCR_ENABLE: u8 = 0x01;
export const FCR_CLEAR_RECEIVE: u8 = 0x02;
export const FCR_CLEAR_TRANSMIT: u8 = 0x04;
export const LCR_8N1: u8 = 0x03; // 8 data bits, no parity, 1 stop bit
export const LCR_DLAB: u8 = 0x80;
export const MCR_DTR: u8 = 0x01;
export const MCR_RTS: u8 = 0x02;
// On the PC, OUT2 gates the UART's interrupt line to the interrupt
// controller, so no IRQ arrives without it.
export const MCR_OUT2: u8 = 0x08;
export const LSR_DATA_READY: u8 = 0x01;
export const LSR_THR_EMPTY: u8 = 0x20;

// The divisor latch divides the 1.8432 MHz reference clock by 16, so a
// divisor of 1 gives 115200 baud.
export const UART_BASE_BAUD: u32 = 115200;

// Spins of the transmit wait before a byte is written regardless. At
// 115200 baud one byte takes about 87 us, far fewer polls than this.
const TRANSMIT_SPIN_LIMIT: i32 = 100000;

// False once uartProbe found no UART at COM1, so that output does not
// spin on a missing device. Assumed present until probed.
let com1Present: bool = true;

// Checks for a UART at `port` by writing and reading back its scratch
// register. Returns true when the value comes back.
export function uartProbe(port: u16): bool {
  outb(port + UART_SCR, 0xa5);
  const present = inb(port + UART_SCR) == 0xa5;
  if (port == COM1) com1Present = present;
  return present;
}

// Programs `port` for `baud` with 8N1 framing and DTR, RTS and OUT2 set.
// `interrupts` is written to IER last. The FIFOs stay off (16450 mode),
// because changing FCR's enable bit clears the receiver (PC16550D datasheet, FCR
// bit 0), which loses bytes typed before boot. With the FIFO off, QEMU
// keeps further input until the one-byte receiver buffer is read.
export function uartConfigure(port: u16, baud: u32, interrupts: u8): void {
  const divisor = UART_BASE_BAUD / baud;
  outb(port + UART_IER, 0);
  outb(port + UART_LCR, LCR_DLAB);
  outb(port + UART_DLL, <u8>divisor);
  outb(port + UART_DLM, <u8>(divisor >> 8));
  outb(port + UART_LCR, LCR_8N1);
  outb(port + UART_FCR, 0);
  outb(port + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);

  // Reading LSR, IIR and MSR clears any condition left from before.
  inb(port + UART_LSR);
  inb(port + UART_IIR);
  inb(port + UART_MSR);
  outb(port + UART_IER, interrupts);
}

// Returns true when the receiver has at least one byte.
export function uartReceiveReady(port: u16): bool {
  return (inb(port + UART_LSR) & LSR_DATA_READY) != 0;
}

// Reads one received byte. Call only after uartReceiveReady.
export function uartReceive(port: u16): u8 {
  return inb(port + UART_RBR);
}

// Writes one byte, waiting until the transmitter holding register is empty.
export function uartPutc(port: u16, byte: u8): void {
  if (port == COM1 && !com1Present) return;
  for (let spins = 0; spins < TRANSMIT_SPIN_LIMIT; spins++) {
    if ((inb(port + UART_LSR) & LSR_THR_EMPTY) != 0) break;
  }
  outb(port + UART_THR, byte);
}

// Writes `text` as UTF-8 and turns each "\n" into "\r\n" for the terminal.
export function uartWriteString(port: u16, text: string): void {
  for (let i = 0; i < text.length; ) {
    const codePoint = codePointAt(text, i);
    i += utf16Length(codePoint);
    if (codePoint == 0x0a) uartPutc(port, 0x0d);
    const length = utf8Length(codePoint);
    for (let k = 0; k < length; k++) {
      uartPutc(port, utf8Byte(codePoint, length, k));
    }
  }
}
