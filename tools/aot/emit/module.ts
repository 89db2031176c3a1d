// Assembles the nasm source of a whole module: functions, import thunks,
// export wrappers, aot_init, the symbol table and the data the generated
// code uses. The user target adds its runtime and ELF headers (user.ts).
import type { ConstExpr, DataSegment, Module } from "../decode/types.ts";
import { UnsupportedError } from "../errors.ts";
import { FunctionCompiler, funcLabel, nameLabel, type ModuleContext } from "../lower/function.ts";
import { hex, Trap, type Target } from "../lower/target.ts";
import { emitExportWrapper, emitImportThunk, importSymbol } from "./imports.ts";
import { bytesToDb, cString, symbolName } from "./text.ts";

export const pageSize = 65536;

export interface ModuleParts {
  text: string[];
  rodata: string[];
  data: string[];
  // Zero-initialised data (nasm resb/resq).
  bss: string[];
  externs: string[];
  globals: string[];
  // User target: the linear-memory image of the constant active segments.
  memoryImage: Uint8Array;
  initialBytes: bigint;
  hasMain: boolean;
}

export function canonicalTypeIds(module: Module): number[] {
  const ids = new Map<string, number>();
  return module.types.map((type) => {
    const key = `${type.params.join(",")}:${type.results.join(",")}`;
    if (!ids.has(key)) ids.set(key, ids.size);
    return ids.get(key)!;
  });
}

export function functionName(module: Module, index: number): string {
  return module.funcNames.get(index) ?? `func[${index}]`;
}

function constValue(expr: ConstExpr | undefined): bigint | undefined {
  return expr?.kind === "const" ? expr.bits : undefined;
}

export function lowerModule(module: Module, target: Target): ModuleParts {
  if (module.tables.length > 1) {
    throw new UnsupportedError(
      "multiple tables need reference types, which are not supported",
      module.offsets.tables[1],
    );
  }
  if (module.tables[0] && module.tables[0].element !== "funcref") {
    throw new UnsupportedError(
      `a table of ${module.tables[0].element} needs reference types, which are not supported`,
      module.offsets.tables[0],
    );
  }
  const typeIds = canonicalTypeIds(module);
  const globalImports = module.imports.filter((i) => i.kind === "global");
  const ctx: ModuleContext = {
    module,
    target,
    typeIds,
    funcName: (index) => functionName(module, index),
    globalAddress: (index) => {
      if (index < module.importedGlobals) {
        const imp = globalImports[index];
        return `${symbolName(imp.module)}_${symbolName(imp.name)}`;
      }
      return `aot_globals+${8 * (index - module.importedGlobals)}`;
    },
  };
  const parts: ModuleParts = {
    text: [],
    rodata: [],
    data: [],
    bss: [],
    externs: [],
    globals: ["aot_init", "aot_symbols"],
    memoryImage: new Uint8Array(0),
    initialBytes: 0n,
    hasMain: false,
  };
  const externs = new Set<string>();
  if (target.name === "kernel") externs.add("aot_trap");

  // Functions: import thunks, then compiled bodies.
  const funcImports = module.imports.filter((i) => i.kind === "func");
  for (let i = 0; i < module.funcTypes.length; i++) {
    if (i < module.importedFuncs) {
      const imp = funcImports[i];
      if (imp.kind === "func" && imp.module !== "x86") {
        const type = module.types[imp.typeIndex];
        const symbol = importSymbol(imp.module, imp.name, type, imp.offset);
        if (imp.module !== "env" && target.name === "kernel") externs.add(symbol);
      }
      parts.text.push(...emitImportThunk(module, i, target));
    } else {
      parts.text.push(...new FunctionCompiler(ctx, i).compile());
    }
    parts.text.push(`.end:`, ``);
  }

  for (const imp of globalImports) {
    if (target.name === "kernel") externs.add(`${symbolName(imp.module)}_${symbolName(imp.name)}`);
  }

  for (const exp of module.exports) {
    if (exp.kind !== "func") continue;
    parts.text.push(...emitExportWrapper(module, exp.name, exp.index), ``);
    parts.globals.push(`wasm_export_${symbolName(exp.name)}`);
    if (exp.name === "main") parts.hasMain = true;
  }

  // Function names for traps and the backtrace symbol table (docs/abi.md).
  for (let i = 0; i < module.funcTypes.length; i++) {
    parts.rodata.push(`${nameLabel(i)}:`, cString(functionName(module, i)));
  }
  parts.rodata.push(`aot_init_name:`, cString("aot_init"));
  parts.rodata.push(`align 8`, `aot_symbols:`, `    dq ${module.funcTypes.length}`);
  for (let i = 0; i < module.funcTypes.length; i++) {
    parts.rodata.push(`    dq ${funcLabel(i)}, ${funcLabel(i)}.end, ${nameLabel(i)}`);
  }

  emitGlobals(module, parts);
  emitTable(module, parts, typeIds);
  const memory = emitMemory(module, target, parts);
  parts.text.push(...emitInit(module, target, memory.runtimeSegments));
  parts.text.push(...emitMemoryGrow(target, memory.maxPages), ...memmove);

  parts.externs = [...externs];
  parts.text = parts.text.map(nearJump);
  return parts;
}

