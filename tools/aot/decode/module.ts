// Decoding of a module's sections (wasm spec 5.5) into a Module.
import { Reader } from "./reader.ts";
import { readBody, readValType } from "./code.ts";
import type {
  ConstExpr,
  DataSegment,
  ElemSegment,
  Export,
  ExternKind,
  Func,
  GlobalType,
  Limits,
  Module,
  TableType,
  ValType,
} from "./types.ts";

const externKinds: ExternKind[] = ["func", "table", "memory", "global"];

export function decodeModule(bytes: Uint8Array): Module {
  const reader = new Reader(bytes);
  if (bytes.length < 4) reader.fail("unexpected end");
  if (reader.u32Fixed() !== 0x6d736100) reader.fail("magic header not detected", 0);
  if (bytes.length < 8) reader.fail("unexpected end");
  if (reader.u32Fixed() !== 1) reader.fail("unknown binary version", 4);

  const module: Module = {
    types: [],
    imports: [],
    funcTypes: [],
    tables: [],
    memories: [],
    globals: [],
    globalInits: [],
    exports: [],
    elems: [],
    datas: [],
    funcs: [],
    importedFuncs: 0,
    importedGlobals: 0,
    funcNames: new Map(),
    globalNames: new Map(),
    offsets: { funcTypes: [], tables: [], memories: [] },
  };
  let declaredFuncs = 0;
  let lastId = 0;
  // Section order of wasm spec 5.5.2; the data count section (12) sits
  // between import-related sections and code.
  const order = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];

  while (!reader.atEnd) {
    const sectionStart = reader.offset;
    const id = reader.u8();
    const size = reader.u32();
    const start = reader.offset;
    if (size > bytes.length - start) reader.fail("length out of bounds", sectionStart);
    const section = new Reader(bytes, start, start + size);
    if (id > 12) reader.fail(`malformed section id ${id}`, sectionStart);
    if (id !== 0) {
      if (order.indexOf(id) <= order.indexOf(lastId)) {
        reader.fail("unexpected content after last section", sectionStart);
      }
      lastId = id;
    }
    switch (id) {
      case 0:
        readCustom(section, module);
        break;
      case 1:
        readVector(section, () => {
          const formStart = section.offset;
          if (section.u8() !== 0x60) section.fail("integer representation too long", formStart);
          const params = readVector(section, () => readValType(section));
          const results = readVector(section, () => readValType(section));
          module.types.push({ params, results });
        });
        break;
      case 2:
        readVector(section, () => readImport(section, module));
        break;
      case 3:
        readVector(section, () => {
          module.offsets.funcTypes.push(section.offset);
          module.funcTypes.push(section.u32());
          declaredFuncs++;
        });
        break;
      case 4:
        readVector(section, () => {
          module.offsets.tables.push(section.offset);
          module.tables.push(readTableType(section));
        });
        break;
      case 5:
        readVector(section, () => {
          module.offsets.memories.push(section.offset);
          module.memories.push(readLimits(section));
        });
        break;
      case 6:
        readVector(section, () => {
          module.globals.push(readGlobalType(section));
          module.globalInits.push(readConstExpr(section));
        });
        break;
      case 7: {
        const names = new Set<string>();
        readVector(section, () => {
          const offset = section.offset;
          const name = section.name();
          const kindByte = section.u8();
          if (kindByte > 3) section.fail(`malformed export kind ${kindByte}`, offset);
          const exp: Export = { name, kind: externKinds[kindByte], index: section.u32(), offset };
          if (names.has(name)) section.fail("duplicate export name", offset);
          names.add(name);
          module.exports.push(exp);
        });
        break;
      }
      case 8:
        module.offsets.start = section.offset;
        module.start = section.u32();
        break;
      case 9:
        readVector(section, () => module.elems.push(readElem(section)));
        break;
      case 10: {
        const count = section.u32();
        if (count !== declaredFuncs) {
          section.fail("function and code section have inconsistent lengths", sectionStart);
        }
        for (let i = 0; i < count; i++) module.funcs.push(readFunc(section, module, i));
        break;
      }
      case 11: {
        const count = section.u32();
        if (module.dataCount !== undefined && count !== module.dataCount) {
          section.fail("data count and data section have inconsistent lengths", sectionStart);
        }
        for (let i = 0; i < count; i++) module.datas.push(readData(section));
        break;
      }
      case 12:
        module.dataCount = section.u32();
        break;
    }
    if (section.offset !== section.end) {
      section.fail("section size mismatch", sectionStart);
    }
    reader.offset = start + size;
  }
  if (module.funcs.length !== declaredFuncs) {
    reader.fail("function and code section have inconsistent lengths");
  }
  if (module.dataCount !== undefined && module.datas.length !== module.dataCount) {
    reader.fail("data count and data section have inconsistent lengths");
  }
  return module;
}

