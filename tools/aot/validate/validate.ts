// Validation of a decoded module (wasm spec 3): module-level rules and
// the type checking of every function body with the algorithm of the
// spec's appendix A.3. The first violation raises an InvalidError with the
// spec's wording of the reason and the byte offset.
import { InvalidError } from "../errors.ts";
import { opInfo, opName } from "../decode/opcodes.ts";
import type {
  BlockType,
  ConstExpr,
  Func,
  FuncType,
  Instr,
  Limits,
  Module,
  ValType,
} from "../decode/types.ts";

const maxPages = 65536;

export function validateModule(module: Module): void {
  const fail = (message: string, offset?: number): never => {
    throw new InvalidError(message, offset);
  };
  module.funcTypes.forEach((typeIndex, i) => {
    if (typeIndex >= module.types.length) fail(`unknown type ${typeIndex}`, module.offsets.funcTypes[i]);
  });
  // Several tables are valid with reference types; lowering rejects them.
  if (module.memories.length > 1) fail("multiple memories", module.offsets.memories[1]);
  module.tables.forEach((table, i) => {
    checkLimits(table.limits, 0xffffffff, "table size", module.offsets.tables[i]);
  });
  module.memories.forEach((memory, i) => {
    checkLimits(memory, maxPages, "memory size must be at most 65536 pages (4GiB)", module.offsets.memories[i]);
  });

  for (let i = module.importedGlobals; i < module.globals.length; i++) {
    const init = module.globalInits[i]!;
    checkConstExpr(module, init, module.globals[i].type, module.importedGlobals);
  }
  for (const exp of module.exports) {
    const count =
      exp.kind === "func"
        ? module.funcTypes.length
        : exp.kind === "table"
          ? module.tables.length
          : exp.kind === "memory"
            ? module.memories.length
            : module.globals.length;
    const kind = exp.kind === "func" ? "function" : exp.kind;
    if (exp.index >= count) fail(`unknown ${kind} ${exp.index} in export "${exp.name}"`, exp.offset);
  }
  if (module.start !== undefined) {
    const offset = module.offsets.start;
    if (module.start >= module.funcTypes.length) fail(`unknown function ${module.start}`, offset);
    const type = module.types[module.funcTypes[module.start]];
    if (type.params.length || type.results.length) {
      fail("start function must have type [] -> []", offset);
    }
  }
  for (const elem of module.elems) {
    if (elem.mode === "active") {
      if (elem.table >= module.tables.length) fail(`unknown table ${elem.table}`, elem.offset);
      checkConstExpr(module, elem.offsetExpr!, "i32", module.importedGlobals);
      const tableType = module.tables[elem.table].element;
      if (tableType !== elem.type) fail("type mismatch: element segment and table", elem.offset);
    }
    for (const expr of elem.itemExprs) checkConstExpr(module, expr, elem.type, module.importedGlobals);
  }
  for (const data of module.datas) {
    if (data.mode === "active") {
      if (data.memory >= module.memories.length) fail(`unknown memory ${data.memory}`, data.offset);
      checkConstExpr(module, data.offsetExpr!, "i32", module.importedGlobals);
    }
  }
  const references = declaredReferences(module);
  module.funcs.forEach((func, i) => {
    new FunctionValidator(module, func, module.importedFuncs + i, references).run();
  });
}

function checkLimits(limits: Limits, bound: number, message: string, offset: number): void {
  if (limits.min > bound || (limits.max !== undefined && limits.max > bound)) {
    throw new InvalidError(message, offset);
  }
  if (limits.max !== undefined && limits.min > limits.max) {
    throw new InvalidError("size minimum must not be greater than maximum", offset);
  }
}

