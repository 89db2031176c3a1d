// Links several module instances into one module, because the AOT
// compiler's user target builds one standalone executable per module and
// accepts no imports except env.* and x86.*. Imports between instances
// become direct references, each instance keeps its own types, functions,
// globals and segments, and at most one memory and one table may exist in
// the result (the compiler supports neither multi-memory nor multiple
// tables).

import {
  ConstExpr,
  DataSegment,
  ElemSegment,
  F32,
  F64,
  FUNCREF,
  FuncType,
  GlobalType,
  I32,
  I64,
  Import,
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  KIND_TABLE,
  Limits,
  Module,
  TableType,
  ValType,
  Writer,
  rewriteCode,
  writeConstExpr,
} from "./wasm-binary.ts";

/** An instantiation or link failure, with the spec suite's wording. */
export class LinkError extends Error {}

/** Two instances would need two memories or two tables in one module. */
export class MergeConflict extends Error {}

export type Extern =
  | { kind: typeof KIND_FUNC; index: number; type: FuncType }
  | { kind: typeof KIND_TABLE; table: TableType }
  | { kind: typeof KIND_MEMORY; memory: Limits }
  | { kind: typeof KIND_GLOBAL; index: number; type: GlobalType; init: ConstExpr };

/** The externs that imports resolve to: module name, then field name. */
export type Registry = Map<string, Map<string, Extern>>;

/** An active segment that the driver applies when the instance is created. */
export interface DynamicSegment {
  index: number;
  offset: number;
  length: number;
}

/** Where an instance landed in the merged module. */
export interface InstanceLayout {
  label: string;
  exports: Map<string, Extern>;
  /** Merged function index of the start function. */
  start?: number;
  /** Active element segments that the driver must apply, in order. */
  dynamicElems: DynamicSegment[];
  /** Active data segments that the driver must apply, in order. */
  dynamicDatas: DynamicSegment[];
  /** True when the instance's active segments are part of the module image. */
  staticInit: boolean;
  /** Minimum pages of an imported memory, checked when the instance is created. */
  importedMemoryMin?: number;
}

interface MergedFunction {
  typeIndex: number;
  locals: Uint8Array;
  code: Uint8Array;
  name: string;
}

interface MergedElem {
  mode: "active" | "passive";
  offset?: number;
  funcs: number[];
}

interface MergedData {
  mode: "active" | "passive";
  offset?: number;
  bytes: Uint8Array;
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) &&
    a.results.every((t, i) => t === b.results[i])
  );
}

function limitsMatch(actual: Limits, expected: Limits): boolean {
  if (actual.min < expected.min) return false;
  if (expected.max === undefined) return true;
  return actual.max !== undefined && actual.max <= expected.max;
}

function describeImport(imp: Import): string {
  return `"${imp.module}" "${imp.name}"`;
}

/** Checks an import against the extern it resolves to (spec 2.0, 4.5.4). */
export function checkImport(
  m: Module,
  imp: Import,
  ext: Extern | undefined,
  options: { memoryMinAtRunTime?: boolean } = {},
): Extern {
  if (!ext) throw new LinkError(`unknown import ${describeImport(imp)}`);
  const mismatch = () =>
    new LinkError(`incompatible import type for ${describeImport(imp)}`);
  if (ext.kind !== imp.kind) throw mismatch();
  switch (ext.kind) {
    case KIND_FUNC:
      if (!sameFuncType(m.types[imp.typeIndex!], ext.type)) throw mismatch();
      break;
    case KIND_GLOBAL:
      if (ext.type.type !== imp.global!.type || ext.type.mutable !== imp.global!.mutable)
        throw mismatch();
      break;
    case KIND_TABLE:
      if (ext.table.elemType !== imp.table!.elemType) throw mismatch();
      if (!limitsMatch(ext.table.limits, imp.table!.limits)) throw mismatch();
      break;
    case KIND_MEMORY: {
      // A memory's current size, not its declared minimum, must cover the
      // import's minimum; memory.grow can change it between instantiations.
      const expected = options.memoryMinAtRunTime ? { ...imp.memory!, min: 0 } : imp.memory!;
      if (!limitsMatch(ext.memory, expected)) throw mismatch();
      break;
    }
  }
  return ext;
}

/** Resolves every import of `m` through `registry`, or throws a LinkError. */
export function resolveImports(m: Module, registry: Registry): Extern[] {
  return m.imports.map((imp) =>
    checkImport(m, imp, registry.get(imp.module)?.get(imp.name)),
  );
}