function readVector<T>(reader: Reader, item: () => T): T[] {
  const count = reader.u32();
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(item());
  return items;
}

function readLimits(reader: Reader): Limits {
  const start = reader.offset;
  const flags = reader.u8();
  if (flags > 1) reader.fail("integer too large", start);
  const min = reader.u32();
  return flags === 1 ? { min, max: reader.u32() } : { min };
}

function readTableType(reader: Reader): TableType {
  const element = readValType(reader);
  return { element, limits: readLimits(reader) };
}

function readGlobalType(reader: Reader): GlobalType {
  const type = readValType(reader);
  const start = reader.offset;
  const mut = reader.u8();
  if (mut > 1) reader.fail("malformed mutability", start);
  return { type, mutable: mut === 1 };
}

function readImport(reader: Reader, module: Module): void {
  const offset = reader.offset;
  const moduleName = reader.name();
  const name = reader.name();
  const start = reader.offset;
  const kind = reader.u8();
  switch (kind) {
    case 0: {
      module.offsets.funcTypes.push(reader.offset);
      const typeIndex = reader.u32();
      module.imports.push({ kind: "func", module: moduleName, name, typeIndex, offset });
      module.funcTypes.push(typeIndex);
      module.importedFuncs++;
      break;
    }
    case 1: {
      module.offsets.tables.push(reader.offset);
      const table = readTableType(reader);
      module.imports.push({ kind: "table", module: moduleName, name, table, offset });
      module.tables.push(table);
      break;
    }
    case 2: {
      module.offsets.memories.push(reader.offset);
      const limits = readLimits(reader);
      module.imports.push({ kind: "memory", module: moduleName, name, limits, offset });
      module.memories.push(limits);
      break;
    }
    case 3: {
      const global = readGlobalType(reader);
      module.imports.push({ kind: "global", module: moduleName, name, global, offset });
      module.globals.push(global);
      module.globalInits.push(undefined);
      module.importedGlobals++;
      break;
    }
    default:
      reader.fail(`malformed import kind ${kind}`, start);
  }
}

// Reads a constant expression: one instruction and `end` (wasm spec 3.3.10).
export function readConstExpr(reader: Reader): ConstExpr {
  const offset = reader.offset;
  const op = reader.u8();
  let expr: ConstExpr;
  switch (op) {
    case 0x41:
      expr = { kind: "const", type: "i32", bits: BigInt(reader.s32()), offset };
      break;
    case 0x42:
      expr = { kind: "const", type: "i64", bits: reader.s64(), offset };
      break;
    case 0x43:
      expr = { kind: "const", type: "f32", bits: BigInt(reader.u32Fixed()), offset };
      break;
    case 0x44:
      expr = { kind: "const", type: "f64", bits: reader.u64Fixed(), offset };
      break;
    case 0x23:
      expr = { kind: "global.get", index: reader.u32(), offset };
      break;
    case 0xd0:
      expr = { kind: "ref.null", type: readValType(reader), offset };
      break;
    case 0xd2:
      expr = { kind: "ref.func", index: reader.u32(), offset };
      break;
    case 0x0b:
      reader.fail("type mismatch: empty constant expression", offset);
    default:
      reader.fail(`constant expression required (opcode 0x${op.toString(16)})`, offset);
  }
  const endOffset = reader.offset;
  const end = reader.u8();
  const pushesValue = [0x41, 0x42, 0x43, 0x44, 0x23, 0xd0, 0xd2].includes(end);
  if (pushesValue) reader.fail("type mismatch: constant expression leaves more than one value", endOffset);
  if (end !== 0x0b) reader.fail("constant expression required: more than one instruction", endOffset);
  return expr;
}

