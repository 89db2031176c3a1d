// Kernel entry: boot/boot.asm calls aot_init, then kmain(magic, mbi).
import { serialInit } from "./drivers/serial";
import { StringBlock } from "./exec/arguments";
import { execProgram } from "./exec/exec";
import { elfSelfTest } from "./exec/selftest";
import { memorySelfTest } from "./memory/selftest";
import { crashTest } from "./panic/crashtest";
import { tapFinish, tapStart } from "./panic/tap";
import { FileTable } from "./fs/file";
import { fsInit } from "./fs/vfs";
import { klog, kprint } from "./log";
import { framesAddRegion, framesInit, freeFrames, FRAME_SIZE } from "./memory/frames";
import { nxActive, pagingInit, VmSpace } from "./memory/paging";
import { BootInfo, commandLineValue, MULTIBOOT_MAGIC, parseMultiboot } from "./multiboot/multiboot";
import { panic, setPanicExitsQemu } from "./panic/panic";
import { createProcess } from "./process/lifecycle";
import { startScheduler } from "./process/sched";
import { KERNEL_NAME, KERNEL_RELEASE } from "./syscall/system";
import { cpuInit, picInit, smapEnabled, smepEnabled, timerInit } from "./trap/cpu";
import { initFpuState } from "./trap/frame";

export { trapHandler } from "./trap/trap";
export { forkReturn } from "./process/sched";
export { aotTrap } from "./panic/panic";

// asc's static data starts here (asconfig.json memoryBase); the initrd
// must end below it, because aot_init zeroes and fills memory from here.
const STATIC_DATA_START: u64 = 16 << 20;
const DEFAULT_INIT = "/bin/init";

export function kmain(magic: u32, mbi: u32): void {
  serialInit();
  if (magic != MULTIBOOT_MAGIC) {
    panic("boot: multiboot magic 0x" + magic.toString(16) + ", expected 0x" + MULTIBOOT_MAGIC.toString(16));
  }
  if (<u64>mbi >= STATIC_DATA_START) {
    panic("boot: multiboot information at 0x" + mbi.toString(16) + " lies in the kernel's static data");
  }
  const info = parseMultiboot(mbi);
  const test = commandLineValue(info.commandLine, "test");
  setPanicExitsQemu(test !== null && test != "0");
  kprint(KERNEL_NAME + " " + KERNEL_RELEASE + " (x86-64)\n");
  klog("boot: command line \"" + info.commandLine + "\"");

  cpuInit();
  memoryInit(info);
  initrdInit(info);
  picInit();
  timerInit();
  klog("boot: NX " + onOff(nxActive()) + ", SMEP " + onOff(smepEnabled()) + ", SMAP " + onOff(smapEnabled()));

  if (commandLineValue(info.commandLine, "selftest") !== null) selfTest();
  const crash = commandLineValue(info.commandLine, "crashtest");
  if (crash !== null) crashTest(crash);
  const initPath = commandLineValue(info.commandLine, "init");
  startInit(initPath !== null ? initPath : DEFAULT_INIT);
  startScheduler();
}

function onOff(enabled: bool): string {
  return enabled ? "on" : "off";
}

function memoryInit(info: BootInfo): void {
  let top: u64 = 0;
  for (let i = 0; i < info.regions.length; i++) {
    const region = info.regions[i];
    if (region.base + region.length > top) top = region.base + region.length;
  }
  framesInit(top);
  for (let i = 0; i < info.regions.length; i++) {
    const region = info.regions[i];
    framesAddRegion(region.base, region.base + region.length);
  }
  if (freeFrames() == 0) panic("memory: no RAM above 48 MiB in the multiboot memory map");
  pagingInit();
  klog("memory: " + ((<u64>freeFrames() * FRAME_SIZE) >> 20).toString() + " MiB in frames above 48 MiB");
}

function initrdInit(info: BootInfo): void {
  if (info.moduleCount == 0) {
    kprint("initrd: none loaded (QEMU -initrd)\n");
    fsInit(0, 0);
    return;
  }
  if (info.initrdEnd > STATIC_DATA_START || info.initrdEnd < info.initrdStart) {
    panic(
      "initrd: module at 0x" + info.initrdStart.toString(16) + "-0x" + info.initrdEnd.toString(16) +
        " ends above 16 MiB, where the kernel's static data starts; use a smaller initrd",
    );
  }
  fsInit(<usize>info.initrdStart, <usize>(info.initrdEnd - info.initrdStart));
}

// Runs the in-kernel self-tests (`selftest=1`); under test a failure ends
// QEMU with a panic.
function selfTest(): void {
  tapStart();
  memorySelfTest();
  elfSelfTest();
  const failures = tapFinish();
  if (failures > 0) panic("selftest: " + failures.toString() + " checks failed");
}

// Creates pid 1 running `path` with fds 0, 1 and 2 on the console.
function startInit(path: string): void {
  const vm = VmSpace.create();
  if (vm === null) panic("init: no frame for its page tables");
  const init = createProcess(0, vm!, FileTable.console());
  const argv = new StringBlock();
  argv.addString(path);
  const envp = new StringBlock();
  envp.addString("PATH=/bin");
  envp.addString("HOME=/");
  const result = execProgram(init, path, argv, envp);
  if (result != 0) panic("init: cannot run " + path + ": errno " + (-result).toString());
  initFpuState(init.fpuState());
  kprint("init: " + path + " started as pid " + init.pid.toString() + "\n");
}
