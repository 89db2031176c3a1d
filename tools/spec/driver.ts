// Generates the driver that runs a list of script commands inside a merged
// module and reports each result on stdout, so that one executable checks
// many assertions. The driver uses only x86 intrinsics that the user target
// accepts: syscall6 for mmap, read and write, native loads and stores for
// its buffers (outside linear memory, so the module's memory stays as the
// script left it) and initial_sp to read argv.
//
// The commands arrive on stdin as data, so the code does not grow with
// their number. The driver has one "operation" function per instantiation,
// export called or global read. The stream is little-endian u64 words:
//   count, then per command: operation number, argument count, arguments
// where arguments are raw bits of i32, i64, f32 or f64 values.
//
// Output protocol, one line per command that finished:
//   KKKKKKKK:VVVVVVVVVVVVVVVV,VVVVVVVVVVVVVVVV,\n   results as raw bits in hex
//   KKKKKKKK!T\n or KKKKKKKK!M\n   instantiation failed: segment out of
//                                  bounds of the table (T) or memory (M)
//   KKKKKKKK!L\n                   instantiation failed: the imported
//                                  memory is smaller than the import's minimum
// where KKKKKKKK is the command number in hex. argv[1], when present, is a
// mask with one character per command: '0' runs the command, '1' skips it,
// '2' instantiates without running the start function (the start function
// trapped in an earlier run).

import {
  F32,
  F64,
  FuncType,
  I32,
  I64,
  ValType,
  Writer,
} from "./wasm-binary.ts";
import { InstanceLayout, MergedModule, X86 } from "./link.ts";

export interface Value {
  type: ValType;
  /** Raw bits, unsigned. */
  bits: bigint;
}

/** An action of the driver. Commands refer to operations by number. */
export type Operation =
  | { kind: "instantiate"; layout: InstanceLayout }
  | {
      kind: "invoke";
      func: number;
      /** Globals whose values follow the results (fuzzer). */
      observeGlobals?: { index: number; type: ValType }[];
      /** Append an FNV-1a hash of linear memory (fuzzer). */
      hashMemory?: boolean;
      /**
       * Run the call in a forked child process, because it is expected to
       * trap; the parent goes on with the memory that the child left.
       */
      forked?: boolean;
    }
  | { kind: "get"; global: number; type: ValType };

export interface DriverCommand {
  operation: number;
  args: Value[];
}

const OUTPUT_BUFFER_BYTES = 65536;

/** Maximum size of the command stream. The driver maps this much for it. */
export const MAX_STREAM_BYTES = 16 * 1024 * 1024;

export const MASK_RUN = "0";
export const MASK_SKIP = "1";
export const MASK_NO_START = "2";

/** Emits WebAssembly instructions into a function body. */
export class Code {
  readonly w = new Writer();
  private localTypes: ValType[] = [];

  constructor(private readonly paramCount: number) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  op(...bytes: number[]): this {
    this.w.bytes(bytes);
    return this;
  }

  i32(value: number): this {
    this.w.byte(0x41).sleb(BigInt(value | 0));
    return this;
  }

  i64(value: bigint): this {
    this.w.byte(0x42).sleb(BigInt.asIntN(64, value));
    return this;
  }

  call(func: number): this {
    this.w.byte(0x10).u32(func);
    return this;
  }

  localGet(i: number): this {
    this.w.byte(0x20).u32(i);
    return this;
  }

  localSet(i: number): this {
    this.w.byte(0x21).u32(i);
    return this;
  }

  globalGet(i: number): this {
    this.w.byte(0x23).u32(i);
    return this;
  }

  globalSet(i: number): this {
    this.w.byte(0x24).u32(i);
    return this;
  }

  /** Converts the value on top of the stack to its raw bits as an i64. */
  toBits(type: ValType): this {
    if (type === I32) return this.op(0xad);
    if (type === I64) return this;
    if (type === F32) return this.op(0xbc, 0xad);
    if (type === F64) return this.op(0xbd);
    throw new Error(`cannot report a value of type 0x${type.toString(16)}`);
  }

