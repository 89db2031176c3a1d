// Decoder and encoder for the parts of the WebAssembly binary format that the
// spec runner and the fuzzer need to merge modules (WebAssembly core spec
// 2.0, section 5). It covers sections, imports, exports and segments, and an
// instruction walker rewrites the index immediates of function bodies.

export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;

export type ValType = number;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max?: number;
}

export interface TableType {
  elemType: ValType;
  limits: Limits;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

export type ExternKind = 0 | 1 | 2 | 3;
export const KIND_FUNC = 0;
export const KIND_TABLE = 1;
export const KIND_MEMORY = 2;
export const KIND_GLOBAL = 3;

export interface Import {
  module: string;
  name: string;
  kind: ExternKind;
  /** Type index for a function import. */
  typeIndex?: number;
  table?: TableType;
  memory?: Limits;
  global?: GlobalType;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/** A constant expression of the MVP and extended forms that modules use. */
export type ConstExpr =
  | { op: "i32.const"; value: number }
  | { op: "i64.const"; value: bigint }
  | { op: "f32.const"; bits: number }
  | { op: "f64.const"; bits: bigint }
  | { op: "global.get"; index: number }
  | { op: "ref.null"; type: ValType }
  | { op: "ref.func"; index: number }
  | { op: "other"; bytes: Uint8Array };

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export interface ElemSegment {
  mode: "active" | "passive" | "declarative";
  table: number;
  offset?: ConstExpr;
  elemType: ValType;
  /** Function indices; null stands for a ref.null entry. */
  funcs: (number | null)[];
  /** True when the segment used the expression encoding (flags 4-7). */
  usesExpressions: boolean;
}

export interface DataSegment {
  mode: "active" | "passive";
  memory: number;
  offset?: ConstExpr;
  bytes: Uint8Array;
}

export interface FunctionBody {
  /** Raw bytes of the local declarations vector. */
  locals: Uint8Array;
  /** Raw bytes of the expression, including its final `end`. */
  code: Uint8Array;
  /** Byte offset of the body in the module, for messages. */
  offset: number;
}

export interface Module {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  tables: TableType[];
  memories: Limits[];
  globals: Global[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  dataCount?: number;
  bodies: FunctionBody[];
  datas: DataSegment[];
  /** Function names from the name section, by function index. */
  functionNames: Map<number, string>;
  /** Features outside the MVP that the module uses. */
  features: Set<string>;
}

export class DecodeError extends Error {}

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  fail(message: string): never {
    throw new DecodeError(`${message} at byte offset ${this.pos}`);
  }

  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end");
    return this.bytes[this.pos++];
  }

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 35) this.fail("integer representation too long");
    }
    if (result > 0xffffffff) this.fail("integer too large");
    return result;
  }

  s32(): number {
    return Number(BigInt.asIntN(32, this.signed(35)));
  }

  s33(): bigint {
    return this.signed(35);
  }

  s64(): bigint {
    return BigInt.asIntN(64, this.signed(70));
  }

  private signed(maxBits: number): bigint {
    let result = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.u8();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (shift > BigInt(maxBits)) this.fail("integer representation too long");
    } while (byte & 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return result;
  }

  take(length: number): Uint8Array {
    if (this.pos + length > this.end) this.fail("unexpected end");
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  name(): string {
    const length = this.u32();
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(this.take(length));
  }
}

export class Writer {
  private chunks: number[] = [];

  get length(): number {
    return this.chunks.length;
  }

  byte(value: number): this {
    this.chunks.push(value & 0xff);
    return this;
  }

  bytes(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.chunks.push(values[i]);
    return this;
  }

  u32(value: number): this {
    let v = value >>> 0;
    do {
      let byte = v & 0x7f;
      v >>>= 7;
      if (v !== 0) byte |= 0x80;
      this.chunks.push(byte);
    } while (v !== 0);
    return this;
  }

