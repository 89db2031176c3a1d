// UTF-16 to UTF-8 conversion one code point at a time, without allocating,
// so that interrupt handlers and the panic path can write strings to a port.

// Returns the code point that starts at UTF-16 index `index` of `text`. An
// unpaired surrogate becomes U+FFFD.
export function codePointAt(text: string, index: i32): u32 {
  const unit = <u32>text.charCodeAt(index);
  if (unit < 0xd800 || unit > 0xdfff) return unit;
  if (unit <= 0xdbff && index + 1 < text.length) {
    const low = <u32>text.charCodeAt(index + 1);
    if (low >= 0xdc00 && low <= 0xdfff) {
      return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    }
  }
  return 0xfffd;
}

// Returns how many UTF-16 code units `codePoint` took in the string.
export function utf16Length(codePoint: u32): i32 {
  return codePoint >= 0x10000 ? 2 : 1;
}

// Returns how many bytes the UTF-8 encoding of `codePoint` has (RFC 3629).
export function utf8Length(codePoint: u32): i32 {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

// Returns byte `k` (0-based) of the `length`-byte UTF-8 encoding of
// `codePoint` (RFC 3629, section 3).
export function utf8Byte(codePoint: u32, length: i32, k: i32): u8 {
  if (length == 1) return <u8>codePoint;
  const shift = 6 * (length - 1 - k);
  if (k == 0) {
    const leadMarker: u32 = (0xff00 >> length) & 0xff;
    return <u8>(leadMarker | (codePoint >> shift));
  }
  return <u8>(0x80 | ((codePoint >> shift) & 0x3f));
}

// Returns true for a UTF-8 continuation byte (10xxxxxx).
export function isUtf8Continuation(byte: u8): bool {
  return (byte & 0xc0) == 0x80;
}