  finish(): { locals: Uint8Array; code: Uint8Array } {
    const locals = new Writer().vec(this.localTypes, (w, t) => w.u32(1).byte(t));
    return { locals: locals.finish(), code: this.w.byte(0x0b).finish() };
  }
}

const CHAR_0 = 48;
const CHAR_1 = 49;
const CHAR_2 = 50;

/** Function indices of the driver's output and input routines. */
export interface Helpers {
  put: number;
  begin: number;
  value: number;
  end: number;
  maskAt: number;
  readStdin: number;
  /** Returns the native address of the output buffer, mapping it first. */
  buffer: number;
  hashMemory?: number;
  shareMemory?: number;
}

export function addFunction(
  merged: MergedModule,
  name: string,
  type: FuncType,
  build: (c: Code) => void,
): number {
  const c = new Code(type.params.length);
  build(c);
  return merged.addFunction({ typeIndex: merged.internType(type), name, ...c.finish() });
}

/**
 * Adds the driver's globals and routines. Call it before adding instances
 * when host functions need them, or let addDriver call it.
 */
export function addHelpers(merged: MergedModule): Helpers {
  const buf = merged.addGlobal({ type: I64, mutable: true }, { op: "i64.const", value: 0n });
  const pos = merged.addGlobal({ type: I32, mutable: true }, { op: "i32.const", value: 0 });
  const mask = merged.addGlobal({ type: I64, mutable: true }, { op: "i64.const", value: 0n });

  const put = addFunction(merged, "driver.put", { params: [I32], results: [] }, (c) => {
    c.globalGet(buf).globalGet(pos).op(0xad, 0x7c).localGet(0).call(X86.nativeStore8);
    c.globalGet(pos).i32(1).op(0x6a).globalSet(pos);
  });
  const hex = addFunction(merged, "driver.hex", { params: [I64, I32], results: [] }, (c) => {
    const digit = c.local(I32);
    c.op(0x03, 0x40); // loop
    c.localGet(1).i32(1).op(0x6b).localSet(1);
    c.localGet(0).localGet(1).i32(2).op(0x74, 0xad, 0x88).i64(15n).op(0x83, 0xa7);
    c.localSet(digit);
    // '0' + digit, plus 39 more for a-f
    c.localGet(digit).i32(CHAR_0).op(0x6a);
    c.i32(39).i32(0).localGet(digit).i32(9).op(0x4b, 0x1b, 0x6a);
    c.call(put);
    c.localGet(1).op(0x0d, 0x00); // br_if loop
    c.op(0x0b);
  });
  const buffer = addFunction(merged, "driver.buffer", { params: [], results: [I64] }, (c) => {
    c.globalGet(buf).op(0x50, 0x04, 0x40); // if buf == 0
    // mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
    c.i64(9n).i64(0n).i64(BigInt(OUTPUT_BUFFER_BYTES)).i64(3n).i64(0x22n).i64(-1n).i64(0n);
    c.call(X86.syscall6).globalSet(buf);
    c.op(0x0b);
    c.globalGet(buf);
  });
  const begin = addFunction(merged, "driver.begin", { params: [I32, I32], results: [] }, (c) => {
    c.call(buffer).op(0x1a);
    c.i32(0).globalSet(pos);
    c.localGet(0).op(0xad).i32(8).call(hex);
    c.localGet(1).call(put);
  });
  const value = addFunction(merged, "driver.value", { params: [I64], results: [] }, (c) => {
    c.localGet(0).i32(16).call(hex).i32(44).call(put);
  });
  const end = addFunction(merged, "driver.end", { params: [], results: [] }, (c) => {
    c.i32(10).call(put);
    // write(1, buf, pos)
    c.i64(1n).i64(1n).globalGet(buf).globalGet(pos).op(0xad).i64(0n).i64(0n).i64(0n);
    c.call(X86.syscall6).op(0x1a);
  });
  const maskAt = addFunction(merged, "driver.mask_at", { params: [I32], results: [I32] }, (c) => {
    const sp = c.local(I64);
    c.globalGet(mask).op(0x50, 0x04, 0x40); // if mask == 0: read argv[1]
    c.call(X86.initialSp).localSet(sp);
    c.localGet(sp).call(X86.nativeLoad64).i64(2n).op(0x5a); // argc >= 2
    c.op(0x04, I64).localGet(sp).i64(16n).op(0x7c).call(X86.nativeLoad64);
    c.op(0x05).i64(-1n).op(0x0b);
    c.globalSet(mask);
    c.op(0x0b);
    c.globalGet(mask).i64(-1n).op(0x51, 0x04, I32).i32(CHAR_0);
    c.op(0x05).globalGet(mask).localGet(0).op(0xad, 0x7c).call(X86.nativeLoad8);
    c.op(0x0b);
  });
  const readStdin = addFunction(merged, "driver.read_stdin", { params: [], results: [I64] }, (c) => {
    const base = c.local(I64);
    const length = c.local(I64);
    const n = c.local(I64);
    // mmap(NULL, MAX_STREAM_BYTES, PROT_READ|PROT_WRITE,
    //      MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
    c.i64(9n).i64(0n).i64(BigInt(MAX_STREAM_BYTES)).i64(3n).i64(0x4022n).i64(-1n).i64(0n);
    c.call(X86.syscall6).localSet(base);
    c.op(0x02, 0x40, 0x03, 0x40); // block loop
    // n = read(0, base + length, MAX_STREAM_BYTES - length)
    c.i64(0n).i64(0n).localGet(base).localGet(length).op(0x7c);
    c.i64(BigInt(MAX_STREAM_BYTES)).localGet(length).op(0x7d).i64(0n).i64(0n).i64(0n);
    c.call(X86.syscall6).localSet(n);
    c.localGet(n).i64(0n).op(0x57, 0x0d, 0x01); // n <= 0: br 1
    c.localGet(length).localGet(n).op(0x7c).localSet(length);
    c.op(0x0c, 0x00, 0x0b, 0x0b);
    c.localGet(base);
  });
  const helpers: Helpers = { put, begin, value, end, maskAt, readStdin, buffer };
  return helpers;
}