  sleb(value: bigint): this {
    let v = value;
    for (;;) {
      const byte = Number(v & 0x7fn);
      v >>= 7n;
      const done =
        (v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0);
      this.chunks.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }

  name(text: string): this {
    const encoded = new TextEncoder().encode(text);
    return this.u32(encoded.length).bytes(encoded);
  }

  vec<T>(items: T[], write: (w: Writer, item: T) => void): this {
    this.u32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  /** Appends `body` prefixed with its byte length. */
  sized(body: Writer | Uint8Array): this {
    const content = body instanceof Writer ? body.finish() : body;
    return this.u32(content.length).bytes(content);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function readValType(r: Reader, features: Set<string>): ValType {
  const type = r.u8();
  noteValType(type, features);
  return type;
}

function noteValType(type: number, features: Set<string>): void {
  if (type === V128) features.add("SIMD");
  else if (type === FUNCREF || type === EXTERNREF)
    features.add("reference types");
  else if (type !== I32 && type !== I64 && type !== F32 && type !== F64)
    features.add(`value type 0x${type.toString(16)}`);
}

function readLimits(r: Reader, features: Set<string>): Limits {
  const flags = r.u8();
  if (flags & 0x02) features.add("threads (shared memory)");
  if (flags & 0x04) features.add("memory64");
  if (flags > 7) r.fail(`invalid limits flags 0x${flags.toString(16)}`);
  const min = r.u32();
  return flags & 1 ? { min, max: r.u32() } : { min };
}

function readTableType(r: Reader, features: Set<string>): TableType {
  const elemType = r.u8();
  if (elemType !== FUNCREF) noteValType(elemType, features);
  return { elemType, limits: readLimits(r, features) };
}

function readGlobalType(r: Reader, features: Set<string>): GlobalType {
  const type = readValType(r, features);
  const mutable = r.u8();
  if (mutable > 1) r.fail("invalid mutability");
  return { type, mutable: mutable === 1 };
}

function readConstExpr(r: Reader, features: Set<string>): ConstExpr {
  const start = r.pos;
  const op = r.u8();
  let expr: ConstExpr;
  switch (op) {
    case 0x41:
      expr = { op: "i32.const", value: r.s32() };
      break;
    case 0x42:
      expr = { op: "i64.const", value: r.s64() };
      break;
    case 0x43:
      expr = {
        op: "f32.const",
        bits: new DataView(r.take(4).slice().buffer).getUint32(0, true),
      };
      break;
    case 0x44:
      expr = {
        op: "f64.const",
        bits: new DataView(r.take(8).slice().buffer).getBigUint64(0, true),
      };
      break;
    case 0x23:
      expr = { op: "global.get", index: r.u32() };
      break;
    case 0xd0:
      features.add("reference types");
      expr = { op: "ref.null", type: r.u8() };
      break;
    case 0xd2:
      expr = { op: "ref.func", index: r.u32() };
      break;
    default: {
      features.add("extended constant expressions");
      while (r.u8() !== 0x0b);
      return { op: "other", bytes: r.bytes.slice(start, r.pos) };
    }
  }
  if (r.u8() !== 0x0b) {
    features.add("extended constant expressions");
    while (r.u8() !== 0x0b);
    return { op: "other", bytes: r.bytes.slice(start, r.pos) };
  }
  return expr;
}

export function writeConstExpr(w: Writer, expr: ConstExpr): void {
  switch (expr.op) {
    case "i32.const":
      w.byte(0x41).sleb(BigInt(expr.value));
      break;
    case "i64.const":
      w.byte(0x42).sleb(expr.value);
      break;
    case "f32.const": {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, expr.bits, true);
      w.byte(0x43).bytes(new Uint8Array(view.buffer));
      break;
    }
    case "f64.const": {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, expr.bits, true);
      w.byte(0x44).bytes(new Uint8Array(view.buffer));
      break;
    }
    case "global.get":
      w.byte(0x23).u32(expr.index);
      break;
    case "ref.null":
      w.byte(0xd0).byte(expr.type);
      break;
    case "ref.func":
      w.byte(0xd2).u32(expr.index);
      break;
    case "other":
      w.bytes(expr.bytes);
      return;
  }
  w.byte(0x0b);
}

function readElemSegment(r: Reader, features: Set<string>): ElemSegment {
  const flags = r.u32();
  if (flags > 7) r.fail(`invalid element segment flags ${flags}`);
  const passiveOrDeclarative = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExpressions = (flags & 4) !== 0;
  let mode: ElemSegment["mode"] = "active";
  if (passiveOrDeclarative) mode = explicitTable ? "declarative" : "passive";
  if (mode === "declarative") features.add("reference types");
  let table = 0;
  let offset: ConstExpr | undefined;
  if (mode === "active") {
    if (explicitTable) table = r.u32();
    offset = readConstExpr(r, features);
  }
  let elemType: ValType = FUNCREF;
  if (passiveOrDeclarative || explicitTable) {
    if (usesExpressions) elemType = r.u8();
    else if (r.u8() !== 0) r.fail("invalid element kind");
  }
  if (elemType !== FUNCREF) noteValType(elemType, features);
  if (table !== 0) features.add("reference types (multiple tables)");
  const count = r.u32();
  const funcs: (number | null)[] = [];
  for (let i = 0; i < count; i++) {
    if (!usesExpressions) {
      funcs.push(r.u32());
      continue;
    }
    const expr = readConstExpr(r, features);
    if (expr.op === "ref.func") funcs.push(expr.index);
    else if (expr.op === "ref.null") funcs.push(null);
    else r.fail("unsupported element expression");
  }
  return { mode, table, offset, elemType, funcs, usesExpressions };
}

function readDataSegment(r: Reader, features: Set<string>): DataSegment {
  const flags = r.u32();
  if (flags === 1) return { mode: "passive", memory: 0, bytes: r.take(r.u32()) };
  if (flags !== 0 && flags !== 2) r.fail(`invalid data segment flags ${flags}`);
  const memory = flags === 2 ? r.u32() : 0;
  if (memory !== 0) features.add("multiple memories");
  const offset = readConstExpr(r, features);
  return { mode: "active", memory, offset, bytes: r.take(r.u32()) };
}

function readNameSection(r: Reader, names: Map<number, string>): void {
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (id === 1) {
        const sub = new Reader(r.bytes, r.pos, end);
        const count = sub.u32();
        for (let i = 0; i < count; i++) names.set(sub.u32(), sub.name());
      }
      r.pos = end;
    }
  } catch {
    // A malformed name section is ignored, as the spec requires.
  }
}