/** Replaces `global.get` of an import by the constant the import resolves to. */
function foldConstExpr(expr: ConstExpr, importedGlobals: Extern[]): ConstExpr {
  if (expr.op !== "global.get") return expr;
  const ext = importedGlobals[expr.index];
  if (!ext || ext.kind !== KIND_GLOBAL)
    throw new MergeConflict(`constant expression reads global ${expr.index}, not an import`);
  return ext.init;
}

function constI32(expr: ConstExpr): number {
  if (expr.op !== "i32.const")
    throw new MergeConflict(`offset expression ${expr.op} is not an i32 constant`);
  return expr.value >>> 0;
}

export const X86_IMPORTS: { name: string; type: FuncType }[] = [
  { name: "syscall6", type: { params: Array(7).fill(I64), results: [I64] } },
  { name: "native_load8", type: { params: [I64], results: [I32] } },
  { name: "native_load64", type: { params: [I64], results: [I64] } },
  { name: "native_store8", type: { params: [I64, I32], results: [] } },
  { name: "initial_sp", type: { params: [], results: [I64] } },
  { name: "native_store64", type: { params: [I64, I64], results: [] } },
  { name: "memory_base", type: { params: [], results: [I64] } },
];

/** Merged function indices of the x86 intrinsics, in X86_IMPORTS order. */
export const X86 = {
  syscall6: 0,
  nativeLoad8: 1,
  nativeLoad64: 2,
  nativeStore8: 3,
  initialSp: 4,
  nativeStore64: 5,
  memoryBase: 6,
};

export class MergedModule {
  readonly types: FuncType[] = [];
  readonly functions: MergedFunction[] = [];
  readonly globals: { type: GlobalType; init: ConstExpr }[] = [];
  readonly elems: MergedElem[] = [];
  readonly datas: MergedData[] = [];
  table?: { type: TableType; owner: string };
  memory?: { limits: Limits; owner: string };
  start?: number;
  /** Exports of the merged module; kind defaults to function. */
  readonly exports: { name: string; index: number; kind?: number }[] = [];
  private readonly typeCache = new Map<string, number>();

  constructor() {
    for (const intrinsic of X86_IMPORTS) this.internType(intrinsic.type);
  }

  get importCount(): number {
    return X86_IMPORTS.length;
  }

  /** Returns a type index for `type`, shared with earlier identical requests. */
  internType(type: FuncType): number {
    const key = `${type.params.join(",")}>${type.results.join(",")}`;
    let index = this.typeCache.get(key);
    if (index === undefined) {
      index = this.types.length;
      this.types.push(type);
      this.typeCache.set(key, index);
    }
    return index;
  }

  addFunction(fn: MergedFunction): number {
    this.functions.push(fn);
    return this.importCount + this.functions.length - 1;
  }

  addGlobal(type: GlobalType, init: ConstExpr): number {
    this.globals.push({ type, init });
    return this.globals.length - 1;
  }