/** Adds a function that returns the FNV-1a hash of all of linear memory. */
function addHashMemory(merged: MergedModule): number {
  return addFunction(merged, "driver.hash_memory", { params: [], results: [I64] }, (c) => {
    const hash = c.local(I64);
    const i = c.local(I32);
    const size = c.local(I64);
    c.i64(0xcbf29ce484222325n).localSet(hash);
    c.op(0x3f, 0x00, 0xad).i64(65536n).op(0x7e).localSet(size);
    c.op(0x02, 0x40, 0x03, 0x40); // block loop
    c.localGet(i).op(0xad).localGet(size).op(0x5a, 0x0d, 0x01); // i >= size: br 1
    c.localGet(hash).localGet(i).op(0x2d, 0x00, 0x00, 0xad, 0x85);
    c.i64(0x100000001b3n).op(0x7e).localSet(hash);
    c.localGet(i).i32(1).op(0x6a).localSet(i);
    c.op(0x0c, 0x00, 0x0b, 0x0b); // br loop, end, end
    c.localGet(hash);
  });
}

/**
 * Adds a function that replaces the private mapping of linear memory by a
 * shared one with the same contents, once, so that forked children's
 * stores reach the parent. Globals and tables stay private to the child.
 * NOTE: pages that memory.grow maps later are private again.
 */
