// Polled output for the panic path: COM1 and the debug console port, with
// no allocation and no dependence on the serial driver's state, so that it
// works when the heap or the driver is broken.
import { inb, nativeLoad8, outb } from "../../arch/x86_64/intrinsics";

const COM1: u16 = 0x3f8;
const LINE_STATUS: u16 = COM1 + 5;
// Line status bit 5: the transmit holding register is empty (16550 data
// sheet, "Line Status Register").
const TRANSMIT_EMPTY: u8 = 0x20;
const DEBUG_CONSOLE: u16 = 0xe9;

export function panicPutc(c: u8): void {
  let spins = 100000;
  while ((inb(LINE_STATUS) & TRANSMIT_EMPTY) == 0 && spins > 0) spins--;
  outb(COM1, c);
  outb(DEBUG_CONSOLE, c);
}

// Writes `text` byte by byte; characters above U+00FF become '?'.
export function panicPuts(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    panicPutc(unit < 0x100 ? <u8>unit : 0x3f);
  }
}

// Writes a NUL-terminated byte string at a native address, at most `max`
// bytes.
export function panicPutsNative(address: u64, max: i32): void {
  for (let i = 0; i < max; i++) {
    const c = nativeLoad8(address + <u64>i);
    if (c == 0) break;
    panicPutc(c);
  }
}

// Writes "0x" and `value` in lowercase hexadecimal, zero-padded to
// `minDigits` digits (16 shows a full 64-bit register).
export function panicPutHex(value: u64, minDigits: i32 = 16): void {
  panicPutc(0x30);
  panicPutc(0x78);
  let digits = 1;
  while (digits < 16 && value >> (<u64>digits * 4) != 0) digits++;
  if (digits < minDigits) digits = minDigits;
  for (let shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    const digit = <u8>((value >> (<u64>shift)) & 0xf);
    panicPutc(digit < 10 ? 0x30 + digit : 0x57 + digit);
  }
}

export function panicPutDec(value: u64): void {
  const digits = memory.data(24);
  let n = 0;
  do {
    store<u8>(digits + n, <u8>(0x30 + value % 10));
    value /= 10;
    n++;
  } while (value != 0);
  while (n > 0) {
    n--;
    panicPutc(load<u8>(digits + n));
  }
}
