// Parser for cpio archives in the "newc" format (cpio(5), "New ASCII
// Format"), which is what the initrd uses. Every header field and bound is
// checked, and the first problem ends parsing with a message, so that the
// caller can skip a malformed archive as a whole.
//
// Each member: a 110-byte header, the NUL-terminated name, padding to a
// multiple of 4, the data, padding to a multiple of 4. The header is the
// magic "070701" ("070702" when c_check contains a checksum) and 13 fields of
// 8 hexadecimal digits:
//
//   offset  6 c_ino       14 c_mode      22 c_uid      30 c_gid
//          38 c_nlink     46 c_mtime     54 c_filesize 62 c_devmajor
//          70 c_devminor  78 c_rdevmajor 86 c_rdevminor 94 c_namesize
//         102 c_check
//
// The member named "TRAILER!!!" ends an archive. Several archives may
// follow one another, separated by zero padding. GNU cpio pads its output
// to 512 bytes, and Linux initramfs accepts such concatenations.

import { S_IFDIR, S_IFMT, S_IFREG } from "./inode";
import { NAME_MAX, PATH_MAX } from "./path";

const HEADER_SIZE: usize = 110;
const FIELD_COUNT: i32 = 13;
const TRAILER_NAME = "TRAILER!!!";

// One archive member. `data` is the kernel address of its content inside
// the archive.
export class CpioEntry {
  name: string = "";
  ino: u32 = 0;
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  nlink: u32 = 0;
  mtime: u32 = 0;
  devMajor: u32 = 0;
  devMinor: u32 = 0;
  data: usize = 0;
  size: u32 = 0;
}

// Members of an archive in order, or the reason it is malformed.
export class CpioArchive {
  entries: Array<CpioEntry> = [];
  // null when the whole archive is well formed.
  error: string | null = null;
}

function align4(value: usize): usize {
  return (value + 3) & ~(<usize>3);
}

function hexDigit(byte: u8): i32 {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x61 + 10;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x41 + 10;
  return -1;
}

// Parses the 8 hexadecimal digits at `address`. Returns -1 if any byte is
// not a hexadecimal digit.
function parseField(address: usize): i64 {
  let value: i64 = 0;
  for (let i: usize = 0; i < 8; i++) {
    const digit = hexDigit(load<u8>(address + i));
    if (digit < 0) return -1;
    value = (value << 4) | digit;
  }
  return value;
}

function hasMagic(address: usize): i32 {
  // "07070" then "1" (no checksum) or "2" (checksum in c_check).
  const prefix = "07070";
  for (let i = 0; i < 5; i++) {
    if (load<u8>(address + <usize>i) != <u8>prefix.charCodeAt(i)) return 0;
  }
  const last = load<u8>(address + 5);
  if (last == 0x31) return 1;
  if (last == 0x32) return 2;
  return 0;
}

function isSupportedType(mode: u32): bool {
  const type = mode & S_IFMT;
  // Every type that cpio(5) can record. The caller decides what to keep.
  return (
    type == S_IFREG ||
    type == S_IFDIR ||
    type == 0o120000 || // symbolic link
    type == 0o020000 || // character device
    type == 0o060000 || // block device
    type == 0o010000 || // FIFO
    type == 0o140000 // socket
  );
}

// Sum of the data bytes, as "070702" archives store it in c_check.
function checksum(data: usize, size: usize): u32 {
  let sum: u32 = 0;
  for (let i: usize = 0; i < size; i++) sum += load<u8>(data + i);
  return sum;
}

// Checks a member's name: relative or absolute, with no ".." component and
// no component longer than NAME_MAX. Returns an error message or null.
function checkName(name: string): string | null {
  const components = name.split("/");
  for (let i = 0; i < components.length; i++) {
    const component = components[i];
    if (component == "..") return "name contains '..'";
    if (String.UTF8.byteLength(component) > NAME_MAX) return "name component longer than 255 bytes";
  }
  return null;
}

