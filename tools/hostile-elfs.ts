// Hand-built ELF files for the hostile-program tests (test/qemu/hostile*.test.ts):
// tiny static x86-64 executables whose code is a few machine instructions,
// and malformed variants of one of them. The initrd carries them as
// tests/raw/NAME and tests/elf/NAME.
//
// Layout of every valid file: the ELF header (64 bytes), the program
// headers (56 bytes each), then the code. One PT_LOAD segment maps the
// whole file at LOAD_ADDRESS, readable and executable, so the code may
// also hold its own data.

const LOAD_ADDRESS = 0x400000n;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_NOTE = 4;
const PF_X = 1;
const PF_R = 4;

export interface ProgramHeader {
  type: number;
  flags: number;
  offset: bigint;
  vaddr: bigint;
  filesz: bigint;
  memsz: bigint;
}

// Fields of an executable before serialisation; `withCode` fills them in
// for a valid file and the malformed variants change some of them.
export interface ElfFields {
  ident: number[]; // e_ident[0..7]
  type: number;
  machine: number;
  version: number;
  entry: bigint;
  phoff: bigint;
  phentsize: number;
  phnum: number;
  headers: ProgramHeader[];
  code: Buffer;
  // Cut the file to this many bytes; undefined keeps it whole.
  truncateTo?: number;
}

// Returns the fields of a valid executable that runs `code` at its entry.
export function withCode(code: Buffer, headerCount = 1): ElfFields {
  const codeOffset = ELF_HEADER_SIZE + headerCount * PROGRAM_HEADER_SIZE;
  const size = BigInt(codeOffset + code.length);
  const headers: ProgramHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    headers.push({ type: PT_LOAD, flags: PF_R | PF_X, offset: 0n, vaddr: LOAD_ADDRESS, filesz: size, memsz: size });
  }
  return {
    ident: [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0],
    type: 2, // ET_EXEC
    machine: 62, // EM_X86_64
    version: 1,
    entry: LOAD_ADDRESS + BigInt(codeOffset),
    phoff: BigInt(ELF_HEADER_SIZE),
    phentsize: PROGRAM_HEADER_SIZE,
    phnum: headerCount,
    headers,
    code,
  };
}

export function serialise(fields: ElfFields): Buffer {
  const header = Buffer.alloc(ELF_HEADER_SIZE);
  Buffer.from(fields.ident).copy(header, 0);
  header.writeUInt16LE(fields.type, 16);
  header.writeUInt16LE(fields.machine, 18);
  header.writeUInt32LE(fields.version, 20);
  header.writeBigUInt64LE(fields.entry, 24);
  header.writeBigUInt64LE(fields.phoff, 32);
  header.writeUInt16LE(ELF_HEADER_SIZE, 52);
  header.writeUInt16LE(fields.phentsize, 54);
  header.writeUInt16LE(fields.phnum, 56);
  const table = Buffer.alloc(fields.headers.length * PROGRAM_HEADER_SIZE);
  fields.headers.forEach((h, i) => {
    const at = i * PROGRAM_HEADER_SIZE;
    table.writeUInt32LE(h.type, at);
    table.writeUInt32LE(h.flags, at + 4);
    table.writeBigUInt64LE(h.offset, at + 8);
    table.writeBigUInt64LE(h.vaddr, at + 16);
    table.writeBigUInt64LE(h.vaddr, at + 24);
    table.writeBigUInt64LE(h.filesz, at + 32);
    table.writeBigUInt64LE(h.memsz, at + 40);
    table.writeBigUInt64LE(0x1000n, at + 48);
  });
  const file = Buffer.concat([header, table, fields.code]);
  return fields.truncateTo === undefined ? file : file.subarray(0, fields.truncateTo);
}

// Machine code fragments (Intel SDM Vol. 2 encodings).
const EXIT_0 = [0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05]; // mov eax, 60; xor edi, edi; syscall
const GETPID = [0xb8, 39, 0, 0, 0, 0x0f, 0x05]; // mov eax, 39; syscall