// Checks a constant expression of the expected type. Only imported globals
// may be read (wasm spec 3.4.10, "C.globals" of the import context).
function checkConstExpr(module: Module, expr: ConstExpr, expected: ValType, visibleGlobals: number): void {
  let type: ValType;
  switch (expr.kind) {
    case "const":
      type = expr.type;
      break;
    case "global.get": {
      if (expr.index >= visibleGlobals || expr.index >= module.globals.length) {
        throw new InvalidError(`unknown global ${expr.index}`, expr.offset);
      }
      const global = module.globals[expr.index];
      if (global.mutable) throw new InvalidError("constant expression required", expr.offset);
      type = global.type;
      break;
    }
    case "ref.null":
      type = expr.type;
      break;
    case "ref.func":
      if (expr.index >= module.funcTypes.length) {
        throw new InvalidError(`unknown function ${expr.index}`, expr.offset);
      }
      type = "funcref";
      break;
  }
  if (type !== expected) {
    throw new InvalidError(`type mismatch: constant expression of ${type}, expected ${expected}`, expr.offset);
  }
}

// Function indices that ref.func may name in code (wasm spec 3.4.10):
// those in element segments, exports and global initialisers.
function declaredReferences(module: Module): Set<number> {
  const refs = new Set<number>();
  for (const elem of module.elems) for (const item of elem.items) if (item !== null) refs.add(item);
  for (const exp of module.exports) if (exp.kind === "func") refs.add(exp.index);
  for (const init of module.globalInits) if (init?.kind === "ref.func") refs.add(init.index);
  return refs;
}

type StackType = ValType | "unknown";

interface Frame {
  op: number;
  params: ValType[];
  results: ValType[];
  height: number;
  unreachable: boolean;
}

export function blockSignature(module: Module, block: BlockType, offset: number): FuncType {
  switch (block.kind) {
    case "empty":
      return { params: [], results: [] };
    case "value":
      return { params: [], results: [block.type] };
    case "index":
      if (block.index >= module.types.length) {
        throw new InvalidError(`unknown type ${block.index}`, offset);
      }
      return module.types[block.index];
  }
}

class FunctionValidator {
  private values: StackType[] = [];
  private frames: Frame[] = [];
  private locals: ValType[];
  private type: FuncType;
  private instr!: Instr;

  constructor(
    private module: Module,
    private func: Func,
    private index: number,
    private references: Set<number>,
  ) {
    this.type = module.types[func.typeIndex];
    this.locals = [...this.type.params, ...func.locals];
  }

  private fail(message: string): never {
    const name = this.module.funcNames.get(this.index);
    const where = name === undefined ? `func[${this.index}]` : `func[${this.index}] ${name}`;
    throw new InvalidError(`${message} in ${opName(this.instr.op)} of ${where}`, this.instr.offset);
  }

  private push(type: StackType): void {
    this.values.push(type);
  }

  private pop(expected?: StackType): StackType {
    const frame = this.frames[this.frames.length - 1];
    if (this.values.length === frame.height) {
      if (frame.unreachable) return "unknown";
      this.fail(`type mismatch: expected ${expected ?? "a value"} but the stack is empty`);
    }
    const actual = this.values.pop()!;
    if (expected !== undefined && expected !== "unknown" && actual !== "unknown" && actual !== expected) {
      this.fail(`type mismatch: expected ${expected}, found ${actual}`);
    }
    return actual;
  }

  private popAll(types: ValType[]): void {
    for (let i = types.length - 1; i >= 0; i--) this.pop(types[i]);
  }

  private pushAll(types: ValType[]): void {
    for (const type of types) this.push(type);
  }

  private pushFrame(op: number, params: ValType[], results: ValType[]): void {
    this.frames.push({ op, params, results, height: this.values.length, unreachable: false });
    this.pushAll(params);
  }

  private popFrame(): Frame {
    if (this.frames.length === 0) this.fail("unexpected end");
    const frame = this.frames[this.frames.length - 1];
    this.popAll(frame.results);
    if (this.values.length !== frame.height) this.fail("type mismatch: values remain on the stack at end of block");
    this.frames.pop();
    return frame;
  }

  private labelTypes(frame: Frame): ValType[] {
    return frame.op === 0x03 ? frame.params : frame.results;
  }

  private label(depth: number): Frame {
    if (depth >= this.frames.length) this.fail(`unknown label ${depth}`);
    return this.frames[this.frames.length - 1 - depth];
  }

  private unreachable(): void {
    const frame = this.frames[this.frames.length - 1];
    this.values.length = frame.height;
    frame.unreachable = true;
  }