function malformed(archive: CpioArchive, offset: usize, reason: string): CpioArchive {
  archive.error = "offset " + offset.toString() + ": " + reason;
  return archive;
}

// Parses the archive of `length` bytes at kernel address `base`.
export function parseCpio(base: usize, length: usize): CpioArchive {
  const archive = new CpioArchive();
  let offset: usize = 0;
  let sawTrailer = false;

  while (offset < length) {
    if (sawTrailer) {
      // Between archives: zero padding, then maybe another archive.
      if (load<u8>(base + offset) == 0) {
        offset++;
        continue;
      }
      if ((offset & 3) != 0) return malformed(archive, offset, "data after the trailer");
      sawTrailer = false;
    }

    if (length - offset < HEADER_SIZE) return malformed(archive, offset, "truncated header");
    const header = base + offset;
    const format = hasMagic(header);
    if (format == 0) return malformed(archive, offset, "bad magic (expected 070701 or 070702)");

    const fields = new StaticArray<u32>(FIELD_COUNT);
    for (let i = 0; i < FIELD_COUNT; i++) {
      const value = parseField(header + 6 + 8 * <usize>i);
      if (value < 0) {
        return malformed(archive, offset, "header field " + i.toString() + " is not 8 hexadecimal digits");
      }
      fields[i] = <u32>value;
    }
    const entry = new CpioEntry();
    entry.ino = fields[0];
    entry.mode = fields[1];
    entry.uid = fields[2];
    entry.gid = fields[3];
    entry.nlink = fields[4];
    entry.mtime = fields[5];
    entry.size = fields[6];
    entry.devMajor = fields[7];
    entry.devMinor = fields[8];
    const nameSize = <usize>fields[11];
    const check = fields[12];

    // c_namesize counts the terminating NUL.
    if (nameSize < 2) return malformed(archive, offset, "empty name");
    if (nameSize > <usize>PATH_MAX) return malformed(archive, offset, "name longer than PATH_MAX");
    const nameStart = offset + HEADER_SIZE;
    if (length - nameStart < nameSize) return malformed(archive, offset, "truncated name");
    for (let i: usize = 0; i < nameSize - 1; i++) {
      if (load<u8>(base + nameStart + i) == 0) return malformed(archive, offset, "NUL inside the name");
    }
    if (load<u8>(base + nameStart + nameSize - 1) != 0) {
      return malformed(archive, offset, "name is not NUL-terminated");
    }
    entry.name = String.UTF8.decodeUnsafe(base + nameStart, nameSize - 1);

    const dataStart = align4(nameStart + nameSize);
    if (dataStart > length) return malformed(archive, offset, "truncated name padding");
    if (<usize>entry.size > length - dataStart) return malformed(archive, offset, "truncated data");
    entry.data = base + dataStart;
    const next = align4(dataStart + <usize>entry.size);

    if (entry.name == TRAILER_NAME) {
      sawTrailer = true;
      offset = min(next, length);
      continue;
    }

    if (format == 1 && check != 0) return malformed(archive, offset, "c_check is not 0 in a 070701 header");
    // GNU cpio 2.13 sums only regular files, and gives a hard link stored
    // without data the sum of the file's data, so only a regular file with
    // data is checked.
    const isRegular = (entry.mode & S_IFMT) == S_IFREG;
    if (format == 2 && isRegular && entry.size > 0 && check != checksum(entry.data, <usize>entry.size)) {
      return malformed(archive, offset, "checksum mismatch");
    }
    if (!isSupportedType(entry.mode)) return malformed(archive, offset, "unknown file type in c_mode");
    if ((entry.mode & S_IFMT) == S_IFDIR && entry.size != 0) {
      return malformed(archive, offset, "directory with data");
    }
    const nameError = checkName(entry.name);
    if (nameError != null) return malformed(archive, offset, nameError);
    if (next > length) return malformed(archive, offset, "truncated data padding");

    archive.entries.push(entry);
    offset = next;
  }

  if (!sawTrailer) return malformed(archive, offset, "missing TRAILER!!! member");
  return archive;
}