// Gives a jump to a label an explicit near size. nasm's default -Ox
// otherwise sizes every jump in extra passes, which takes about five times
// as long on a large module (kernel.wasm: 3.3 s against 0.6 s of CPU time).
function nearJump(line: string): string {
  return line.replace(/^(\s+j[a-z]+) (?=\.|aot_)/, "$1 near ");
}

function emitGlobals(module: Module, parts: ModuleParts): void {
  parts.data.push(`align 8`, `aot_globals:`);
  for (let i = module.importedGlobals; i < module.globals.length; i++) {
    const value = constValue(module.globalInits[i]);
    parts.data.push(`    dq ${hex(BigInt.asUintN(64, value ?? 0n))}`);
  }
  parts.data.push(`    dq 0`);
}

function emitTable(module: Module, parts: ModuleParts, typeIds: number[]): void {
  const size = module.tables[0]?.limits.min ?? 0;
  parts.data.push(`align 8`, `aot_table_size:`, `    dq ${size}`);
  parts.bss.push(`alignb 16`, `aot_table:`, `    resq ${2 * size + 2}`);
  module.elems.forEach((elem, k) => {
    parts.rodata.push(`align 8`, `aot_elem${k}:`);
    for (const item of elem.items) {
      if (item === null) parts.rodata.push(`    dq 0, -1`);
      else parts.rodata.push(`    dq ${funcLabel(item)}, ${typeIds[module.funcTypes[item]]}`);
    }
    const length = elem.mode === "passive" ? elem.items.length : 0;
    parts.data.push(`aot_elem_length${k}:`, `    dq ${length}`);
  });
}

interface MemoryLayout {
  maxPages: number;
  // Active segments that aot_init copies at run time.
  runtimeSegments: number[];
}

function emitMemory(module: Module, target: Target, parts: ModuleParts): MemoryLayout {
  const limits = module.memories[0];
  const initialPages = limits?.min ?? 0;
  const maxPages = limits?.max ?? 65536;
  parts.initialBytes = BigInt(initialPages) * BigInt(pageSize);
  parts.data.push(`align 8`, `aot_memory_bytes:`, `    dq ${parts.initialBytes}`);

  // The user target carries the constant-offset segments in its memory
  // image, in order, until one does not fit or has a computed offset.
  // aot_init copies that one and all after it, and traps at the first that
  // is out of bounds, as instantiation does (wasm spec 4.5.4).
  const runtimeSegments: number[] = [];
  let image = new Uint8Array(0);
  let inImage = target.name === "user";
  module.datas.forEach((segment, k) => {
    if (segment.mode !== "active") return;
    const offset = constValue(segment.offsetExpr);
    const start = offset === undefined ? undefined : BigInt.asUintN(32, offset);
    const fits = start !== undefined && start + BigInt(segment.bytes.length) <= parts.initialBytes;
    if (inImage && fits) {
      const end = Number(start) + segment.bytes.length;
      if (end > image.length) {
        const grown = new Uint8Array(end);
        grown.set(image);
        image = grown;
      }
      image.set(segment.bytes, Number(start));
    } else {
      inImage = false;
      runtimeSegments.push(k);
    }
  });
  parts.memoryImage = image;

  module.datas.forEach((segment, k) => {
    const needsBytes = segment.mode === "passive" || runtimeSegments.includes(k);
    parts.rodata.push(`aot_data${k}:`);
    if (needsBytes) parts.rodata.push(...bytesToDb(segment.bytes));
    const length = segment.mode === "passive" ? segment.bytes.length : 0;
    parts.data.push(`aot_data_length${k}:`, `    dq ${length}`);
  });
  return { maxPages, runtimeSegments };
}