function addShareMemory(merged: MergedModule): number {
  const done = merged.addGlobal({ type: I32, mutable: true }, { op: "i32.const", value: 0 });
  return addFunction(merged, "driver.share_memory", { params: [], results: [] }, (c) => {
    const size = c.local(I64);
    const base = c.local(I64);
    const copy = c.local(I64);
    const i = c.local(I64);
    c.globalGet(done).op(0x0d, 0x00); // br_if 0: done already
    c.i32(1).globalSet(done);
    if (!merged.memory) return;
    c.op(0x3f, 0x00, 0xad).i64(65536n).op(0x7e).localSet(size);
    c.localGet(size).op(0x50, 0x0d, 0x00); // empty memory: return
    c.call(X86.memoryBase).localSet(base);
    // mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
    c.i64(9n).i64(0n).localGet(size).i64(3n).i64(0x21n).i64(-1n).i64(0n);
    c.call(X86.syscall6).localSet(copy);
    c.localGet(copy).i64(0n).op(0x53, 0x0d, 0x00); // mmap failed: return
    c.op(0x02, 0x40, 0x03, 0x40); // block loop
    c.localGet(i).localGet(size).op(0x5a, 0x0d, 0x01); // i >= size: br 1
    c.localGet(copy).localGet(i).op(0x7c);
    c.localGet(base).localGet(i).op(0x7c).call(X86.nativeLoad64);
    c.call(X86.nativeStore64);
    c.localGet(i).i64(8n).op(0x7c).localSet(i);
    c.op(0x0c, 0x00, 0x0b, 0x0b);
    // mremap(copy, size, size, MREMAP_MAYMOVE|MREMAP_FIXED, base)
    c.i64(25n).localGet(copy).localGet(size).localGet(size).i64(3n).localGet(base).i64(0n);
    c.call(X86.syscall6).op(0x1a);
  });
}

/**
 * Adds a function that, when argv[2] names a file, copies linear memory
 * into it and maps it over linear memory (MAP_SHARED), so that the memory
 * a trap left behind can be read after the process ends. Pages that
 * memory.grow maps later are not in the file.
 */
function addMemoryFile(merged: MergedModule): number {
  return addFunction(merged, "driver.memory_file", { params: [], results: [] }, (c) => {
    const sp = c.local(I64);
    const fd = c.local(I64);
    const size = c.local(I64);
    const base = c.local(I64);
    c.call(X86.initialSp).localSet(sp);
    c.localGet(sp).call(X86.nativeLoad64).i64(3n).op(0x53, 0x0d, 0x00); // argc < 3: return
    // open(argv[2], O_RDWR|O_CREAT|O_TRUNC, 0600)
    c.i64(2n).localGet(sp).i64(24n).op(0x7c).call(X86.nativeLoad64);
    c.i64(0x242n).i64(0o600n).i64(0n).i64(0n).i64(0n).call(X86.syscall6).localSet(fd);
    c.localGet(fd).i64(0n).op(0x53, 0x0d, 0x00); // open failed: return
    c.op(0x3f, 0x00, 0xad).i64(65536n).op(0x7e).localSet(size);
    c.call(X86.memoryBase).localSet(base);
    // write(fd, base, size), then mmap(base, size, PROT_READ|PROT_WRITE,
    // MAP_SHARED|MAP_FIXED, fd, 0) and close(fd)
    c.i64(1n).localGet(fd).localGet(base).localGet(size).i64(0n).i64(0n).i64(0n);
    c.call(X86.syscall6).op(0x1a);
    c.i64(9n).localGet(base).localGet(size).i64(3n).i64(0x11n).localGet(fd).i64(0n);
    c.call(X86.syscall6).op(0x1a);
    c.i64(3n).localGet(fd).i64(0n).i64(0n).i64(0n).i64(0n).i64(0n).call(X86.syscall6).op(0x1a);
  });
}

/**
 * Fills the body of a forked operation: fork, run `body` (k, args) in the
 * child with stderr on stdout so that its trap message lands in order,
 * wait, and report the child's wait status as "KKKKKKKK!W<status>,".
 * Where fork fails (V8's emulation) the call runs in this process.
 */
