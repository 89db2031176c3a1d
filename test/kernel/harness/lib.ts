// WebAssembly entry for test/kernel/lib.test.ts: the formatting helpers,
// the UTF-8 encoder and the kernel log ring. Strings go out as UTF-8 at
// `scratch`, and results return their byte length.

import { byteSize, decimal, decimalSigned, hex, padLeft, padRight } from "../../../kernel/lib/format";
import { codePointAt, utf16Length, utf8Byte, utf8Length } from "../../../kernel/lib/utf8";
import { klog, klogError, klogWarn, logRead } from "../../../kernel/log";

const SCRATCH_SIZE: i32 = 1 << 18;
const scratchArea = memory.data(SCRATCH_SIZE, 16);

export function scratch(): usize {
  return scratchArea;
}

function output(text: string): i32 {
  return <i32>String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, scratchArea);
}

function input(length: usize): string {
  return String.UTF8.decodeUnsafe(scratchArea, length);
}

export function formatHex(value: u64, width: i32): i32 {
  return output(hex(value, width));
}

export function formatDecimal(value: u64, width: i32): i32 {
  return output(decimal(value, width));
}

export function formatDecimalSigned(value: i64, width: i32): i32 {
  return output(decimalSigned(value, width));
}

export function formatPadded(length: usize, width: i32, right: bool): i32 {
  const text = input(length);
  return output(right ? padRight(text, width, ".") : padLeft(text, width, "."));
}

export function formatByteSize(bytes: u64): i32 {
  return output(byteSize(bytes));
}

// Encodes the string (given as UTF-16 code units at scratch) with the
// kernel's encoder and writes the UTF-8 bytes back to scratch.
export function encodeUtf16(units: i32): i32 {
  const text = String.UTF16.decodeUnsafe(scratchArea, <usize>units << 1);
  let written = 0;
  for (let i = 0; i < text.length; ) {
    const codePoint = codePointAt(text, i);
    i += utf16Length(codePoint);
    const length = utf8Length(codePoint);
    for (let k = 0; k < length; k++) store<u8>(scratchArea + written++, utf8Byte(codePoint, length, k));
  }
  return written;
}

// Logs the UTF-8 message at scratch with the level 0 (info), 1 (warning)
// or 2 (error).
export function log(length: usize, level: i32): void {
  const text = input(length);
  if (level == 1) klogWarn(text);
  else if (level == 2) klogError(text);
  else klog(text);
}

export function readLog(max: usize): usize {
  return logRead(scratchArea, min(max, <usize>SCRATCH_SIZE));
}
