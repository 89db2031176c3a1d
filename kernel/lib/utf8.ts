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

// Returns true when the `len` bytes at wasm address `ptr` are well-formed
// UTF-8 (RFC 3629, section 4): no overlong form, no surrogate, nothing above
// U+10FFFF and no truncated sequence. asc's decoder accepts all of these and
// changes the text, so that an overlong "/" would become a real separator.
export function isValidUtf8(ptr: usize, len: usize): bool {
  let i: usize = 0;
  while (i < len) {
    const lead = <u32>load<u8>(ptr + i);
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: usize;
    let smallest: u32;
    let codePoint: u32;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      smallest = 0x80;
      codePoint = lead & 0x1f;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      smallest = 0x800;
      codePoint = lead & 0x0f;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      smallest = 0x10000;
      codePoint = lead & 0x07;
    } else {
      return false;
    }
    if (len - i < length) return false;
    for (let k: usize = 1; k < length; k++) {
      const byte = load<u8>(ptr + i + k);
      if (!isUtf8Continuation(byte)) return false;
      codePoint = (codePoint << 6) | (<u32>byte & 0x3f);
    }
    if (codePoint < smallest || codePoint > 0x10ffff) return false;
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) return false;
    i += length;
  }
  return true;
}