  /**
   * Adds the instance of `m` whose imports resolve to `imports`. With
   * `staticInit`, active segments stay active and are applied when the
   * program starts. Otherwise they become passive, and the driver applies
   * them at the instance's place in the script.
   */
  addInstance(
    label: string,
    m: Module,
    imports: Extern[],
    staticInit: boolean,
  ): InstanceLayout {
    const typeBase = this.types.length;
    this.types.push(...m.types);

    const funcMap: number[] = [];
    const globalMap: number[] = [];
    const importedGlobals: Extern[] = [];
    m.imports.forEach((imp, i) => {
      const ext = imports[i];
      if (imp.kind === KIND_FUNC && ext.kind === KIND_FUNC) funcMap.push(ext.index);
      if (imp.kind === KIND_GLOBAL && ext.kind === KIND_GLOBAL) {
        globalMap.push(ext.index);
        importedGlobals.push(ext);
      }
    });

    if (m.tables.length > 0) {
      if (this.table)
        throw new MergeConflict(
          `${label} defines a table, and ${this.table.owner} already does`,
        );
      this.table = { type: m.tables[0], owner: label };
    }
    if (m.memories.length > 0) {
      if (this.memory)
        throw new MergeConflict(
          `${label} defines a memory, and ${this.memory.owner} already does`,
        );
      this.memory = { limits: m.memories[0], owner: label };
    }

    const funcBase = this.importCount + this.functions.length;
    m.functions.forEach((_, i) => funcMap.push(funcBase + i));

    const globalInits: ConstExpr[] = [];
    for (const g of m.globals) {
      const init = foldConstExpr(g.init, importedGlobals);
      globalMap.push(this.addGlobal(g.type, init));
      globalInits.push(init);
    }

    const elemBase = this.elems.length;
    const dataBase = this.datas.length;
    const layout: InstanceLayout = {
      label,
      exports: new Map(),
      dynamicElems: [],
      dynamicDatas: [],
      staticInit,
      importedMemoryMin: m.imports.find((imp) => imp.kind === KIND_MEMORY)?.memory?.min,
    };
    m.elems.forEach((seg: ElemSegment, i) => {
      const funcs = seg.funcs.map((f) => {
        if (f === null) throw new MergeConflict("ref.null in an element segment");
        return funcMap[f];
      });
      if (seg.mode !== "active") {
        this.elems.push({ mode: "passive", funcs });
        return;
      }
      const offset = constI32(foldConstExpr(seg.offset!, importedGlobals));
      if (staticInit) this.elems.push({ mode: "active", offset, funcs });
      else {
        this.elems.push({ mode: "passive", funcs });
        layout.dynamicElems.push({ index: elemBase + i, offset, length: funcs.length });
      }
    });
    m.datas.forEach((seg: DataSegment, i) => {
      if (seg.mode !== "active") {
        this.datas.push({ mode: "passive", bytes: seg.bytes });
        return;
      }
      const offset = constI32(foldConstExpr(seg.offset!, importedGlobals));
      if (staticInit) this.datas.push({ mode: "active", offset, bytes: seg.bytes });
      else {
        this.datas.push({ mode: "passive", bytes: seg.bytes });
        layout.dynamicDatas.push({ index: dataBase + i, offset, length: seg.bytes.length });
      }
    });

    const maps = {
      func: (i: number) => funcMap[i],
      type: (i: number) => typeBase + i,
      global: (i: number) => globalMap[i],
      data: (i: number) => dataBase + i,
      elem: (i: number) => elemBase + i,
    };
    m.functions.forEach((typeIndex, i) => {
      const body = m.bodies[i];
      const index = m.imports.filter((imp) => imp.kind === KIND_FUNC).length + i;
      this.addFunction({
        typeIndex: typeBase + typeIndex,
        locals: body.locals,
        code: rewriteCode(body.code, maps),
        name: `${label}.${m.functionNames.get(index) ?? `func[${index}]`}`,
      });
    });

    const globalTypes = [
      ...m.imports.filter((imp) => imp.kind === KIND_GLOBAL).map((imp) => imp.global!),
      ...m.globals.map((g) => g.type),
    ];
    const globalInitOf = (i: number): ConstExpr => {
      const imported = importedGlobals.length;
      if (i < imported) return (importedGlobals[i] as { init: ConstExpr }).init;
      return globalInits[i - imported];
    };
    for (const exp of m.exports) {
      let ext: Extern;
      switch (exp.kind) {
        case KIND_FUNC: {
          const index = funcMap[exp.index];
          ext = { kind: KIND_FUNC, index, type: this.funcType(index) };
          break;
        }
        case KIND_GLOBAL:
          ext = {
            kind: KIND_GLOBAL,
            index: globalMap[exp.index],
            type: globalTypes[exp.index],
            init: globalInitOf(exp.index),
          };
          break;
        case KIND_TABLE:
          ext = { kind: KIND_TABLE, table: this.table!.type };
          break;
        default:
          ext = { kind: KIND_MEMORY, memory: this.memory!.limits };
      }
      layout.exports.set(exp.name, ext);
    }
    if (m.start !== undefined) layout.start = funcMap[m.start];
    return layout;
  }

  funcType(index: number): FuncType {
    if (index < this.importCount) return X86_IMPORTS[index].type;
    return this.types[this.functions[index - this.importCount].typeIndex];
  }