function buildForked(c: Code, h: Helpers, body: number): void {
  const pid = c.local(I64);
  const status = c.local(I64);
  c.call(h.shareMemory!);
  c.i64(57n).i64(0n).i64(0n).i64(0n).i64(0n).i64(0n).i64(0n).call(X86.syscall6).localSet(pid);
  c.localGet(pid).i64(0n).op(0x53, 0x04, 0x40); // pid < 0: if
  c.localGet(0).localGet(1).call(body).op(0x0f, 0x0b);
  c.localGet(pid).op(0x50, 0x04, 0x40); // pid == 0 (child): if
  c.i64(33n).i64(1n).i64(2n).i64(0n).i64(0n).i64(0n).i64(0n).call(X86.syscall6).op(0x1a);
  c.localGet(0).localGet(1).call(body);
  c.i64(231n).i64(0n).i64(0n).i64(0n).i64(0n).i64(0n).i64(0n).call(X86.syscall6).op(0x1a);
  c.op(0x0b);
  // wait4(pid, buffer end - 8, 0, NULL)
  c.call(h.buffer).i64(BigInt(OUTPUT_BUFFER_BYTES - 8)).op(0x7c).localSet(status);
  c.i64(61n).localGet(pid).localGet(status).i64(0n).i64(0n).i64(0n).i64(0n);
  c.call(X86.syscall6).op(0x1a);
  record(c, h, "!");
  c.i32("W".charCodeAt(0)).call(h.put);
  c.localGet(status).call(X86.nativeLoad64).i64(0xffffffffn).op(0x83).call(h.value);
  c.call(h.end);
}

/** Starts the output line of the command whose number is in local 0. */
function record(c: Code, h: Helpers, separator: string): void {
  c.localGet(0).i32(separator.charCodeAt(0)).call(h.begin);
}

function recordFailure(c: Code, h: Helpers, code: string): void {
  record(c, h, "!");
  c.i32(code.charCodeAt(0)).call(h.put).call(h.end);
}

/** Creates an instance: link check, segments, start function (spec 4.5.4). */
function buildInstantiate(
  c: Code,
  h: Helpers,
  merged: MergedModule,
  layout: InstanceLayout,
): void {
  if (layout.staticInit) {
    record(c, h, ":");
    c.call(h.end);
    return;
  }
  if (layout.importedMemoryMin !== undefined) {
    c.op(0x3f, 0x00).i32(layout.importedMemoryMin).op(0x49, 0x04, 0x40); // size < min: if
    recordFailure(c, h, "L");
    c.op(0x0f, 0x0b);
  }
  const tableSize = merged.table?.type.limits.min ?? 0;
  for (const seg of layout.dynamicElems) {
    // Tables cannot grow without reference types, so the check is static.
    if (seg.offset + seg.length > tableSize) {
      recordFailure(c, h, "T");
      return;
    }
    c.i32(seg.offset).i32(0).i32(seg.length);
    c.op(0xfc).w.u32(12).u32(seg.index).u32(0);
    c.op(0xfc).w.u32(13).u32(seg.index);
  }
  for (const seg of layout.dynamicDatas) {
    c.i64(BigInt(seg.offset) + BigInt(seg.length));
    c.op(0x3f, 0x00, 0xad).i64(65536n).op(0x7e, 0x56, 0x04, 0x40); // > size: if
    recordFailure(c, h, "M");
    c.op(0x0f, 0x0b);
    c.i32(seg.offset).i32(0).i32(seg.length);
    c.op(0xfc).w.u32(8).u32(seg.index).byte(0);
    c.op(0xfc).w.u32(9).u32(seg.index);
  }
  if (layout.start !== undefined) {
    c.localGet(0).call(h.maskAt).i32(CHAR_2).op(0x47, 0x04, 0x40);
    c.call(layout.start).op(0x0b);
  }
  record(c, h, ":");
  c.call(h.end);
}

/** Loads argument `i` from the stream (pointer in local 1) as `type`. */
function loadArgument(c: Code, i: number, type: ValType): void {
  c.localGet(1).i64(BigInt(8 * i)).op(0x7c).call(X86.nativeLoad64);
  if (type === I32) c.op(0xa7);
  else if (type === F32) c.op(0xa7, 0xbe);
  else if (type === F64) c.op(0xbf);
  else if (type !== I64) throw new Error(`cannot pass a value of type 0x${type.toString(16)}`);
}

