// Resident executables, after DragonFly BSD's exec_sys_register(2). The
// initialised user address space of a registered file is kept as a
// snapshot. A later exec of the file starts from a copy of it instead of
// loading the ELF file again.
//
// A registration is keyed by inode and remembers the inode's generation.
// Writing, truncating, renaming or unlinking the file moves the generation
// on, and the registration is dropped at the next exec or listing.
//
// The snapshot shares the registering process's frames copy-on-write, and
// each exec from it shares the snapshot's frames the same way.
// NOTE: the page tables themselves are still copied page by page, so a
// resident exec costs time in proportion to the number of mapped pages.
import { Inode } from "../fs/inode";
import { EEXIST, EFAULT, EINVAL, ENOENT, ENOMEM, EPERM } from "../lib/errno";
import { PAGE_SIZE, USER_END, VmSpace } from "../memory/paging";
import { copyOut } from "../memory/usercopy";
import { currentProcess } from "../process/sched";
import { elfLoadCount } from "../exec/elf";
import { STACK_BOTTOM } from "../exec/layout";

export const RECORD_SIZE: usize = 128;
const RECORD_PATH_SIZE = 80;
const UNREGISTER_SELF: i32 = -1;
const UNREGISTER_ALL: i32 = -2;

export class Registration {
  id: i32;
  inode: Inode;
  generation: u32;
  path: string;
  // Resume address: the user runtime's resume point.
  entry: u64;
  // The user address space at registration, without the stack.
  snapshot: VmSpace;
  snapshotBytes: u64;
  execCount: u64 = 0;
  auxPhdr: u64 = 0;
  auxPhnum: u32 = 0;
  auxEntry: u64 = 0;

  constructor(id: i32, inode: Inode, path: string, entry: u64, snapshot: VmSpace) {
    this.id = id;
    this.inode = inode;
    this.generation = inode.generation;
    this.path = path;
    this.entry = entry;
    this.snapshot = snapshot;
    this.snapshotBytes = snapshot.pageCount() * PAGE_SIZE;
  }
}

const registrations = new Array<Registration>();
let nextId = 1;

function drop(index: i32): void {
  const registration = registrations[index];
  registration.snapshot.destroy();
  registrations.splice(index, 1);
}

// Returns the live registration of `inode`, dropping a stale one.
export function findResident(inode: Inode): Registration | null {
  for (let i = 0; i < registrations.length; i++) {
    const registration = registrations[i];
    if (registration.inode !== inode) continue;
    if (registration.generation != inode.generation) {
      drop(i);
      return null;
    }
    return registration;
  }
  return null;
}

// exec_sys_register(entry), system call 1000.
export function sysExecSysRegister(entry: u64): i64 {
  const p = currentProcess();
  if (p.uid != 0) return -EPERM;
  // A resident exec returns to ring 3 at `entry` through iretq, which
  // faults in ring 0 on real CPUs when the address is not canonical.
  if (entry >= USER_END) return -EINVAL;
  const inode = p.exeInode;
  if (inode === null) return -ENOENT;
  if (findResident(inode) !== null) return -EEXIST;

  const snapshot = VmSpace.create();
  if (snapshot === null) return -ENOMEM;
  if (!p.vm.shareInto(snapshot, 0, STACK_BOTTOM)) {
    snapshot.destroy();
    return -ENOMEM;
  }
  snapshot.brkStart = p.vm.brkStart;
  snapshot.brkEnd = p.vm.brkEnd;
  snapshot.mmapNext = p.vm.mmapNext;
  const registration = new Registration(nextId++, inode, p.exePath, entry, snapshot);
  registration.auxPhdr = p.auxPhdr;
  registration.auxPhnum = p.auxPhnum;
  registration.auxEntry = p.auxEntry;
  registrations.push(registration);
  return registration.id;
}

// exec_sys_unregister(id), system call 1001: id -1 is the caller's own
// file, -2 every registration.
export function sysExecSysUnregister(id: i32): i64 {
  const p = currentProcess();
  if (p.uid != 0) return -EPERM;
  const own = p.exeInode;
  if (id == UNREGISTER_SELF && own === null) return -ENOENT;
  let removed = 0;
  for (let i = registrations.length - 1; i >= 0; i--) {
    const registration = registrations[i];
    let matches: bool;
    if (id == UNREGISTER_ALL) matches = true;
    else if (id == UNREGISTER_SELF) matches = registration.inode === own;
    else matches = registration.id == id;
    if (matches) {
      drop(i);
      removed++;
    }
  }
  return removed > 0 ? 0 : -ENOENT;
}

// exec_sys_resident_list(buf, len), system call 1002. Record (128 bytes,
// little-endian): u32 id, u32 flags, u64 size, u64 entry, u64 exec_count,
// u64 elf_loads, u64 inode, u8 path[80] NUL-padded.
export function sysExecSysResidentList(buf: u64, len: u64): i64 {
  // Drop registrations of files that changed since.
  for (let i = registrations.length - 1; i >= 0; i--) {
    const registration = registrations[i];
    if (registration.generation != registration.inode.generation) drop(i);
  }
  // Compared as u64 before narrowing, so that a huge len cannot wrap to a
  // negative count and a huge allocation.
  let wanted = len / <u64>RECORD_SIZE;
  if (wanted > <u64>registrations.length) wanted = <u64>registrations.length;
  const count = <i32>wanted;
  if (count == 0) return 0;
  const size = <usize>count * RECORD_SIZE;
  const records = heap.alloc(size);
  memory.fill(records, 0, size);
  for (let i = 0; i < count; i++) {
    writeRecord(records + <usize>i * RECORD_SIZE, registrations[i]);
  }
  const copied = copyOut(buf, records, size);
  heap.free(records);
  return copied ? count : -EFAULT;
}

function writeRecord(record: usize, registration: Registration): void {
  store<u32>(record, registration.id);
  store<u32>(record, 0, 4);
  store<u64>(record, registration.snapshotBytes, 8);
  store<u64>(record, registration.entry, 16);
  store<u64>(record, registration.execCount, 24);
  store<u64>(record, elfLoadCount(registration.inode.ino), 32);
  store<u64>(record, registration.inode.ino, 40);
  // Path truncated to 79 bytes so that it stays NUL-terminated.
  const path = String.UTF8.encode(registration.path);
  let length = path.byteLength;
  if (length > RECORD_PATH_SIZE - 1) length = RECORD_PATH_SIZE - 1;
  memory.copy(record + 48, changetype<usize>(path), length);
}