  private local(index: number): ValType {
    if (index >= this.locals.length) this.fail(`unknown local ${index}`);
    return this.locals[index];
  }

  private global(index: number) {
    if (index >= this.module.globals.length) this.fail(`unknown global ${index}`);
    return this.module.globals[index];
  }

  private requireMemory(): void {
    if (this.module.memories.length === 0) this.fail("unknown memory 0");
  }

  private requireTable(index: number): ValType {
    if (index >= this.module.tables.length) this.fail(`unknown table ${index}`);
    return this.module.tables[index].element;
  }

  private requireData(index: number): void {
    if (this.module.dataCount === undefined) this.fail("data count section required");
    if (index >= this.module.dataCount) this.fail(`unknown data segment ${index}`);
  }

  private requireElem(index: number): ValType {
    if (index >= this.module.elems.length) this.fail(`unknown elem segment ${index}`);
    return this.module.elems[index].type;
  }

  private funcType(index: number): FuncType {
    if (index >= this.module.funcTypes.length) this.fail(`unknown function ${index}`);
    return this.module.types[this.module.funcTypes[index]];
  }

  run(): void {
    const body = this.func.body;
    this.instr = body[0] ?? { op: 0x0b, offset: this.func.offset, a: 0, b: 0 };
    this.frames.push({ op: 0x02, params: [], results: this.type.results, height: 0, unreachable: false });
    for (let i = 0; i < body.length; i++) {
      this.instr = body[i];
      this.step(body[i]);
      if (this.frames.length === 0 && i !== body.length - 1) this.fail("unexpected end");
    }
    if (this.frames.length !== 0) this.fail("unexpected end of function body");
  }