  encode(): Uint8Array {
    const out = new Writer();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const section = (id: number, body: Writer) => out.byte(id).sized(body);

    section(
      1,
      new Writer().vec(this.types, (w, t) => {
        w.byte(0x60).vec(t.params, (w2, v) => w2.byte(v));
        w.vec(t.results, (w2, v) => w2.byte(v));
      }),
    );
    section(
      2,
      new Writer().vec(X86_IMPORTS, (w, imp) => {
        w.name("x86").name(imp.name).byte(0).u32(this.internType(imp.type));
      }),
    );
    section(3, new Writer().vec(this.functions, (w, f) => w.u32(f.typeIndex)));
    if (this.table)
      section(
        4,
        new Writer().vec([this.table.type], (w, t) => {
          w.byte(t.elemType);
          writeLimits(w, t.limits);
        }),
      );
    if (this.memory)
      section(5, new Writer().vec([this.memory.limits], (w, l) => writeLimits(w, l)));
    if (this.globals.length)
      section(
        6,
        new Writer().vec(this.globals, (w, g) => {
          w.byte(g.type.type).byte(g.type.mutable ? 1 : 0);
          writeConstExpr(w, g.init);
        }),
      );
    section(
      7,
      new Writer().vec(this.exports, (w, e) => w.name(e.name).byte(e.kind ?? 0).u32(e.index)),
    );
    if (this.start !== undefined) section(8, new Writer().u32(this.start));
    if (this.elems.length)
      section(
        9,
        new Writer().vec(this.elems, (w, e) => {
          if (e.mode === "active") {
            w.u32(0);
            writeConstExpr(w, { op: "i32.const", value: e.offset! | 0 });
          } else w.u32(1).byte(0);
          w.vec(e.funcs, (w2, f) => w2.u32(f));
        }),
      );
    if (this.datas.length) section(12, new Writer().u32(this.datas.length));
    section(
      10,
      new Writer().vec(this.functions, (w, f) => {
        w.sized(new Writer().bytes(f.locals).bytes(f.code));
      }),
    );
    if (this.datas.length)
      section(
        11,
        new Writer().vec(this.datas, (w, d) => {
          if (d.mode === "active") {
            w.u32(0);
            writeConstExpr(w, { op: "i32.const", value: d.offset! | 0 });
          } else w.u32(1);
          w.sized(d.bytes);
        }),
      );
    const names = new Writer().u32(this.functions.length);
    this.functions.forEach((f, i) => names.u32(i + this.importCount).name(f.name));
    out.byte(0).sized(new Writer().name("name").byte(1).sized(names));
    return out.finish();
  }
}

function writeLimits(w: Writer, limits: Limits): void {
  if (limits.max === undefined) w.byte(0).u32(limits.min);
  else w.byte(1).u32(limits.min).u32(limits.max);
}

/**
 * Builds the `spectest` host module of the reference interpreter. Its
 * print functions print nothing here, because stdout carries the results.
 * It has four globals with the value 666 or 666.6, a table of 10 to 20
 * funcref entries and a memory of 1 to 2 pages.
 */
export function spectestModule(options: { table: boolean; memory: boolean }): Module {
  const printTypes: [string, ValType[]][] = [
    ["print", []],
    ["print_i32", [I32]],
    ["print_i64", [I64]],
    ["print_f32", [F32]],
    ["print_f64", [F64]],
    ["print_i32_f32", [I32, F32]],
    ["print_f64_f64", [F64, F64]],
  ];
  const f32Bits = new DataView(new ArrayBuffer(4));
  f32Bits.setFloat32(0, 666.6, true);
  const f64Bits = new DataView(new ArrayBuffer(8));
  f64Bits.setFloat64(0, 666.6, true);
  const m: Module = {
    types: printTypes.map(([, params]) => ({ params, results: [] })),
    imports: [],
    functions: printTypes.map((_, i) => i),
    tables: options.table ? [{ elemType: FUNCREF, limits: { min: 10, max: 20 } }] : [],
    memories: options.memory ? [{ min: 1, max: 2 }] : [],
    globals: [
      { type: { type: I32, mutable: false }, init: { op: "i32.const", value: 666 } },
      { type: { type: I64, mutable: false }, init: { op: "i64.const", value: 666n } },
      {
        type: { type: F32, mutable: false },
        init: { op: "f32.const", bits: f32Bits.getUint32(0, true) },
      },
      {
        type: { type: F64, mutable: false },
        init: { op: "f64.const", bits: f64Bits.getBigUint64(0, true) },
      },
    ],
    exports: [
      ...printTypes.map(([name], i) => ({ name, kind: KIND_FUNC as 0, index: i })),
      { name: "global_i32", kind: KIND_GLOBAL, index: 0 },
      { name: "global_i64", kind: KIND_GLOBAL, index: 1 },
      { name: "global_f32", kind: KIND_GLOBAL, index: 2 },
      { name: "global_f64", kind: KIND_GLOBAL, index: 3 },
    ],
    elems: [],
    bodies: printTypes.map(() => ({
      locals: new Uint8Array([0]),
      code: new Uint8Array([0x0b]),
      offset: 0,
    })),
    datas: [],
    functionNames: new Map(printTypes.map(([name], i) => [i, name])),
    features: new Set(),
  };
  if (options.table) m.exports.push({ name: "table", kind: KIND_TABLE, index: 0 });
  if (options.memory) m.exports.push({ name: "memory", kind: KIND_MEMORY, index: 0 });
  return m;
}

/** Externs of the spectest module as they look before linking, for checks. */
export function spectestSignature(): Map<string, Extern> {
  const merged = new MergedModule();
  const layout = merged.addInstance(
    "spectest",
    spectestModule({ table: true, memory: true }),
    [],
    true,
  );
  return layout.exports;
}