// Loads a constant expression's i32 value into eax.
function loadOffset(module: Module, expr: ConstExpr, globalAddress: (i: number) => string): string[] {
  if (expr.kind === "global.get") {
    return [`    mov eax, [rel ${globalAddress(expr.index)}]`];
  }
  if (expr.kind !== "const") {
    throw new UnsupportedError("offset expression must be an i32 constant or global.get", expr.offset);
  }
  return [`    mov eax, ${hex(BigInt.asUintN(32, expr.bits))}`];
}

function emitInit(module: Module, target: Target, runtimeSegments: number[]): string[] {
  const globalImports = module.imports.filter((i) => i.kind === "global");
  const globalAddress = (index: number) => {
    const imp = globalImports[index];
    return `${symbolName(imp.module)}_${symbolName(imp.name)}`;
  };
  const lines = [`aot_init:`, `    push rbp`, `    mov rbp, rsp`];
  const base = hex(target.memoryBase);

  if (target.name === "kernel") lines.push(...zeroHeap(module, base));

  // Globals initialised from imported globals or function references.
  for (let i = module.importedGlobals; i < module.globals.length; i++) {
    const init = module.globalInits[i]!;
    const slot = `[rel aot_globals+${8 * (i - module.importedGlobals)}]`;
    if (init.kind === "global.get") {
      lines.push(`    mov rax, [rel ${globalAddress(init.index)}]`, `    mov ${slot}, rax`);
    } else if (init.kind === "ref.func") {
      lines.push(`    lea rax, [rel ${funcLabel(init.index)}]`, `    mov ${slot}, rax`);
    }
  }

  // Active element segments, then active data segments (wasm spec 4.5.4),
  // each checked against the table or memory size.
  module.elems.forEach((elem, k) => {
    if (elem.mode !== "active") return;
    lines.push(...loadOffset(module, elem.offsetExpr!, globalAddress));
    lines.push(
      `    lea rdx, [rax+${elem.items.length}]`,
      `    cmp rdx, [rel aot_table_size]`,
      `    ja .trap${Trap.outOfBoundsTable}`,
      `    lea rdi, [rel aot_table]`,
      `    shl rax, 4`,
      `    add rdi, rax`,
      `    lea rsi, [rel aot_elem${k}]`,
      `    mov edx, ${16 * elem.items.length}`,
      `    call aot_memmove`,
    );
  });
  for (const k of runtimeSegments) {
    const segment: DataSegment = module.datas[k];
    lines.push(...loadOffset(module, segment.offsetExpr!, globalAddress));
    lines.push(
      `    lea rdx, [rax+${segment.bytes.length}]`,
      `    cmp rdx, [rel aot_memory_bytes]`,
      `    ja .trap${Trap.outOfBoundsMemory}`,
      `    mov rdi, ${base}`,
      `    add rdi, rax`,
      `    lea rsi, [rel aot_data${k}]`,
      `    mov edx, ${segment.bytes.length}`,
      `    call aot_memmove`,
    );
  }
  if (module.start !== undefined) lines.push(`    call ${funcLabel(module.start)}`);
  lines.push(`    leave`, `    ret`);
  for (const kind of [Trap.outOfBoundsTable, Trap.outOfBoundsMemory]) {
    lines.push(`.trap${kind}:`, `    mov edi, ${kind}`, `    lea rsi, [rel aot_init_name]`, `    call aot_trap`);
  }
  return lines;
}