export function decodeModule(bytes: Uint8Array): Module {
  const r = new Reader(bytes);
  const magic = r.take(4);
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d)
    r.fail("magic header not detected");
  const version = r.take(4);
  if (version[0] !== 1 || version[1] || version[2] || version[3])
    r.fail("unknown binary version");
  const features = new Set<string>();
  const m: Module = {
    types: [],
    imports: [],
    functions: [],
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    elems: [],
    bodies: [],
    datas: [],
    functionNames: new Map(),
    features,
  };
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    const s = new Reader(bytes, r.pos, r.pos + size);
    r.pos += size;
    if (r.pos > bytes.length) s.fail("section out of bounds");
    switch (id) {
      case 0: {
        const name = s.name();
        if (name === "name") readNameSection(s, m.functionNames);
        break;
      }
      case 1:
        for (let n = s.u32(); n > 0; n--) {
          const form = s.u8();
          if (form !== 0x60) {
            features.add(`type form 0x${form.toString(16)}`);
            s.fail("unsupported type form");
          }
          const params = Array.from({ length: s.u32() }, () => readValType(s, features));
          const results = Array.from({ length: s.u32() }, () => readValType(s, features));
          if (results.length > 1) features.add("multi-value");
          m.types.push({ params, results });
        }
        break;
      case 2:
        for (let n = s.u32(); n > 0; n--) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          const imp: Import = { module, name, kind: kind as ExternKind };
          if (kind === 0) imp.typeIndex = s.u32();
          else if (kind === 1) imp.table = readTableType(s, features);
          else if (kind === 2) imp.memory = readLimits(s, features);
          else if (kind === 3) imp.global = readGlobalType(s, features);
          else {
            features.add(`import kind ${kind}`);
            s.fail("unsupported import kind");
          }
          m.imports.push(imp);
        }
        break;
      case 3:
        for (let n = s.u32(); n > 0; n--) m.functions.push(s.u32());
        break;
      case 4:
        for (let n = s.u32(); n > 0; n--) m.tables.push(readTableType(s, features));
        break;
      case 5:
        for (let n = s.u32(); n > 0; n--) m.memories.push(readLimits(s, features));
        break;
      case 6:
        for (let n = s.u32(); n > 0; n--) {
          const type = readGlobalType(s, features);
          m.globals.push({ type, init: readConstExpr(s, features) });
        }
        break;
      case 7:
        for (let n = s.u32(); n > 0; n--) {
          const name = s.name();
          const kind = s.u8() as ExternKind;
          m.exports.push({ name, kind, index: s.u32() });
        }
        break;
      case 8:
        m.start = s.u32();
        break;
      case 9:
        for (let n = s.u32(); n > 0; n--) m.elems.push(readElemSegment(s, features));
        break;
      case 10:
        for (let n = s.u32(); n > 0; n--) {
          const size = s.u32();
          const offset = s.pos;
          const body = new Reader(bytes, s.pos, s.pos + size);
          s.pos += size;
          for (let groups = body.u32(); groups > 0; groups--) {
            body.u32();
            readValType(body, features);
          }
          const locals = bytes.slice(offset, body.pos);
          const code = bytes.slice(body.pos, offset + size);
          scanFeatures(code, features);
          m.bodies.push({ locals, code, offset });
        }
        break;
      case 11:
        for (let n = s.u32(); n > 0; n--) m.datas.push(readDataSegment(s, features));
        break;
      case 12:
        m.dataCount = s.u32();
        features.add("bulk memory");
        break;
      default:
        features.add(`section ${id}`);
    }
  }
  const tableCount =
    m.tables.length + m.imports.filter((i) => i.kind === KIND_TABLE).length;
  if (tableCount > 1) features.add("reference types (multiple tables)");
  const memoryCount =
    m.memories.length + m.imports.filter((i) => i.kind === KIND_MEMORY).length;
  if (memoryCount > 1) features.add("multiple memories");
  return m;
}

