// Inline code for the imports of module "x86" (docs/abi.md, "Intrinsics").
// Each takes its arguments from frame slots and writes its result to one.
import { UnsupportedError } from "../errors.ts";
import type { FuncType, ValType } from "../decode/types.ts";
import { hex, Trap, type Target } from "./target.ts";
import type { Emitter } from "./numeric.ts";

interface Intrinsic {
  signature: string;
  user: boolean;
  emit(e: Emitter, target: Target, args: string[], result: string): void;
}

const plain = (mnemonic: string, user = false): Intrinsic => ({
  signature: ":",
  user,
  emit: (e) => e.emit(mnemonic),
});

const readCr = (n: number): Intrinsic => ({
  signature: ":I",
  user: false,
  emit: (e, _t, _a, r) => e.emit(`mov rax, cr${n}`, `mov ${r}, rax`),
});

const writeCr = (n: number): Intrinsic => ({
  signature: "I:",
  user: false,
  emit: (e, _t, a) => e.emit(`mov rax, ${a[0]}`, `mov cr${n}, rax`),
});

// Loads the native address of wasm address slot `slot` plus `length` bytes
// into rax, with the user target's bounds check.
function nativeAddress(e: Emitter, target: Target, slot: string, length: number): void {
  e.emit(`mov eax, dword ${slot}`);
  if (target.boundsChecks) {
    e.emit(`lea rcx, [rax+${length}]`, `cmp rcx, [rel aot_memory_bytes]`, `ja ${e.trap(Trap.outOfBoundsMemory)}`);
  }
  e.emit(`mov rcx, ${hex(target.memoryBase)}`, `add rax, rcx`);
}

