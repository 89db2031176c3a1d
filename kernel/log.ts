// The kernel log: QEMU's debug console (port 0xE9, one byte per outb) and an
// in-memory ring that keeps the most recent LOG_RING_SIZE bytes for a
// future dmesg. Only kprint also writes to the serial console, which test
// suites read. Logging never allocates, so interrupt handlers may log a
// string that already exists.

import { outb } from "../arch/x86_64/intrinsics";
import { COM1, uartWriteString } from "./drivers/uart";
import { codePointAt, utf16Length, utf8Byte, utf8Length } from "./lib/utf8";

// QEMU's ISA debug console ("-debugcon"): each byte written to this port is
// appended to its output.
const DEBUGCON_PORT: u16 = 0xe9;

const LOG_RING_SIZE: u32 = 65536; // a power of two
const logRing: usize = memory.data(<i32>LOG_RING_SIZE);
// Bytes written to the ring since boot.
let logWritten: u64 = 0;

function logByte(byte: u8): void {
  outb(DEBUGCON_PORT, byte);
  store<u8>(logRing + <usize>(logWritten & (LOG_RING_SIZE - 1)), byte);
  logWritten++;
}

function logString(text: string): void {
  for (let i = 0; i < text.length; ) {
    const codePoint = codePointAt(text, i);
    i += utf16Length(codePoint);
    const length = utf8Length(codePoint);
    for (let k = 0; k < length; k++) logByte(utf8Byte(codePoint, length, k));
  }
}

// Appends `msg` to the kernel log as one line: a "\n" is added unless `msg`
// ends with one.
export function klog(msg: string): void {
  logString(msg);
  if (msg.length == 0 || msg.charCodeAt(msg.length - 1) != 0x0a) logByte(0x0a);
}

// Logs `msg` with the prefix "warning: ".
export function klogWarn(msg: string): void {
  logString("warning: ");
  klog(msg);
}

// Logs `msg` with the prefix "error: ".
export function klogError(msg: string): void {
  logString("error: ");
  klog(msg);
}

// Writes `msg` to the console exactly as given (UTF-8, "\n" as "\r\n") and
// logs it as klog does.
export function kprint(msg: string): void {
  uartWriteString(COM1, msg);
  klog(msg);
}

// Copies the most recent log bytes, oldest first, into the kernel buffer
// `dst` and returns how many were copied: at most `len`, at most
// LOG_RING_SIZE, and at most what was logged since boot.
export function logRead(dst: usize, len: usize): usize {
  let available: u64 = min(logWritten, <u64>LOG_RING_SIZE);
  available = min(available, <u64>len);
  let index = logWritten - available;
  for (let i: usize = 0; i < <usize>available; i++) {
    store<u8>(dst + i, load<u8>(logRing + <usize>(index & (LOG_RING_SIZE - 1))));
    index++;
  }
  return <usize>available;
}