function buildInvoke(
  c: Code,
  h: Helpers,
  merged: MergedModule,
  op: Extract<Operation, { kind: "invoke" }>,
): void {
  const type = merged.funcType(op.func);
  type.params.forEach((t, i) => loadArgument(c, i, t));
  c.call(op.func);
  const locals = type.results.map((t) => c.local(t));
  for (let i = locals.length - 1; i >= 0; i--) c.localSet(locals[i]);
  record(c, h, ":");
  type.results.forEach((t, i) => c.localGet(locals[i]).toBits(t).call(h.value));
  for (const g of op.observeGlobals ?? []) c.globalGet(g.index).toBits(g.type).call(h.value);
  if (op.hashMemory && h.hashMemory !== undefined) c.call(h.hashMemory).call(h.value);
  c.call(h.end);
}

/**
 * Adds a function that calls operation function `slot` with (k, args),
 * through a br_table over nested blocks.
 */
function addDispatch(merged: MergedModule, opFuncs: number[]): number {
  const type = { params: [I32, I32, I64], results: [] };
  return addFunction(merged, "driver.dispatch", type, (c) => {
    const n = opFuncs.length;
    c.op(0x02, 0x40); // block $done
    for (let i = 0; i < n; i++) c.op(0x02, 0x40);
    c.localGet(0).op(0x0e).w.u32(n);
    for (let i = 0; i <= n; i++) c.w.u32(i);
    opFuncs.forEach((f, i) => {
      c.op(0x0b); // end of the block for case i
      c.localGet(1).localGet(2).call(f);
      c.op(0x0c).w.u32(n - 1 - i);
    });
    c.op(0x0b);
  });
}

/**
 * Adds the driver to `merged`: one function per operation, and `main`,
 * which reads the command stream from stdin and runs it under the argv
 * mask. With `firstStart` (the first instance's start function) it also
 * adds a start function that calls it unless the mask skips command 0.
 */
export function addDriver(
  merged: MergedModule,
  operations: Operation[],
  firstStart?: number,
  helpers?: Helpers,
  options: { memoryFile?: boolean } = {},
): void {
  const h = helpers ?? addHelpers(merged);
  if (merged.memory && operations.some((op) => op.kind === "invoke" && op.hashMemory))
    h.hashMemory = addHashMemory(merged);
  const opType = { params: [I32, I64], results: [] };
  if (operations.some((op) => op.kind === "invoke" && op.forked))
    h.shareMemory = addShareMemory(merged);
  const opFuncs = operations.map((op, i) =>
    addFunction(merged, `driver.${op.kind}${i}`, opType, (c) => {
      switch (op.kind) {
        case "instantiate":
          buildInstantiate(c, h, merged, op.layout);
          break;
        case "invoke":
          if (op.forked) {
            const body = addFunction(merged, `driver.invoke${i}_child`, opType, (child) =>
              buildInvoke(child, h, merged, op),
            );
            buildForked(c, h, body);
          } else buildInvoke(c, h, merged, op);
          break;
        case "get":
          record(c, h, ":");
          c.globalGet(op.global).toBits(op.type).call(h.value).call(h.end);
          break;
      }
    }),
  );
  const dispatch = addDispatch(merged, opFuncs);
  const main = addFunction(merged, "driver.main", { params: [], results: [I32] }, (c) => {
    const cursor = c.local(I64);
    const k = c.local(I32);
    const n = c.local(I32);
    if (options.memoryFile && merged.memory) c.call(addMemoryFile(merged));
    c.call(h.readStdin).localSet(cursor);
    c.localGet(cursor).call(X86.nativeLoad64).op(0xa7).localSet(n);
    c.localGet(cursor).i64(8n).op(0x7c).localSet(cursor);
    c.op(0x02, 0x40, 0x03, 0x40); // block loop
    c.localGet(k).localGet(n).op(0x4f, 0x0d, 0x01); // k >= n: br 1
    c.localGet(k).call(h.maskAt).i32(CHAR_1).op(0x47, 0x04, 0x40); // mask != '1': if
    c.localGet(cursor).call(X86.nativeLoad64).op(0xa7);
    c.localGet(k);
    c.localGet(cursor).i64(16n).op(0x7c);
    c.call(dispatch);
    c.op(0x0b);
    // cursor += 16 + 8 * argument count
    c.localGet(cursor).i64(16n).op(0x7c);
    c.localGet(cursor).i64(8n).op(0x7c).call(X86.nativeLoad64).i64(8n).op(0x7e, 0x7c);
    c.localSet(cursor);
    c.localGet(k).i32(1).op(0x6a).localSet(k);
    c.op(0x0c, 0x00, 0x0b, 0x0b); // br loop, end, end
    c.i32(0);
  });
  merged.exports.push({ name: "main", index: main });
  // V8's emulation runs the command loop itself (see runInV8), because it
  // cannot fork: it catches the trap of a forked call instead.
  merged.exports.push({ name: "dispatch", index: dispatch });
  merged.exports.push({ name: "read_stdin", index: h.readStdin });
  operations.forEach((op, slot) => {
    if (op.kind === "invoke" && op.forked) merged.exports.push({ name: `forked${slot}`, index: opFuncs[slot] });
  });
  if (firstStart !== undefined) {
    merged.start = addFunction(merged, "driver.start", { params: [], results: [] }, (c) => {
      c.i32(0).call(h.maskAt).i32(CHAR_0).op(0x46, 0x04, 0x40).call(firstStart).op(0x0b);
    });
  }
}