// Kernel: zero linear memory from the first data segment to __heap_base,
// because asc leaves zero runs out of its segments (docs/abi.md).
function zeroHeap(module: Module, base: string): string[] {
  const starts: bigint[] = [];
  const ends: bigint[] = [];
  for (const segment of module.datas) {
    const offset = constValue(segment.offsetExpr);
    if (segment.mode !== "active" || offset === undefined) continue;
    const start = BigInt.asUintN(32, offset);
    starts.push(start);
    ends.push(start + BigInt(segment.bytes.length));
  }
  if (starts.length === 0) return [];
  const first = starts.reduce((a, b) => (a < b ? a : b));
  let end = ends.reduce((a, b) => (a > b ? a : b));
  for (const [index, name] of module.globalNames) {
    if (name === "__heap_base" || name.endsWith("/__heap_base")) {
      const value = constValue(module.globalInits[index]);
      if (value !== undefined) end = BigInt.asUintN(32, value);
    }
  }
  for (const exp of module.exports) {
    if (exp.kind === "global" && exp.name === "__heap_base") {
      const value = constValue(module.globalInits[exp.index]);
      if (value !== undefined) end = BigInt.asUintN(32, value);
    }
  }
  if (end <= first) return [];
  return [
    `    mov rdi, ${base}+${hex(first)}`,
    `    mov rcx, ${hex(end - first)}`,
    `    xor eax, eax`,
    `    rep stosb`,
  ];
}

// aot_memory_grow: edi = delta in pages; returns the old size in pages in
// eax, or -1. The user target maps the new pages with mmap (Linux
// x86-64: nr 9; PROT_READ|PROT_WRITE = 3;
// MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED = 0x32).
function emitMemoryGrow(target: Target, maxPages: number): string[] {
  const lines = [
    `aot_memory_grow:`,
    `    mov rax, [rel aot_memory_bytes]`,
    `    shr rax, 16`,
    `    mov esi, edi`,
    `    lea rdx, [rax+rsi]`,
    `    cmp rdx, ${maxPages}`,
    `    ja .fail`,
    `    test esi, esi`,
    `    jz .done`,
    `    shl rsi, 16`,
  ];
  if (target.name === "user") {
    lines.push(
      `    push rax`,
      `    push rsi`,
      `    mov rdi, [rel aot_memory_bytes]`,
      `    mov rax, ${hex(target.memoryBase)}`,
      `    add rdi, rax`,
      `    mov edx, 3`,
      `    mov r10d, 0x32`,
      `    mov r8, -1`,
      `    xor r9d, r9d`,
      `    mov eax, 9`,
      `    syscall`,
      `    pop rsi`,
      `    cmp rax, -4096`,
      `    pop rax`,
      `    ja .fail`,
    );
  }
  lines.push(
    `    add [rel aot_memory_bytes], rsi`,
    `.done:`,
    `    ret`,
    `.fail:`,
    `    mov eax, -1`,
    `    ret`,
    ``,
  );
  return lines;
}

// aot_memmove: rdi = destination, rsi = source, rdx = byte count; copies
// backwards when the destination overlaps the source from above.
const memmove = [
  `aot_memmove:`,
  `    mov rcx, rdx`,
  `    cmp rdi, rsi`,
  `    jbe .forward`,
  `    lea rax, [rsi+rdx]`,
  `    cmp rdi, rax`,
  `    jae .forward`,
  `    lea rsi, [rsi+rdx-1]`,
  `    lea rdi, [rdi+rdx-1]`,
  `    std`,
  `    rep movsb`,
  `    cld`,
  `    ret`,
  `.forward:`,
  `    rep movsb`,
  `    ret`,
  ``,
];