function readElem(reader: Reader): ElemSegment {
  const offset = reader.offset;
  const flags = reader.u32();
  if (flags > 7) reader.fail(`malformed elements segment kind ${flags}`, offset);
  const passiveOrDeclarative = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  let mode: ElemSegment["mode"] = "active";
  if (passiveOrDeclarative) mode = explicitTable ? "declarative" : "passive";
  const segment: ElemSegment = {
    mode,
    table: 0,
    type: "funcref",
    items: [],
    itemExprs: [],
    offset,
  };
  if (!passiveOrDeclarative) {
    if (explicitTable) segment.table = reader.u32();
    segment.offsetExpr = readConstExpr(reader);
  }
  if (passiveOrDeclarative || explicitTable) {
    if (usesExprs) {
      segment.type = readValType(reader);
    } else {
      const kindOffset = reader.offset;
      if (reader.u8() !== 0) reader.fail("malformed element kind", kindOffset);
    }
  }
  if (usesExprs) {
    segment.itemExprs = readVector(reader, () => readConstExpr(reader));
    segment.items = segment.itemExprs.map((expr) =>
      expr.kind === "ref.func" ? expr.index : null,
    );
  } else {
    segment.items = readVector(reader, () => reader.u32());
    segment.itemExprs = segment.items.map((index) => ({
      kind: "ref.func",
      index: index as number,
      offset,
    }));
  }
  return segment;
}

function readData(reader: Reader): DataSegment {
  const offset = reader.offset;
  const flags = reader.u32();
  if (flags > 2) reader.fail(`malformed data segment kind ${flags}`, offset);
  let memory = 0;
  let offsetExpr: ConstExpr | undefined;
  if (flags === 2) memory = reader.u32();
  if (flags !== 1) offsetExpr = readConstExpr(reader);
  const length = reader.u32();
  const bytes = reader.bytesOf(length);
  return { mode: flags === 1 ? "passive" : "active", memory, offsetExpr, bytes, offset };
}

function readFunc(reader: Reader, module: Module, index: number): Func {
  const offset = reader.offset;
  const size = reader.u32();
  const start = reader.offset;
  if (size > reader.end - start) reader.fail("unexpected end", offset);
  const body = new Reader(reader.bytes, start, start + size);
  const locals: ValType[] = [];
  let total = 0;
  const groups = body.u32();
  for (let i = 0; i < groups; i++) {
    const groupOffset = body.offset;
    const count = body.u32();
    total += count;
    if (total > 50000) body.fail("too many locals", groupOffset);
    const type = readValType(body);
    for (let j = 0; j < count; j++) locals.push(type);
  }
  const instrs = readBody(body);
  if (body.offset !== body.end) body.fail("section size mismatch: code after end of function");
  reader.offset = start + size;
  return {
    typeIndex: module.funcTypes[module.importedFuncs + index],
    locals,
    body: instrs,
    offset,
  };
}

// The name section (wasm spec 7.4.1) and its extended subsection for
// globals (id 7, as Binaryen writes it). Errors in a custom section are
// ignored, as the spec requires.
function readCustom(reader: Reader, module: Module): void {
  const name = reader.name();
  if (name !== "name") {
    reader.offset = reader.end;
    return;
  }
  try {
    while (!reader.atEnd) {
      const id = reader.u8();
      const size = reader.u32();
      const sub = new Reader(reader.bytes, reader.offset, reader.offset + size);
      reader.offset += size;
      let target: Map<number, string>;
      if (id === 1) target = module.funcNames;
      else if (id === 7) target = module.globalNames;
      else continue;
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        const index = sub.u32();
        target.set(index, sub.name());
      }
    }
  } catch {
    // A malformed name section only costs the names.
  }
  reader.offset = reader.end;
}