function movRaxImm64(value: bigint): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return [0x48, 0xb8, ...bytes];
}

function movRspImm64(value: bigint): number[] {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return [0x48, 0xbc, ...bytes];
}

const code = (...parts: number[][]) => Buffer.from(parts.flat());

// Programs that run a few instructions. Each fault case must kill only
// its own process; the others must exit with status 0.
export function rawPrograms(): Map<string, Buffer> {
  const programs = new Map<string, Buffer>([
    ["exit0", code(EXIT_0)],
    ["ud2", code([0x0f, 0x0b])],
    ["int3", code([0xcc])],
    ["int80", code([0xcd, 0x80])],
    ["hlt", code([0xf4])],
    ["cli", code([0xfa])],
    ["inb", code([0xec])], // in al, dx
    // xor eax, eax; xor ecx, ecx; xor edx, edx; div ecx
    ["divide", code([0x31, 0xc0, 0x31, 0xc9, 0x31, 0xd2, 0xf7, 0xf1])],
    // mov rax, 0x8000000000000000 (rax = INT64_MIN); cqo; mov rcx, -1; idiv rcx
    ["idiv-overflow", code(movRaxImm64(0x8000000000000000n), [0x48, 0x99, 0x48, 0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff, 0x48, 0xf7, 0xf9])],
    ["jump-noncanonical", code(movRaxImm64(0x0000800000000000n), [0xff, 0xe0])], // jmp rax
    ["jump-kernel", code(movRaxImm64(0xffff800000100000n), [0xff, 0xe0])],
    ["read-kernel", code(movRaxImm64(0xffff800000100000n), [0x48, 0x8b, 0x00])], // mov rax, [rax]
    ["read-noncanonical", code(movRaxImm64(0x0000800000000000n), [0x48, 0x8b, 0x00])],
    // mov byte [rip + 0], 0x90: writes to the next instruction's read-only page.
    ["write-code", code([0xc6, 0x05, 0, 0, 0, 0, 0x90], EXIT_0)],
    ["exec-stack", code([0xff, 0xe4])], // jmp rsp: the stack is NX
    ["stack-overflow", code([0xe8, 0xfb, 0xff, 0xff, 0xff])], // call $ forever
    // and rsp, -16; sub rsp, 8; movaps [rsp], xmm0: a misaligned 16-byte store.
    ["movaps-misaligned", code([0x48, 0x83, 0xe4, 0xf0, 0x48, 0x83, 0xec, 0x08, 0x0f, 0x29, 0x04, 0x24])],
    ["load-kernel-ds", code([0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8])], // mov ax, 0x10; mov ds, ax
    ["iretq", code([0x48, 0xcf])],
    // pushfq; or qword [rsp], 0x100 (TF); popfq; nop: a debug trap in ring 3.
    ["single-step", code([0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x90], EXIT_0)],
    // pushfq; or qword [rsp], 0x4000 (NT); popfq; getpid; exit(0). The
    // kernel must not return from the system call with NT set, because
    // iretq with NT set faults in 64-bit mode (SDM Vol. 2A, IRET).
    ["nested-task-syscall", code([0x9c, 0x48, 0x81, 0x0c, 0x24, 0x00, 0x40, 0x00, 0x00, 0x9d], GETPID, EXIT_0)],
    // push 0; ldmxcsr [rsp]: unmask every SSE exception, then system calls.
    ["mxcsr-syscall", code([0x6a, 0x00, 0x0f, 0xae, 0x14, 0x24], GETPID, EXIT_0)],
    // A system call with a non-canonical rsp, then push: the fault comes in
    // ring 3 after the return.
    ["noncanonical-rsp-syscall", code(movRspImm64(0x8000000000000000n), GETPID, [0x50])],
    // rax = 0x7fffffff (the largest number the dispatcher switches on),
    // then -1, then exit(0).
    ["unknown-syscalls", code([0xb8, 0xff, 0xff, 0xff, 0x7f, 0x0f, 0x05, 0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x05], EXIT_0)],
  ]);
  const files = new Map<string, Buffer>();
  for (const [name, bytes] of programs) files.set(name, serialise(withCode(bytes)));
  return files;
}

