// The decoded form of a WebAssembly module (wasm spec 2.5).

export type ValType = "i32" | "i64" | "f32" | "f64" | "funcref" | "externref";

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max?: number;
}

export interface TableType {
  element: ValType;
  limits: Limits;
}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

// A constant expression (wasm spec 3.3.10) with its one instruction.
export type ConstExpr =
  | { kind: "const"; type: ValType; bits: bigint; offset: number }
  | { kind: "global.get"; index: number; offset: number }
  | { kind: "ref.null"; type: ValType; offset: number }
  | { kind: "ref.func"; index: number; offset: number };

interface ImportBase {
  module: string;
  name: string;
  offset: number;
}

export type Import =
  | (ImportBase & { kind: "func"; typeIndex: number })
  | (ImportBase & { kind: "table"; table: TableType })
  | (ImportBase & { kind: "memory"; limits: Limits })
  | (ImportBase & { kind: "global"; global: GlobalType });

export interface Global {
  type: GlobalType;
  init: ConstExpr;
}

export type ExternKind = "func" | "table" | "memory" | "global";

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
  offset: number;
}

export type BlockType =
  | { kind: "empty" }
  | { kind: "value"; type: ValType }
  | { kind: "index"; index: number };

// One decoded instruction. `op` is the opcode byte, or 0xfc00 plus the
// sub-opcode for the 0xfc prefix. The meaning of `a`, `b` depends on op:
// index immediates, memarg (a = alignment exponent, b = offset), etc.
export interface Instr {
  op: number;
  offset: number;
  a: number;
  b: number;
  bits?: bigint;
  block?: BlockType;
  targets?: number[];
  selectType?: ValType;
}

export interface Func {
  typeIndex: number;
  locals: ValType[];
  body: Instr[];
  offset: number;
}

export interface ElemSegment {
  mode: "active" | "passive" | "declarative";
  table: number;
  offsetExpr?: ConstExpr;
  type: ValType;
  // Function indices, null for ref.null.
  items: (number | null)[];
  itemExprs: ConstExpr[];
  offset: number;
}

export interface DataSegment {
  mode: "active" | "passive";
  memory: number;
  offsetExpr?: ConstExpr;
  bytes: Uint8Array;
  offset: number;
}

export interface Module {
  types: FuncType[];
  imports: Import[];
  // Type index of every function, imports first.
  funcTypes: number[];
  tables: TableType[];
  memories: Limits[];
  globals: GlobalType[];
  globalInits: (ConstExpr | undefined)[];
  exports: Export[];
  start?: number;
  elems: ElemSegment[];
  datas: DataSegment[];
  dataCount?: number;
  funcs: Func[];
  importedFuncs: number;
  importedGlobals: number;
  funcNames: Map<number, string>;
  globalNames: Map<number, string>;
  // Byte offsets of entries, for error messages: the type index of each
  // function, each table and memory type, and the start section.
  offsets: {
    funcTypes: number[];
    tables: number[];
    memories: number[];
    start?: number;
  };
}
