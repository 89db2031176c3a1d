// CPU instructions that tools/aot emits inline for imports from module "x86".
// docs/abi.md lists which of them the user target accepts.
// A "wasm address" is an offset into linear memory; the compiler adds the
// memory base. A "native address" is used as it is.

// Port I/O (SDM Vol. 2A "IN", Vol. 2B "OUT").
@external("x86", "inb") export declare function inb(port: u16): u8;
@external("x86", "inw") export declare function inw(port: u16): u16;
@external("x86", "inl") export declare function inl(port: u16): u32;
@external("x86", "outb") export declare function outb(port: u16, value: u8): void;
@external("x86", "outw") export declare function outw(port: u16, value: u16): void;
@external("x86", "outl") export declare function outl(port: u16, value: u32): void;

// Control registers (SDM Vol. 3A 2.5).
@external("x86", "read_cr0") export declare function readCr0(): u64;
@external("x86", "read_cr2") export declare function readCr2(): u64;
@external("x86", "read_cr3") export declare function readCr3(): u64;
@external("x86", "read_cr4") export declare function readCr4(): u64;
@external("x86", "write_cr0") export declare function writeCr0(value: u64): void;
@external("x86", "write_cr3") export declare function writeCr3(value: u64): void;
@external("x86", "write_cr4") export declare function writeCr4(value: u64): void;

// Model-specific registers (SDM Vol. 4).
@external("x86", "rdmsr") export declare function rdmsr(msr: u32): u64;
@external("x86", "wrmsr") export declare function wrmsr(msr: u32, value: u64): void;

@external("x86", "invlpg") export declare function invlpg(va: u64): void;

// Descriptor tables: the argument is the wasm address of the 10-byte
// pseudo-descriptor (u16 limit, u64 base), SDM Vol. 3A 3.5.1.
@external("x86", "lgdt") export declare function lgdt(descriptor: usize): void;
@external("x86", "lidt") export declare function lidt(descriptor: usize): void;
@external("x86", "ltr") export declare function ltr(selector: u16): void;

@external("x86", "cli") export declare function cli(): void;
@external("x86", "sti") export declare function sti(): void;
@external("x86", "hlt") export declare function hlt(): void;
@external("x86", "pause") export declare function pause(): void;
@external("x86", "stac") export declare function stac(): void;
@external("x86", "clac") export declare function clac(): void;
@external("x86", "rdtsc") export declare function rdtsc(): u64;

// Stores eax, ebx, ecx, edx as four u32 at wasm address `out`.
@external("x86", "cpuid") export declare function cpuid(leaf: u32, subleaf: u32, out: usize): void;

@external("x86", "read_rbp") export declare function readRbp(): u64;
@external("x86", "read_rsp") export declare function readRsp(): u64;

// Native address of linear memory byte 0.
@external("x86", "memory_base") export declare function memoryBase(): u64;
// User target: rsp at the last entry (_start or the resident resume point),
// which points at argc of the System V initial stack.
@external("x86", "initial_sp") export declare function initialSp(): u64;

@external("x86", "native_load8") export declare function nativeLoad8(addr: u64): u8;
@external("x86", "native_load64") export declare function nativeLoad64(addr: u64): u64;
@external("x86", "native_store8") export declare function nativeStore8(addr: u64, value: u8): void;
@external("x86", "native_store64") export declare function nativeStore64(addr: u64, value: u64): void;

// Linux system-call instruction: rax = nr, then rdi, rsi, rdx, r10, r8, r9.
@external("x86", "syscall6")
export declare function syscall6(nr: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64, a6: i64): i64;
