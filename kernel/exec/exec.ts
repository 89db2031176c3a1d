// execve: replace the current process's program.
//
// Phases:
//   1. Copy path, argv and envp from the old address space.
//   2. Look the file up and check execute permission.
//   3. Build the new address space from a resident snapshot when the file
//      has one, else by loading the ELF file.
//   4. Build the initial stack.
//   5. Drop the old address space and point the trap frame at the entry.
// A failure before phase 5 leaves the process as it was.
import { Inode } from "../fs/inode";
import { MAY_EXECUTE, permits } from "../fs/permission";
import { copyUserPath, pathError } from "../fs/syscalls";
import { resolve } from "../fs/vfs";
import { EACCES, ENOMEM } from "../lib/errno";
import { PAGE_SIZE, USER_END, VmSpace } from "../memory/paging";
import { klog } from "../log";
import { Process } from "../process/process";
import { currentProcess, MSR_FS_BASE } from "../process/sched";
import { wrmsr } from "../../arch/x86_64/intrinsics";
import { findResident, Registration } from "../resident/resident";
import { initFpuState, resetUserFrame, TrapFrame } from "../trap/frame";
import { argumentError, copyStrings, StringBlock } from "./arguments";
import { elfError, loadElf } from "./elf";
import { ARGUMENT_AREA_MAX } from "./layout";
import { AuxInfo, buildInitialStack, stackError } from "./stack";

// Processes have no group id yet; exec checks permissions with gid 0.
const PROCESS_GID: u32 = 0;

export function sysExecve(pathVa: u64, argvVa: u64, envpVa: u64): i64 {
  const p = currentProcess();
  const path = copyUserPath(pathVa);
  if (path === null) return -pathError;
  const argv = new StringBlock();
  if (!copyStrings(p.vm, argvVa, argv, <i32>ARGUMENT_AREA_MAX)) return argumentError;
  const envp = new StringBlock();
  if (!copyStrings(p.vm, envpVa, envp, <i32>ARGUMENT_AREA_MAX - argv.size)) return argumentError;
  return execProgram(p, path, argv, envp);
}

// Runs `path` in process `p`, whose trap frame returns to the new program.
// Returns 0 or a negative errno.
export function execProgram(p: Process, path: string, argv: StringBlock, envp: StringBlock): i64 {
  const lookup = resolve(path, p.cwd, p.uid, PROCESS_GID);
  if (lookup.error != 0) return -lookup.error;
  const inode = lookup.inode!;
  if (!inode.isRegular() || !permits(inode, p.uid, PROCESS_GID, MAY_EXECUTE)) return -EACCES;

  const vm = VmSpace.create();
  if (vm === null) return -ENOMEM;
  const aux = new AuxInfo();
  aux.uid = p.uid;
  let entry: u64;
  const resident = findResident(inode);
  if (resident !== null) {
    if (!fromSnapshot(resident, vm, aux)) {
      vm.destroy();
      return -ENOMEM;
    }
    entry = resident.entry;
  } else {
    const image = loadElf(inode, vm);
    if (image === null) {
      vm.destroy();
      return elfError;
    }
    entry = image.entry;
    aux.phdr = image.phdr;
    aux.phnum = image.phnum;
    aux.entry = image.entry;
    const pageMask = PAGE_SIZE - 1;
    vm.brkStart = (image.end + pageMask) & ~pageMask;
    vm.brkEnd = vm.brkStart;
  }

  const sp = buildInitialStack(vm, argv, envp, aux);
  if (sp == 0) {
    vm.destroy();
    return stackError;
  }

  commit(p, vm, inode, absolutePath(path, p.cwd), aux);
  klog("exec: pid " + p.pid.toString() + " runs " + p.exePath + (resident !== null ? " from its resident snapshot" : ""));
  resetUserFrame(changetype<TrapFrame>(p.trapFrame()), entry, sp);
  initFpuState(p.fpuState());
  return 0;
}

// Copies the resident snapshot into `vm` and counts the exec.
function fromSnapshot(resident: Registration, vm: VmSpace, aux: AuxInfo): bool {
  if (!resident.snapshot.shareInto(vm, 0, USER_END)) return false;
  vm.brkStart = resident.snapshot.brkStart;
  vm.brkEnd = resident.snapshot.brkEnd;
  vm.mmapNext = resident.snapshot.mmapNext;
  aux.phdr = resident.auxPhdr;
  aux.phnum = resident.auxPhnum;
  aux.entry = resident.auxEntry;
  resident.execCount++;
  return true;
}

// Switches `p` to its new address space and program identity.
function commit(p: Process, vm: VmSpace, inode: Inode, path: string, aux: AuxInfo): void {
  const old = p.vm;
  p.vm = vm;
  vm.activate();
  old.destroy();
  p.exeInode = inode;
  p.exePath = path;
  p.auxPhdr = aux.phdr;
  p.auxPhnum = aux.phnum;
  p.auxEntry = aux.entry;
  p.files.closeOnExec();
  p.fsBase = 0;
  wrmsr(MSR_FS_BASE, 0);
}

function absolutePath(path: string, cwd: string): string {
  if (path.startsWith("/")) return path;
  return cwd.endsWith("/") ? cwd + path : cwd + "/" + path;
}