const intrinsics: Record<string, Intrinsic> = {
  inb: {
    signature: "i:i",
    user: false,
    emit: (e, _t, a, r) => e.emit(`mov edx, ${a[0]}`, `in al, dx`, `movzx eax, al`, `mov ${r}, eax`),
  },
  inw: {
    signature: "i:i",
    user: false,
    emit: (e, _t, a, r) => e.emit(`mov edx, ${a[0]}`, `in ax, dx`, `movzx eax, ax`, `mov ${r}, eax`),
  },
  inl: {
    signature: "i:i",
    user: false,
    emit: (e, _t, a, r) => e.emit(`mov edx, ${a[0]}`, `in eax, dx`, `mov ${r}, eax`),
  },
  outb: {
    signature: "ii:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov edx, ${a[0]}`, `mov eax, ${a[1]}`, `out dx, al`),
  },
  outw: {
    signature: "ii:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov edx, ${a[0]}`, `mov eax, ${a[1]}`, `out dx, ax`),
  },
  outl: {
    signature: "ii:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov edx, ${a[0]}`, `mov eax, ${a[1]}`, `out dx, eax`),
  },
  read_cr0: readCr(0),
  read_cr2: readCr(2),
  read_cr3: readCr(3),
  read_cr4: readCr(4),
  write_cr0: writeCr(0),
  write_cr3: writeCr(3),
  write_cr4: writeCr(4),
  rdmsr: {
    signature: "i:I",
    user: false,
    emit: (e, _t, a, r) => e.emit(`mov ecx, ${a[0]}`, `rdmsr`, `shl rdx, 32`, `or rax, rdx`, `mov ${r}, rax`),
  },
  wrmsr: {
    signature: "iI:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov ecx, ${a[0]}`, `mov rax, ${a[1]}`, `mov rdx, rax`, `shr rdx, 32`, `wrmsr`),
  },
  invlpg: {
    signature: "I:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov rax, ${a[0]}`, `invlpg [rax]`),
  },
  lgdt: {
    signature: "i:",
    user: false,
    emit: (e, t, a) => {
      nativeAddress(e, t, a[0], 10);
      e.emit(`lgdt [rax]`);
    },
  },
  lidt: {
    signature: "i:",
    user: false,
    emit: (e, t, a) => {
      nativeAddress(e, t, a[0], 10);
      e.emit(`lidt [rax]`);
    },
  },
  ltr: {
    signature: "i:",
    user: false,
    emit: (e, _t, a) => e.emit(`mov eax, ${a[0]}`, `ltr ax`),
  },
  cli: plain("cli"),
  sti: plain("sti"),
  hlt: plain("hlt"),
  pause: plain("pause", true),
  stac: plain("stac"),
  clac: plain("clac"),
  rdtsc: {
    signature: ":I",
    user: true,
    emit: (e, _t, _a, r) => e.emit(`rdtsc`, `shl rdx, 32`, `or rax, rdx`, `mov ${r}, rax`),
  },
  cpuid: {
    signature: "iii:",
    user: true,
    emit: (e, t, a) => {
      // CPUID writes rbx, which is callee-saved (SDM Vol. 2A CPUID).
      nativeAddress(e, t, a[2], 16);
      e.emit(`mov r8, rax`, `mov r9, rbx`, `mov eax, ${a[0]}`, `mov ecx, ${a[1]}`, `cpuid`);
      e.emit(`mov [r8], eax`, `mov [r8+4], ebx`, `mov [r8+8], ecx`, `mov [r8+12], edx`, `mov rbx, r9`);
    },
  },
  read_rbp: {
    signature: ":I",
    user: true,
    emit: (e, _t, _a, r) => e.emit(`mov ${r}, rbp`),
  },
  read_rsp: {
    signature: ":I",
    user: true,
    emit: (e, _t, _a, r) => e.emit(`mov ${r}, rsp`),
  },
  memory_base: {
    signature: ":I",
    user: true,
    emit: (e, t, _a, r) => e.emit(`mov rax, ${hex(t.memoryBase)}`, `mov ${r}, rax`),
  },
  initial_sp: {
    signature: ":I",
    user: true,
    emit: (e, _t, _a, r) => e.emit(`mov rax, [rel aot_initial_sp]`, `mov ${r}, rax`),
  },
  native_load8: {
    signature: "I:i",
    user: true,
    emit: (e, _t, a, r) => e.emit(`mov rax, ${a[0]}`, `movzx eax, byte [rax]`, `mov ${r}, eax`),
  },
  native_load64: {
    signature: "I:I",
    user: true,
    emit: (e, _t, a, r) => e.emit(`mov rax, ${a[0]}`, `mov rax, [rax]`, `mov ${r}, rax`),
  },
  native_store8: {
    signature: "Ii:",
    user: true,
    emit: (e, _t, a) => e.emit(`mov rax, ${a[0]}`, `mov ecx, ${a[1]}`, `mov [rax], cl`),
  },
  native_store64: {
    signature: "II:",
    user: true,
    emit: (e, _t, a) => e.emit(`mov rax, ${a[0]}`, `mov rcx, ${a[1]}`, `mov [rax], rcx`),
  },
  syscall6: {
    signature: "IIIIIII:I",
    user: true,
    emit: (e, _t, a, r) => {
      e.emit(`mov rax, ${a[0]}`, `mov rdi, ${a[1]}`, `mov rsi, ${a[2]}`, `mov rdx, ${a[3]}`);
      e.emit(`mov r10, ${a[4]}`, `mov r8, ${a[5]}`, `mov r9, ${a[6]}`, `syscall`, `mov ${r}, rax`);
    },
  },
};

const letters: Record<ValType, string> = {
  i32: "i",
  i64: "I",
  f32: "f",
  f64: "F",
  funcref: "r",
  externref: "e",
};

function signatureText(type: FuncType): string {
  const text = (types: ValType[]) => types.map((t) => letters[t]).join("");
  return `${text(type.params)}:${text(type.results)}`;
}

// Returns the intrinsic for an "x86" import after checking that the target
// allows it and that the declared type matches docs/abi.md.
// `offset` is the import's byte offset, for the error message.
export function lookupIntrinsic(name: string, type: FuncType, target: Target, offset: number): Intrinsic {
  const intrinsic = Object.hasOwn(intrinsics, name) ? intrinsics[name] : undefined;
  if (!intrinsic) throw new UnsupportedError(`unknown intrinsic import x86.${name}`, offset);
  if (!intrinsic.user && target.name === "user") {
    throw new UnsupportedError(`intrinsic x86.${name} is privileged and not available in the user target`, offset);
  }
  if (intrinsic.signature !== signatureText(type)) {
    throw new UnsupportedError(
      `intrinsic x86.${name} has type ${signatureText(type)}, expected ${intrinsic.signature} (letters i=i32 I=i64)`,
      offset,
    );
  }
  return intrinsic;
}
