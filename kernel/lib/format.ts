// Number formatting for log and console messages. Every function here
// allocates its result, so none of them may run in an interrupt handler.

// Formats `value` as "0x" and lowercase hexadecimal digits, zero-padded to
// at least `width` digits.
export function hex(value: u64, width: i32 = 0): string {
  return "0x" + value.toString(16).padStart(width, "0");
}

// Formats `value` in decimal, left-padded with spaces to `width` characters.
export function decimal(value: u64, width: i32 = 0): string {
  return value.toString(10).padStart(width, " ");
}

// Formats a signed `value` in decimal, left-padded with spaces to `width`
// characters.
export function decimalSigned(value: i64, width: i32 = 0): string {
  return value.toString(10).padStart(width, " ");
}

// Pads `text` on the left with `fill` to `width` characters.
export function padLeft(text: string, width: i32, fill: string = " "): string {
  return text.padStart(width, fill);
}

// Pads `text` on the right with `fill` to `width` characters.
export function padRight(text: string, width: i32, fill: string = " "): string {
  return text.padEnd(width, fill);
}

// Formats a byte count with the largest binary unit that fits, rounded
// down: "512 B", "4 KiB", "48 MiB", "2 GiB".
export function byteSize(bytes: u64): string {
  if (bytes >= <u64>1 << 30) return (bytes >> 30).toString() + " GiB";
  if (bytes >= <u64>1 << 20) return (bytes >> 20).toString() + " MiB";
  if (bytes >= <u64>1 << 10) return (bytes >> 10).toString() + " KiB";
  return bytes.toString() + " B";
}
