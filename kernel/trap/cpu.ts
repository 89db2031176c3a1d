// CPU set-up: descriptor tables, syscall MSRs, NX/SMEP/SMAP, the 8259 PICs
// and the 8254 timer.
import {
  cpuid,
  inb,
  outb,
  rdmsr,
  readCr4,
  wrmsr,
  writeCr4,
} from "../../arch/x86_64/intrinsics";

@external("arch", "load_gdt")
declare function archLoadGdt(): void;
@external("arch", "load_idt")
declare function archLoadIdt(): void;
@external("arch", "syscall_entry_address")
declare function archSyscallEntryAddress(): u64;

// MSRs (SDM Vol. 4, table 2-2).
const EFER: u32 = 0xc0000080;
const STAR: u32 = 0xc0000081;
const LSTAR: u32 = 0xc0000082;
const SFMASK: u32 = 0xc0000084;
const EFER_SCE: u64 = 1 << 0;
const EFER_NXE: u64 = 1 << 11;

// rflags bits that syscall clears: TF (8), IF (9), DF (10), NT (14), AC
// (18). A user may set NT with popfq, and iretq with NT set faults in
// 64-bit mode (SDM Vol. 2A, IRET), so NT must not reach the kernel.
const SYSCALL_RFLAGS_MASK: u64 = (1 << 8) | (1 << 9) | (1 << 10) | (1 << 14) | (1 << 18);

const CR4_SMEP: u64 = 1 << 20;
const CR4_SMAP: u64 = 1 << 21;

// 8259A ports and the vectors its IRQs land on (remapped past the 32
// exception vectors).
const PIC1_COMMAND: u16 = 0x20;
const PIC1_DATA: u16 = 0x21;
const PIC2_COMMAND: u16 = 0xa0;
const PIC2_DATA: u16 = 0xa1;
export const IRQ_BASE: u32 = 32;
export const IRQ_TIMER: u32 = 0;
export const IRQ_COM1: u32 = 4;
const PIC_EOI: u8 = 0x20;

// 8254 PIT: input clock 1193182 Hz, channel 0 in mode 3 (square wave).
const PIT_FREQUENCY: u32 = 1193182;
export const TIMER_HZ: u32 = 100;

let smepOn = false;
let smapOn = false;

export function smepEnabled(): bool {
  return smepOn;
}

export function smapEnabled(): bool {
  return smapOn;
}

// Returns register `index` (0 eax, 1 ebx, 2 ecx, 3 edx) of CPUID leaf
// `leaf`, subleaf `subleaf`.
function cpuidRegister(leaf: u32, subleaf: u32, index: u32): u32 {
  const out = memory.data(16);
  cpuid(leaf, subleaf, out);
  return load<u32>(out + index * 4);
}

export function cpuInit(): void {
  archLoadGdt();
  archLoadIdt();

  // syscall/sysret (SDM Vol. 3A 5.8.8): STAR[47:32] kernel CS, STAR[63:48]
  // base of the user selectors (arch/x86_64/gdt.asm).
  let efer = rdmsr(EFER) | EFER_SCE;
  // CPUID 0x80000001 EDX bit 20: NX (the boot code set NXE already when
  // present; this keeps it on).
  if ((cpuidRegister(0x80000001, 0, 3) & (1 << 20)) != 0) efer |= EFER_NXE;
  wrmsr(EFER, efer);
  wrmsr(STAR, (<u64>0x10 << 48) | (<u64>0x08 << 32));
  wrmsr(LSTAR, archSyscallEntryAddress());
  wrmsr(SFMASK, SYSCALL_RFLAGS_MASK);

  // CPUID leaf 7 EBX bit 7: SMEP, bit 20: SMAP (SDM Vol. 3A 5.6).
  const features = cpuidRegister(7, 0, 1);
  let cr4 = readCr4();
  if ((features & (1 << 7)) != 0) {
    cr4 |= CR4_SMEP;
    smepOn = true;
  }
  if ((features & (1 << 20)) != 0) {
    cr4 |= CR4_SMAP;
    smapOn = true;
  }
  writeCr4(cr4);
}

// Remaps the PICs to vectors 32-47 and unmasks the timer, the cascade and
// COM1 (8259A data sheet, ICW1-ICW4).
export function picInit(): void {
  outb(PIC1_COMMAND, 0x11); // ICW1: edge triggered, cascade, ICW4 follows
  outb(PIC2_COMMAND, 0x11);
  outb(PIC1_DATA, <u8>IRQ_BASE); // ICW2: vector base
  outb(PIC2_DATA, <u8>(IRQ_BASE + 8));
  outb(PIC1_DATA, 0x04); // ICW3: slave on IRQ 2
  outb(PIC2_DATA, 0x02); // ICW3: slave identity 2
  outb(PIC1_DATA, 0x01); // ICW4: 8086 mode
  outb(PIC2_DATA, 0x01);
  const enabled = (1 << IRQ_TIMER) | (1 << 2) | (1 << IRQ_COM1);
  outb(PIC1_DATA, <u8>~enabled);
  outb(PIC2_DATA, 0xff);
}

export function picEndOfInterrupt(irq: u32): void {
  if (irq >= 8) outb(PIC2_COMMAND, PIC_EOI);
  outb(PIC1_COMMAND, PIC_EOI);
}

// Returns true when `irq` (7 or 15) is a real interrupt, false when it is
// spurious: its bit is clear in the in-service register (OCW3 0x0B).
export function picIrqInService(irq: u32): bool {
  const port = irq >= 8 ? PIC2_COMMAND : PIC1_COMMAND;
  outb(port, 0x0b);
  return ((<u32>inb(port) >> (irq & 7)) & 1) != 0;
}

// Programs PIT channel 0 to interrupt TIMER_HZ times a second.
export function timerInit(): void {
  const divisor = PIT_FREQUENCY / TIMER_HZ;
  outb(0x43, 0x36); // channel 0, low then high byte, mode 3, binary
  outb(0x40, <u8>(divisor & 0xff));
  outb(0x40, <u8>(divisor >> 8));
}