// Malformed or unusual variants of the exit0 program. The tests expect
// each to fail with ENOEXEC unless its name says otherwise.
export function malformedVariants(): Map<string, Buffer> {
  const variants = new Map<string, Buffer>();
  const add = (name: string, change: (fields: ElfFields) => void, headerCount = 1) => {
    const fields = withCode(Buffer.from(EXIT_0), headerCount);
    change(fields);
    variants.set(name, serialise(fields));
  };
  const whole = serialise(withCode(Buffer.from(EXIT_0))).length;
  for (const size of [0, 1, 4, 16, 63, 64, 65, 119, 120, whole - 1]) {
    add(`truncated-${size}`, (f) => (f.truncateTo = size));
  }
  add("bad-magic", (f) => (f.ident[1] = 0x58));
  add("class32", (f) => (f.ident[4] = 1));
  add("big-endian", (f) => (f.ident[5] = 2));
  add("version0", (f) => (f.ident[6] = 0));
  add("type-rel", (f) => (f.type = 1));
  add("type-dyn", (f) => (f.type = 3));
  add("type-core", (f) => (f.type = 4));
  add("machine-i386", (f) => (f.machine = 3));
  add("phentsize0", (f) => (f.phentsize = 0));
  add("phentsize32", (f) => (f.phentsize = 32));
  add("phnum0", (f) => (f.phnum = 0));
  add("phnum65535", (f) => (f.phnum = 65535));
  add("phoff-past-end", (f) => (f.phoff = BigInt(whole)));
  add("phoff-overflow", (f) => (f.phoff = 0xfffffffffffffff8n));
  add("offset-past-end", (f) => (f.headers[0].offset = BigInt(whole + 4096)));
  add("offset-overflow", (f) => {
    f.headers[0].offset = 0xfffffffffffff000n;
    f.headers[0].filesz = 0x2000n;
    f.headers[0].memsz = 0x2000n;
  });
  add("filesz-past-end", (f) => {
    f.headers[0].filesz = BigInt(whole + 1);
    f.headers[0].memsz = BigInt(whole + 1);
  });
  add("filesz-above-memsz", (f) => (f.headers[0].memsz = f.headers[0].filesz - 1n));
  const move = (f: ElfFields, vaddr: bigint) => {
    f.entry = f.entry - f.headers[0].vaddr + vaddr;
    f.headers[0].vaddr = vaddr;
  };
  add("vaddr-zero", (f) => move(f, 0n));
  add("vaddr-kernel", (f) => move(f, 0xffff800000100000n));
  add("vaddr-noncanonical", (f) => move(f, 0x0000800000000000n));
  add("vaddr-stack", (f) => move(f, 0x00007ffffff00000n));
  add("memsz-wraps", (f) => (f.headers[0].memsz = 0xfffffffffffff000n));
  add("memsz-past-user", (f) => (f.headers[0].memsz = 0x0000800000000000n));
  add("memsz-64tib", (f) => (f.headers[0].memsz = 1n << 46n)); // ENOMEM
  add("no-load", (f) => (f.headers[0].type = PT_NOTE));
  add("entry-outside", (f) => (f.entry = 0x500000n));
  add("entry-not-executable", (f) => (f.headers[0].flags = PF_R));
  add("interp", (f) => (f.headers[0].type = PT_INTERP), 2);
  // These three are valid and must run (exit status 0).
  add("ok-overlapping", () => {}, 2);
  add("ok-bss-1gib", (f) => (f.headers[0].memsz = 1n << 30n));
  add("ok-unaligned-vaddr", (f) => move(f, LOAD_ADDRESS + 0x10n));
  return variants;
}