/** The immediates that follow an opcode, as the walker must rewrite them. */
type Immediate =
  | "none"
  | "block"
  | "label"
  | "br_table"
  | "func"
  | "call_indirect"
  | "local"
  | "global"
  | "table"
  | "memarg"
  | "memory"
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "select_t"
  | "ref_type"
  | "unknown";

function immediateOf(op: number): Immediate {
  if (op === 0x02 || op === 0x03 || op === 0x04) return "block";
  if (op === 0x0c || op === 0x0d) return "label";
  if (op === 0x0e) return "br_table";
  if (op === 0x10 || op === 0xd2) return "func";
  if (op === 0x11) return "call_indirect";
  if (op >= 0x20 && op <= 0x22) return "local";
  if (op === 0x23 || op === 0x24) return "global";
  if (op === 0x25 || op === 0x26) return "table";
  if (op >= 0x28 && op <= 0x3e) return "memarg";
  if (op === 0x3f || op === 0x40) return "memory";
  if (op === 0x41) return "i32";
  if (op === 0x42) return "i64";
  if (op === 0x43) return "f32";
  if (op === 0x44) return "f64";
  if (op === 0x1c) return "select_t";
  if (op === 0xd0) return "ref_type";
  if (op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f)
    return "none";
  if (op === 0x1a || op === 0x1b || op === 0xd1) return "none";
  if (op >= 0x45 && op <= 0xc4) return "none";
  return "unknown";
}

/** Index maps that `rewriteCode` applies to a function body. */
export interface IndexMaps {
  func(index: number): number;
  type(index: number): number;
  global(index: number): number;
  data(index: number): number;
  elem(index: number): number;
}

/**
 * Copies a function body's expression, rewriting function, type, global,
 * data and element indices through `maps`. Immediates that need no rewrite
 * keep their original bytes, so over-long LEB128 encodings survive.
 */
export function rewriteCode(code: Uint8Array, maps: IndexMaps): Uint8Array {
  const r = new Reader(code);
  const w = new Writer();
  const copyFrom = (start: number) => w.bytes(code.subarray(start, r.pos));
  while (!r.atEnd()) {
    const op = r.u8();
    w.byte(op);
    if (op === 0xfc) {
      const start = r.pos;
      const sub = r.u32();
      w.bytes(code.subarray(start, r.pos));
      switch (sub) {
        case 8: {
          // memory.init dataidx memidx
          w.u32(maps.data(r.u32()));
          const s = r.pos;
          r.u8();
          copyFrom(s);
          break;
        }
        case 9: // data.drop
          w.u32(maps.data(r.u32()));
          break;
        case 10: {
          const s = r.pos;
          r.u8();
          r.u8();
          copyFrom(s);
          break;
        }
        case 11: {
          const s = r.pos;
          r.u8();
          copyFrom(s);
          break;
        }
        case 12: {
          // table.init elemidx tableidx
          w.u32(maps.elem(r.u32()));
          const s = r.pos;
          r.u32();
          copyFrom(s);
          break;
        }
        case 13:
          w.u32(maps.elem(r.u32()));
          break;
        case 14: {
          const s = r.pos;
          r.u32();
          r.u32();
          copyFrom(s);
          break;
        }
        case 15:
        case 16:
        case 17: {
          const s = r.pos;
          r.u32();
          copyFrom(s);
          break;
        }
        default:
          if (sub > 17) r.fail(`unknown 0xfc opcode ${sub}`);
      }
      continue;
    }
    const kind = immediateOf(op);
    const start = r.pos;
    switch (kind) {
      case "none":
        break;
      case "block": {
        const type = r.s33();
        if (type >= 0n) w.sleb(BigInt(maps.type(Number(type))));
        else copyFrom(start);
        break;
      }
      case "label":
      case "local":
      case "table":
      case "memory":
        r.u32();
        copyFrom(start);
        break;
      case "br_table":
        for (let n = r.u32() + 1; n > 0; n--) r.u32();
        copyFrom(start);
        break;
      case "func":
        w.u32(maps.func(r.u32()));
        break;
      case "call_indirect": {
        w.u32(maps.type(r.u32()));
        const s = r.pos;
        r.u32();
        copyFrom(s);
        break;
      }
      case "global":
        w.u32(maps.global(r.u32()));
        break;
      case "memarg":
        r.u32();
        r.u32();
        copyFrom(start);
        break;
      case "i32":
        r.s32();
        copyFrom(start);
        break;
      case "i64":
        r.s64();
        copyFrom(start);
        break;
      case "f32":
        r.take(4);
        copyFrom(start);
        break;
      case "f64":
        r.take(8);
        copyFrom(start);
        break;
      case "select_t":
        for (let n = r.u32(); n > 0; n--) r.u8();
        copyFrom(start);
        break;
      case "ref_type":
        r.u8();
        copyFrom(start);
        break;
      default:
        r.fail(`opcode 0x${op.toString(16)} not supported by the rewriter`);
    }
  }
  return w.finish();
}

