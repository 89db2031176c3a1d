// Records of exec_sys_resident_list (system call 1002, docs/abi.md).

import { execSysResidentList } from "./syscall";

//   0 u32 id         4 u32 flags       8 u64 size (bytes of snapshot pages)
//  16 u64 entry     24 u64 exec_count 32 u64 elf_loads
//  40 u64 inode     48 u8 path[80], NUL-padded          128 bytes in all
export const RESIDENT_RECORD_SIZE: i32 = 128;
const PATH_OFFSET: usize = 48;
const PATH_MAX_BYTES: usize = 80;

export class ResidentRecord {
  id: u32 = 0;
  flags: u32 = 0;
  size: u64 = 0;
  entry: u64 = 0;
  execCount: u64 = 0;
  elfLoads: u64 = 0;
  inode: u64 = 0;
  path: string = "";
}

export class ResidentList {
  constructor(public records: ResidentRecord[], public error: i32) {}
}

// Returns every registration, growing the buffer until the list fits.
export function listResidents(): ResidentList {
  let capacity = 32;
  while (true) {
    let buf = new Uint8Array(capacity * RESIDENT_RECORD_SIZE);
    let count = execSysResidentList(buf.dataStart, <usize>buf.length);
    if (count < 0) return new ResidentList([], count);
    if (count < capacity) return new ResidentList(parseRecords(buf, count), 0);
    capacity *= 2;
  }
}

function parseRecords(buf: Uint8Array, count: i32): ResidentRecord[] {
  let records = new Array<ResidentRecord>(0);
  for (let i = 0; i < count; i++) {
    let p = buf.dataStart + <usize>(i * RESIDENT_RECORD_SIZE);
    let r = new ResidentRecord();
    r.id = load<u32>(p, 0);
    r.flags = load<u32>(p, 4);
    r.size = load<u64>(p, 8);
    r.entry = load<u64>(p, 16);
    r.execCount = load<u64>(p, 24);
    r.elfLoads = load<u64>(p, 32);
    r.inode = load<u64>(p, 40);
    let len: usize = 0;
    while (len < PATH_MAX_BYTES && load<u8>(p + PATH_OFFSET + len) != 0) len++;
    r.path = String.UTF8.decodeUnsafe(p + PATH_OFFSET, len, false);
    records.push(r);
  }
  return records;
}
