// Helpers for writing nasm data directives.

// nasm `db` lines for bytes; runs of 32 or more zeros become `times`.
export function bytesToDb(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    let zeros = 0;
    while (i + zeros < bytes.length && bytes[i + zeros] === 0) zeros++;
    if (zeros >= 32) {
      lines.push(`    times ${zeros} db 0`);
      i += zeros;
      continue;
    }
    const chunk: string[] = [];
    while (i < bytes.length && chunk.length < 24) {
      if (bytes[i] === 0) {
        let run = 0;
        while (i + run < bytes.length && bytes[i + run] === 0) run++;
        if (run >= 32) break;
      }
      chunk.push(`0x${bytes[i].toString(16).padStart(2, "0")}`);
      i++;
    }
    if (chunk.length) lines.push(`    db ${chunk.join(",")}`);
  }
  return lines;
}

// A NUL-terminated string as a `db` line.
export function cString(text: string): string {
  const bytes = [...new TextEncoder().encode(text), 0];
  return `    db ${bytes.join(",")}`;
}

// A symbol name for an export name: letters, digits and `_` are kept,
// any other byte becomes `$XX` with its hex value (nasm allows `$` inside
// identifiers).
export function symbolName(name: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(name)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9_]/.test(ch) ? ch : `$${byte.toString(16).padStart(2, "0")}`;
  }
  return out;
}