/** Records in `features` the post-MVP proposals that a function body uses. */
function scanFeatures(code: Uint8Array, features: Set<string>): void {
  const r = new Reader(code);
  try {
    while (!r.atEnd()) {
      const op = r.u8();
      if (op === 0xfc) {
        const sub = r.u32();
        if (sub <= 7) features.add("non-trapping float-to-int");
        else if (sub <= 14) features.add("bulk memory");
        else features.add("reference types");
        if (sub === 8) {
          r.u32();
          if (r.u8() !== 0) features.add("multiple memories");
        } else if (sub === 9) r.u32();
        else if (sub === 10) {
          if (r.u8() | r.u8()) features.add("multiple memories");
        } else if (sub === 11) {
          if (r.u8()) features.add("multiple memories");
        } else if (sub === 12) {
          r.u32();
          if (r.u32()) features.add("reference types (multiple tables)");
        } else if (sub === 13) r.u32();
        else if (sub === 14) {
          if (r.u32() | r.u32()) features.add("reference types (multiple tables)");
        } else if (sub >= 15 && sub <= 17) r.u32();
        else if (sub > 17) features.add(`opcode 0xfc ${sub}`);
        continue;
      }
      if (op === 0xfd) {
        features.add("SIMD");
        return;
      }
      if (op === 0xfe) {
        features.add("threads");
        return;
      }
      if (op >= 0xc0 && op <= 0xc4) features.add("sign-extension");
      if (op === 0x1c || op === 0xd0 || op === 0xd1 || op === 0xd2 || op === 0x25 || op === 0x26)
        features.add("reference types");
      if (op === 0x12 || op === 0x13) {
        features.add("tail calls");
        return;
      }
      const kind = immediateOf(op);
      switch (kind) {
        case "none":
          break;
        case "block":
          if (r.s33() >= 0n) features.add("multi-value");
          break;
        case "label":
        case "local":
        case "global":
        case "func":
        case "table":
          r.u32();
          break;
        case "memory":
          if (r.u8() !== 0) features.add("multiple memories");
          break;
        case "br_table":
          for (let n = r.u32() + 1; n > 0; n--) r.u32();
          break;
        case "call_indirect":
          r.u32();
          if (r.u32() !== 0) features.add("reference types (multiple tables)");
          break;
        case "memarg": {
          const align = r.u32();
          if (align & 0x40) features.add("multiple memories");
          r.u32();
          break;
        }
        case "i32":
          r.s32();
          break;
        case "i64":
          r.s64();
          break;
        case "f32":
          r.take(4);
          break;
        case "f64":
          r.take(8);
          break;
        case "select_t":
          for (let n = r.u32(); n > 0; n--) noteValType(r.u8(), features);
          break;
        case "ref_type":
          r.u8();
          break;
        default:
          features.add(`opcode 0x${op.toString(16)}`);
          return;
      }
    }
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    features.add("undecodable code");
  }
}

/** Features that the AOT compiler accepts besides the MVP. */
export const SUPPORTED_FEATURES = new Set([
  "sign-extension",
  "non-trapping float-to-int",
  "bulk memory",
  "multi-value",
]);

/** Returns the first feature of `m` that the compiler does not accept. */
export function unsupportedFeature(m: Module): string | undefined {
  for (const feature of m.features)
    if (!SUPPORTED_FEATURES.has(feature)) return feature;
  return undefined;
}