/** Encodes commands as the driver's stdin stream. */
export function encodeCommands(commands: DriverCommand[]): Uint8Array {
  const words: bigint[] = [BigInt(commands.length)];
  for (const cmd of commands) {
    words.push(BigInt(cmd.operation), BigInt(cmd.args.length));
    for (const arg of cmd.args) words.push(BigInt.asUintN(64, arg.bits));
  }
  if (words.length * 8 > MAX_STREAM_BYTES)
    throw new Error(`command stream of ${words.length * 8} bytes exceeds ${MAX_STREAM_BYTES}`);
  const bytes = new Uint8Array(words.length * 8);
  const view = new DataView(bytes.buffer);
  words.forEach((w, i) => view.setBigUint64(8 * i, w, true));
  return bytes;
}

export interface RunRecord {
  command: number;
  /** Result bits, or undefined when the command failed. */
  values?: bigint[];
  /**
   * 'T', 'M' or 'L' for a failed instantiation, or 'W' for the wait
   * status of a forked child.
   */
  failure?: string;
  /** Wait status of a forked child. */
  status?: number;
  /** Trap kind that a forked child printed before its 'W' record. */
  trap?: string;
}

/** Parses the driver's stdout; an incomplete last line is ignored. */
export function parseRecords(stdout: string): RunRecord[] {
  const records: RunRecord[] = [];
  let trap: string | undefined;
  for (const line of stdout.split("\n")) {
    const trapLine = /^trap: (.*) in .*$/.exec(line);
    if (trapLine) {
      trap = trapLine[1];
      continue;
    }
    const m = /^([0-9a-f]{8})([:!])(.*)$/.exec(line);
    if (!m) continue;
    const command = parseInt(m[1], 16);
    if (m[2] === "!") {
      const failure = m[3].charAt(0);
      if (failure === "W")
        records.push({ command, failure, status: parseInt(m[3].slice(1, 17), 16), trap });
      else records.push({ command, failure });
      trap = undefined;
      continue;
    }
    trap = undefined;
    const values = m[3]
      .split(",")
      .filter((v) => v.length === 16)
      .map((v) => BigInt(`0x${v}`));
    records.push({ command, values });
  }
  return records;
}