  private step(instr: Instr): void {
    const op = instr.op;
    const info = opInfo.get(op);
    if (info?.params && info.size === undefined) {
      this.popAll(info.params);
      this.pushAll(info.results!);
      return;
    }
    if (info?.size !== undefined) {
      this.requireMemory();
      if (2 ** instr.a > info.size) this.fail("alignment must not be larger than natural");
      this.popAll(info.params!);
      this.pushAll(info.results!);
      return;
    }
    switch (op) {
      case 0x00:
        this.unreachable();
        return;
      case 0x01:
        return;
      case 0x02:
      case 0x03:
      case 0x04: {
        const sig = blockSignature(this.module, instr.block!, instr.offset);
        if (op === 0x04) this.pop("i32");
        this.popAll(sig.params);
        this.pushFrame(op, sig.params, sig.results);
        return;
      }
      case 0x05: {
        const frame = this.popFrame();
        if (frame.op !== 0x04) this.fail("else without if");
        this.pushFrame(0x05, frame.params, frame.results);
        return;
      }
      case 0x0b: {
        const frame = this.popFrame();
        if (frame.op === 0x04 && !sameTypes(frame.params, frame.results)) {
          this.fail("type mismatch: if without else must leave its parameters");
        }
        this.pushAll(frame.results);
        return;
      }
      case 0x0c:
        this.popAll(this.labelTypes(this.label(instr.a)));
        this.unreachable();
        return;
      case 0x0d: {
        this.pop("i32");
        const types = this.labelTypes(this.label(instr.a));
        this.popAll(types);
        this.pushAll(types);
        return;
      }
      case 0x0e: {
        this.pop("i32");
        const arity = this.labelTypes(this.label(instr.a)).length;
        for (const target of [...instr.targets!, instr.a]) {
          const types = this.labelTypes(this.label(target));
          if (types.length !== arity) this.fail("type mismatch: br_table targets have different arities");
          const popped: StackType[] = [];
          for (let i = types.length - 1; i >= 0; i--) popped.unshift(this.pop(types[i]));
          for (const type of popped) this.push(type);
        }
        this.popAll(this.labelTypes(this.label(instr.a)));
        this.unreachable();
        return;
      }
      case 0x0f:
        this.popAll(this.type.results);
        this.unreachable();
        return;
      case 0x10: {
        const type = this.funcType(instr.a);
        this.popAll(type.params);
        this.pushAll(type.results);
        return;
      }
      case 0x11: {
        const element = this.requireTable(instr.b);
        if (element !== "funcref") this.fail("type mismatch: call_indirect needs a funcref table");
        if (instr.a >= this.module.types.length) this.fail(`unknown type ${instr.a}`);
        const type = this.module.types[instr.a];
        this.pop("i32");
        this.popAll(type.params);
        this.pushAll(type.results);
        return;
      }
      case 0x1a:
        this.pop();
        return;
      case 0x1b: {
        this.pop("i32");
        const first = this.pop();
        const second = this.pop(first);
        const type = first === "unknown" ? second : first;
        if (type === "funcref" || type === "externref") this.fail("type mismatch: select without a type needs a numeric operand");
        this.push(type);
        return;
      }
      case 0x1c: {
        const type = instr.selectType!;
        this.pop("i32");
        this.pop(type);
        this.pop(type);
        this.push(type);
        return;
      }
      case 0x20:
        this.push(this.local(instr.a));
        return;
      case 0x21:
        this.pop(this.local(instr.a));
        return;
      case 0x22: {
        const type = this.local(instr.a);
        this.pop(type);
        this.push(type);
        return;
      }
      case 0x23:
        this.push(this.global(instr.a).type);
        return;
      case 0x24: {
        const global = this.global(instr.a);
        if (!global.mutable) this.fail("global is immutable");
        this.pop(global.type);
        return;
      }
      case 0x3f:
        this.requireMemory();
        this.push("i32");
        return;
      case 0x40:
        this.requireMemory();
        this.pop("i32");
        this.push("i32");
        return;
      case 0x41:
        this.push("i32");
        return;
      case 0x42:
        this.push("i64");
        return;
      case 0x43:
        this.push("f32");
        return;
      case 0x44:
        this.push("f64");
        return;
      case 0xd0:
        this.push(instr.selectType!);
        return;
      case 0xd1: {
        const type = this.pop();
        if (type !== "unknown" && type !== "funcref" && type !== "externref") {
          this.fail("type mismatch: ref.is_null needs a reference");
        }
        this.push("i32");
        return;
      }
      case 0xd2:
        this.funcType(instr.a);
        if (!this.references.has(instr.a)) this.fail("undeclared function reference");
        this.push("funcref");
        return;
      case 0x25: {
        const type = this.requireTable(instr.a);
        this.pop("i32");
        this.push(type);
        return;
      }
      case 0x26: {
        const type = this.requireTable(instr.a);
        this.pop(type);
        this.pop("i32");
        return;
      }
      case 0xfc08:
        this.requireMemory();
        this.requireData(instr.a);
        this.popAll(["i32", "i32", "i32"]);
        return;
      case 0xfc09:
        this.requireData(instr.a);
        return;
      case 0xfc0a:
      case 0xfc0b:
        this.requireMemory();
        this.popAll(["i32", "i32", "i32"]);
        return;
      case 0xfc0c: {
        const table = this.requireTable(instr.b);
        const elem = this.requireElem(instr.a);
        if (table !== elem) this.fail("type mismatch: element segment and table");
        this.popAll(["i32", "i32", "i32"]);
        return;
      }
      case 0xfc0d:
        this.requireElem(instr.a);
        return;
      case 0xfc0e: {
        const dst = this.requireTable(instr.a);
        const src = this.requireTable(instr.b);
        if (dst !== src) this.fail("type mismatch: tables of different element types");
        this.popAll(["i32", "i32", "i32"]);
        return;
      }
      case 0xfc0f: {
        const type = this.requireTable(instr.a);
        this.pop("i32");
        this.pop(type);
        this.push("i32");
        return;
      }
      case 0xfc10:
        this.requireTable(instr.a);
        this.push("i32");
        return;
      case 0xfc11: {
        const type = this.requireTable(instr.a);
        this.popAll(["i32", type, "i32"]);
        return;
      }
    }
    this.fail(`illegal opcode ${opName(op)}`);
  }
}

function sameTypes(a: ValType[], b: ValType[]): boolean {
  return a.length === b.length && a.every((type, i) => type === b[i]);
}
