// Lowers one function body to nasm. The code generator is deliberately
// simple: every local and every operand-stack slot has a fixed place in
// the frame, and each instruction loads its operands from there and stores
// its result back.
//
// Frame layout (rbp-relative, 8 bytes per slot):
//   [rbp+16+8*i]     parameter i, and result i on return (caller's area)
//   [rbp+8]          return address
//   [rbp]            caller's rbp
//   [rbp-8*(j+1)]    declared local j (after the parameters)
//   [rbp-8*(L+k+1)]  operand-stack slot k, with L declared locals
//
// Internal calling convention: the caller reserves max(params, results)
// slots at rsp (rounded up to 16 bytes), stores the arguments there, calls,
// and reads the results from the same slots.
//
// local.get and constants are deferred: the stack entry records where its
// value is, and the numeric, memory, local, global and call instructions
// read it from there. Any other instruction first stores deferred entries
// in their slots, and local.set of a local first stores the entries that
// read it. An integer comparison followed by if or br_if becomes cmp and
// a conditional jump.
import { UnsupportedError } from "../errors.ts";
import { opInfo, opName } from "../decode/opcodes.ts";
import type { FuncType, Instr, Module, ValType } from "../decode/types.ts";
import { blockSignature } from "../validate/validate.ts";
import { emitNumeric, type Emitter } from "./numeric.ts";
import { lookupIntrinsic } from "./intrinsics.ts";
import { hex, Trap, type Target } from "./target.ts";

export interface ModuleContext {
  module: Module;
  target: Target;
  // Canonical id of each type index: equal function types share an id,
  // which is what call_indirect compares.
  typeIds: number[];
  funcName(index: number): string;
  globalAddress(index: number): string;
}

interface Frame {
  op: number;
  // Stack height below the block's parameters.
  height: number;
  params: number;
  results: number;
  endLabel: string;
  // Loop: the label at its start; if: the label of its else branch.
  startLabel: string;
  elseLabel?: string;
  hasElse: boolean;
  unreachable: boolean;
}

export function funcLabel(index: number): string {
  return `aot_f${index}`;
}

export function nameLabel(index: number): string {
  return `aot_name${index}`;
}

export function areaSize(type: FuncType): number {
  const slots = Math.max(type.params.length, type.results.length);
  return Math.ceil(slots / 2) * 16;
}

export function valueSize(type: ValType): string {
  return type === "i32" || type === "f32" ? "dword" : "qword";
}

const accessSize = (info: { size?: number }) => info.size!;

// Condition codes of i32/i64 eq, ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u,
// ge_s, ge_u, and their negations.
const intConditions = ["e", "ne", "l", "b", "g", "a", "le", "be", "ge", "ae"];
const negatedConditions: Record<string, string> = {
  e: "ne", ne: "e", l: "ge", ge: "l", b: "ae", ae: "b", g: "le", le: "g", a: "be", be: "a",
};

// A stack entry whose value is not in its slot yet.
type Deferred = { kind: "local"; index: number } | { kind: "const"; value: bigint };

const fitsImmediate32 = (value: bigint) => value >= -(2n ** 31n) && value < 2n ** 31n;

// Integer instructions whose second operand may be an immediate:
// comparisons, add, sub, and, or, xor.
function takesImmediate(op: number): boolean {
  if ((op >= 0x46 && op <= 0x4f) || (op >= 0x51 && op <= 0x5a)) return true;
  let index = -1;
  if (op >= 0x6a && op <= 0x78) index = op - 0x6a;
  if (op >= 0x7c && op <= 0x8a) index = op - 0x7c;
  return [0, 1, 7, 8, 9].includes(index);
}

// Drops a load of a frame slot into the register that the line before
// stored there. Labels are lines of their own, so no jump lands between
// the two lines.
function dropReloads(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out[out.length - 1];
    const store = previous && /^    mov (?:dword |qword )?(\[rbp[-+]\d+\]), (eax|rax)$/.exec(previous);
    if (store && line === `    mov ${store[2]}, ${store[1]}`) continue;
    out.push(line);
  }
  return out;
}

export class FunctionCompiler implements Emitter {
  private lines: string[] = [];
  private labels = 0;
  private traps = new Set<number>();
  private height = 0;
  private maxHeight = 0;
  private frames: Frame[] = [];
  // Deferred stack entries by stack position.
  private deferred = new Map<number, Deferred>();
  // Nesting depth of blocks opened inside unreachable code.
  private skipDepth = 0;
  private skipping = false;
  private type: FuncType;
  private declared: number;
  private instr!: Instr;

  constructor(
    private ctx: ModuleContext,
    private index: number,
  ) {
    const func = ctx.module.funcs[index - ctx.module.importedFuncs];
    this.type = ctx.module.types[func.typeIndex];
    this.declared = func.locals.length;
  }

  emit(...lines: string[]): void {
    for (const line of lines) this.lines.push(line.endsWith(":") ? line : `    ${line}`);
  }

  label(): string {
    return `.L${this.labels++}`;
  }

  trap(kind: number): string {
    this.traps.add(kind);
    return `.trap${kind}`;
  }

  private fail(message: string): never {
    throw new UnsupportedError(
      `${message} in ${this.ctx.funcName(this.index)} (func[${this.index}])`,
      this.instr?.offset,
    );
  }

  private slot(k: number): string {
    if (k < 0) throw new Error(`aot: internal error: stack slot ${k} in func[${this.index}]`);
    return `[rbp-${8 * (this.declared + k + 1)}]`;
  }

  private top(depth = 0): string {
    return this.slot(this.height - 1 - depth);
  }

  private local(i: number): string {
    const params = this.type.params.length;
    return i < params ? `[rbp+${16 + 8 * i}]` : `[rbp-${8 * (i - params + 1)}]`;
  }

  private push(): string {
    this.height++;
    this.maxHeight = Math.max(this.maxHeight, this.height);
    return this.slot(this.height - 1);
  }

  private copy(from: string, to: string): void {
    if (from !== to) this.emit(`mov rax, ${from}`, `mov ${to}, rax`);
  }

  private storeConst(value: bigint, to: string): void {
    if (fitsImmediate32(value)) this.emit(`mov qword ${to}, ${value}`);
    else this.emit(`mov rax, ${hex(BigInt.asUintN(64, value))}`, `mov ${to}, rax`);
  }

  // Stores deferred entry k in its slot.
  private materialize(k: number): void {
    const entry = this.deferred.get(k);
    if (!entry) return;
    this.deferred.delete(k);
    if (entry.kind === "local") this.copy(this.local(entry.index), this.slot(k));
    else this.storeConst(entry.value, this.slot(k));
  }

  private flush(): void {
    for (const k of [...this.deferred.keys()].sort((a, b) => a - b)) this.materialize(k);
  }

  // Returns a memory operand holding entry k and removes its deferred
  // record. A deferred constant is stored in its slot first.
  private operand(k: number): string {
    const entry = this.deferred.get(k);
    if (entry?.kind === "local") {
      this.deferred.delete(k);
      return this.local(entry.index);
    }
    this.materialize(k);
    return this.slot(k);
  }

  // Like operand, but returns a deferred constant as an immediate of
  // `bits` bits.
  private operandOrImmediate(k: number, bits: 32 | 64): string {
    const entry = this.deferred.get(k);
    if (entry?.kind === "const") {
      this.deferred.delete(k);
      return hex(BigInt.asUintN(bits, entry.value));
    }
    return this.operand(k);
  }

  compile(): string[] {
    const func = this.ctx.module.funcs[this.index - this.ctx.module.importedFuncs];
    const results = this.type.results.length;
    if (this.ctx.target.stackChecks) this.traps.add(Trap.stackExhausted);
    this.frames.push({
      op: 0x02,
      height: 0,
      params: 0,
      results,
      endLabel: ".return",
      startLabel: ".return",
      hasElse: false,
      unreachable: false,
    });
    const body = func.body.slice(0, -1);
    for (let i = 0; i < body.length; i++) {
      this.instr = body[i];
      if (this.fuseCompare(body[i], body[i + 1])) i++;
      else this.step(body[i]);
    }
    if (!this.skipping) this.flush();
    this.emit(`.return:`);
    for (let i = 0; i < results; i++) this.copy(this.slot(i), `[rbp+${16 + 8 * i}]`);
    this.emit(`leave`, `ret`);
    for (const kind of [...this.traps].sort((a, b) => a - b)) {
      this.emit(`.trap${kind}:`, `mov edi, ${kind}`, `lea rsi, [rel ${nameLabel(this.index)}]`, `call aot_trap`);
    }
    return [...this.prologue(), ...dropReloads(this.lines)];
  }

  private prologue(): string[] {
    const frameSize = Math.ceil((this.declared + this.maxHeight) / 2) * 16;
    const lines = [`${funcLabel(this.index)}:`, `    push rbp`, `    mov rbp, rsp`];
    if (this.ctx.target.stackChecks) {
      lines.push(
        `    lea rax, [rsp-${frameSize}]`,
        `    cmp rax, [rel aot_stack_limit]`,
        `    jb .trap${Trap.stackExhausted}`,
      );
    }
    if (frameSize) lines.push(`    sub rsp, ${frameSize}`);
    if (this.declared > 8) {
      lines.push(`    xor eax, eax`, `    lea rdi, [rbp-${8 * this.declared}]`);
      lines.push(`    mov ecx, ${this.declared}`, `    rep stosq`);
    } else if (this.declared > 0) {
      lines.push(`    xor eax, eax`);
      for (let j = 0; j < this.declared; j++) lines.push(`    mov [rbp-${8 * (j + 1)}], rax`);
    }
    return lines;
  }

  private step(instr: Instr): void {
    const op = instr.op;
    if (this.skipping) {
      if (op === 0x02 || op === 0x03 || op === 0x04) this.skipDepth++;
      else if (op === 0x0b && this.skipDepth > 0) this.skipDepth--;
      else if ((op === 0x0b || op === 0x05) && this.skipDepth === 0) {
        this.skipping = false;
        this.deferred.clear();
        this.control(instr);
      }
      return;
    }
    if (this.deferrable(instr)) return;
    this.flush();
    if (this.control(instr)) return;
    this.other(instr);
  }

  // Emits the instructions that read deferred entries in place; returns
  // false for the others.
  private deferrable(instr: Instr): boolean {
    const op = instr.op;
    const info = opInfo.get(op);
    if (info?.size !== undefined) {
      if (info.params!.length === 1) this.load(op, instr.b, accessSize(info));
      else this.store(op, instr.b, accessSize(info));
      return true;
    }
    if (info?.params) {
      const arity = info.params.length;
      const base = this.height - arity;
      let b = "";
      if (arity === 2) {
        const entry = this.deferred.get(this.height - 1);
        const immediate = entry?.kind === "const" && takesImmediate(op) && fitsImmediate32(entry.value);
        if (immediate) {
          this.deferred.delete(this.height - 1);
          b = String(entry.value);
        } else {
          b = this.operand(this.height - 1);
        }
      }
      const a = this.operand(base);
      if (arity === 1) b = a;
      if (!emitNumeric(this, op, this.slot(base), a, b)) this.fail(`unsupported opcode ${opName(op)}`);
      this.height = base + info.results!.length;
      return true;
    }
    switch (op) {
      case 0x20:
        this.push();
        this.deferred.set(this.height - 1, { kind: "local", index: instr.a });
        return true;
      case 0x41:
      case 0x42:
      case 0x43:
      case 0x44: {
        const bits = op === 0x41 || op === 0x43 ? BigInt.asIntN(32, instr.bits!) : BigInt.asIntN(64, instr.bits!);
        this.push();
        this.deferred.set(this.height - 1, { kind: "const", value: bits });
        return true;
      }
      case 0x1a:
        this.deferred.delete(this.height - 1);
        this.height--;
        return true;
      case 0x21:
      case 0x22:
        this.setLocal(instr.a, op === 0x22);
        return true;
      case 0x23: {
        const size = valueSize(this.ctx.module.globals[instr.a].type);
        const reg = size === "dword" ? "eax" : "rax";
        this.emit(`mov ${reg}, [rel ${this.ctx.globalAddress(instr.a)}]`, `mov ${this.push()}, ${reg}`);
        return true;
      }
      case 0x10:
        // The callee cannot change this frame's locals, so deferred entries
        // below the arguments stay valid across the call.
        this.call(instr.a);
        return true;
      case 0x24: {
        const size = valueSize(this.ctx.module.globals[instr.a].type);
        const reg = size === "dword" ? "eax" : "rax";
        const value = this.operandOrImmediate(this.height - 1, size === "dword" ? 32 : 64);
        this.emit(`mov ${reg}, ${value}`, `mov [rel ${this.ctx.globalAddress(instr.a)}], ${reg}`);
        this.height--;
        return true;
      }
    }
    return false;
  }

  // local.set and local.tee. Deferred entries that read the local keep
  // the old value, so they are stored first.
  private setLocal(index: number, keep: boolean): void {
    const top = this.height - 1;
    for (const [k, entry] of this.deferred) {
      if (k !== top && entry.kind === "local" && entry.index === index) this.materialize(k);
    }
    const entry = this.deferred.get(top);
    if (entry?.kind === "const") this.storeConst(entry.value, this.local(index));
    else if (entry?.kind === "local") this.copy(this.local(entry.index), this.local(index));
    else this.copy(this.slot(top), this.local(index));
    if (!keep) {
      this.deferred.delete(top);
      this.height--;
    }
  }

  private markUnreachable(): void {
    this.skipping = true;
    this.skipDepth = 0;
  }

  private branchTarget(depth: number): { frame: Frame; arity: number; label: string } {
    const frame = this.frames[this.frames.length - 1 - depth];
    const isLoop = frame.op === 0x03;
    return {
      frame,
      arity: isLoop ? frame.params : frame.results,
      label: isLoop ? frame.startLabel : frame.endLabel,
    };
  }

  // Moves the branch values to where the target label expects them.
  private branchCopy(depth: number): string {
    const { frame, arity, label } = this.branchTarget(depth);
    for (let i = 0; i < arity; i++) {
      this.copy(this.slot(this.height - arity + i), this.slot(frame.height + i));
    }
    return label;
  }

  private needsCopy(depth: number): boolean {
    const { frame, arity } = this.branchTarget(depth);
    return arity > 0 && this.height - arity !== frame.height;
  }

  private control(instr: Instr): boolean {
    const op = instr.op;
    switch (op) {
      case 0x00:
        this.emit(`jmp ${this.trap(Trap.unreachable)}`);
        this.markUnreachable();
        return true;
      case 0x01:
        return true;
      case 0x02:
      case 0x03:
      case 0x04: {
        let elseLabel: string | undefined;
        if (op === 0x04) {
          elseLabel = this.label();
          this.emit(`mov eax, ${this.top()}`, `test eax, eax`, `jz ${elseLabel}`);
          this.height--;
        }
        this.openBlock(instr, elseLabel);
        return true;
      }
      case 0x05: {
        const frame = this.frames[this.frames.length - 1];
        this.emit(`jmp ${frame.endLabel}`, `${frame.elseLabel}:`);
        frame.hasElse = true;
        this.height = frame.height + frame.params;
        return true;
      }
      case 0x0b: {
        const frame = this.frames.pop()!;
        if (frame.op === 0x04 && !frame.hasElse) this.emit(`${frame.elseLabel}:`);
        this.emit(`${frame.endLabel}:`);
        this.height = frame.height + frame.results;
        this.maxHeight = Math.max(this.maxHeight, this.height);
        return true;
      }
      case 0x0c:
        this.emit(`jmp ${this.branchCopy(instr.a)}`);
        this.markUnreachable();
        return true;
      case 0x0d: {
        this.emit(`mov eax, ${this.top()}`);
        this.height--;
        if (!this.needsCopy(instr.a)) {
          this.emit(`test eax, eax`, `jnz ${this.branchTarget(instr.a).label}`);
        } else {
          const skip = this.label();
          this.emit(`test eax, eax`, `jz ${skip}`);
          this.emit(`jmp ${this.branchCopy(instr.a)}`, `${skip}:`);
        }
        return true;
      }
      case 0x0e:
        this.brTable(instr);
        return true;
      case 0x0f:
        this.emit(`jmp ${this.branchCopy(this.frames.length - 1)}`);
        this.markUnreachable();
        return true;
    }
    return false;
  }

  // Pushes the frame of block, loop or if. For an if, the caller has
  // already emitted the jump to elseLabel that is taken when the condition
  // is false.
  private openBlock(instr: Instr, elseLabel?: string): void {
    const sig = blockSignature(this.ctx.module, instr.block!, instr.offset);
    const frame: Frame = {
      op: instr.op,
      height: this.height - sig.params.length,
      params: sig.params.length,
      results: sig.results.length,
      endLabel: this.label(),
      startLabel: this.label(),
      elseLabel,
      hasElse: false,
      unreachable: false,
    };
    if (instr.op === 0x03) this.emit(`${frame.startLabel}:`);
    this.frames.push(frame);
  }

  // Emits an integer comparison followed by if or br_if as cmp and a
  // conditional jump, without the 0/1 value in between. Returns false
  // when the pair does not fit.
  private fuseCompare(instr: Instr, next: Instr | undefined): boolean {
    const op = instr.op;
    const isCompare = (op >= 0x45 && op <= 0x4f) || (op >= 0x50 && op <= 0x5a);
    if (this.skipping || !isCompare || !next || (next.op !== 0x04 && next.op !== 0x0d)) return false;
    const arity = op === 0x45 || op === 0x50 ? 1 : 2;
    const width = op <= 0x4f ? "dword" : "qword";
    const base = this.height - arity;
    for (const k of [...this.deferred.keys()]) if (k < base) this.materialize(k);

    let condition: string;
    if (arity === 1) {
      this.emit(`cmp ${width} ${this.operand(base)}, 0`);
      condition = "e";
    } else {
      const entry = this.deferred.get(this.height - 1);
      let b: string;
      if (entry?.kind === "const" && fitsImmediate32(entry.value)) {
        this.deferred.delete(this.height - 1);
        b = String(entry.value);
      } else {
        b = this.operand(this.height - 1);
      }
      const register = width === "dword" ? "ecx" : "rcx";
      this.emit(`mov ${register}, ${this.operand(base)}`, `cmp ${register}, ${b}`);
      condition = intConditions[op - (op <= 0x4f ? 0x46 : 0x51)];
    }
    this.height = base;

    this.instr = next;
    if (next.op === 0x04) {
      const elseLabel = this.label();
      this.emit(`j${negatedConditions[condition]} ${elseLabel}`);
      this.openBlock(next, elseLabel);
    } else if (!this.needsCopy(next.a)) {
      this.emit(`j${condition} ${this.branchTarget(next.a).label}`);
    } else {
      const skip = this.label();
      this.emit(`j${negatedConditions[condition]} ${skip}`);
      this.emit(`jmp ${this.branchCopy(next.a)}`, `${skip}:`);
    }
    return true;
  }

  private brTable(instr: Instr): void {
    const targets = instr.targets!;
    this.emit(`mov eax, ${this.top()}`);
    this.height--;
    const table = this.label();
    const stubs = [...targets, instr.a].map(() => this.label());
    this.emit(`cmp eax, ${targets.length}`, `jae ${stubs[targets.length]}`);
    this.emit(`lea rcx, [rel ${table}]`, `movsxd rax, dword [rcx+rax*4]`, `add rax, rcx`, `jmp rax`);
    this.lines.push(`align 4`, `${table}:`);
    for (let i = 0; i < targets.length; i++) this.lines.push(`    dd ${stubs[i]} - ${table}`);
    [...targets, instr.a].forEach((depth, i) => {
      this.emit(`${stubs[i]}:`);
      this.emit(`jmp ${this.branchCopy(depth)}`);
    });
    this.markUnreachable();
  }

  // Computes the native address of a memory access into rax + rcx: rax is
  // the effective address (zero-extended pointer plus offset, no 32-bit
  // wrap, wasm spec 4.4.7) and rcx the memory base.
  private address(pointer: string, offset: number, size: number): void {
    this.emit(`mov eax, ${pointer}`);
    if (offset > 0x7fffffff) this.emit(`mov ecx, ${offset}`, `add rax, rcx`);
    else if (offset > 0) this.emit(`add rax, ${offset}`);
    if (this.ctx.target.boundsChecks) {
      this.emit(
        `lea rcx, [rax+${size}]`,
        `cmp rcx, [rel aot_memory_bytes]`,
        `ja ${this.trap(Trap.outOfBoundsMemory)}`,
      );
    }
    this.emit(`mov rcx, ${hex(this.ctx.target.memoryBase)}`);
  }

  private load(op: number, offset: number, size: number): void {
    const slot = this.top();
    this.address(this.operandOrImmediate(this.height - 1, 32), offset, size);
    const m = "[rcx+rax]";
    const code: Record<number, string[]> = {
      0x28: [`mov eax, ${m}`, `mov ${slot}, eax`],
      0x29: [`mov rax, ${m}`, `mov ${slot}, rax`],
      0x2a: [`mov eax, ${m}`, `mov ${slot}, eax`],
      0x2b: [`mov rax, ${m}`, `mov ${slot}, rax`],
      0x2c: [`movsx eax, byte ${m}`, `mov ${slot}, eax`],
      0x2d: [`movzx eax, byte ${m}`, `mov ${slot}, eax`],
      0x2e: [`movsx eax, word ${m}`, `mov ${slot}, eax`],
      0x2f: [`movzx eax, word ${m}`, `mov ${slot}, eax`],
      0x30: [`movsx rax, byte ${m}`, `mov ${slot}, rax`],
      0x31: [`movzx eax, byte ${m}`, `mov ${slot}, rax`],
      0x32: [`movsx rax, word ${m}`, `mov ${slot}, rax`],
      0x33: [`movzx eax, word ${m}`, `mov ${slot}, rax`],
      0x34: [`movsxd rax, dword ${m}`, `mov ${slot}, rax`],
      0x35: [`mov eax, ${m}`, `mov ${slot}, rax`],
    };
    this.emit(...code[op]);
  }

  private store(op: number, offset: number, size: number): void {
    const value = this.operandOrImmediate(this.height - 1, 64);
    this.address(this.operandOrImmediate(this.height - 2, 32), offset, size);
    const m = "[rcx+rax]";
    const register = { 1: "dl", 2: "dx", 4: "edx", 8: "rdx" }[size]!;
    this.emit(`mov rdx, ${value}`, `mov ${m}, ${register}`);
    this.height -= 2;
  }

  private other(instr: Instr): void {
    const op = instr.op;
    const module = this.ctx.module;
    switch (op) {
      case 0x11:
        this.callIndirect(instr.a);
        return;
      case 0x1b:
      case 0x1c: {
        const keep = this.label();
        this.emit(`mov eax, ${this.top()}`, `test eax, eax`, `jnz ${keep}`);
        this.copy(this.top(1), this.top(2));
        this.emit(`${keep}:`);
        this.height -= 2;
        return;
      }
      case 0x3f:
        this.emit(`mov rax, [rel aot_memory_bytes]`, `shr rax, 16`, `mov ${this.push()}, eax`);
        return;
      case 0x40:
        this.emit(`mov edi, ${this.top()}`, `call aot_memory_grow`, `mov ${this.top()}, eax`);
        return;
      case 0xfc08:
        this.memoryInit(instr.a);
        return;
      case 0xfc09:
        this.emit(`mov qword [rel aot_data_length${instr.a}], 0`);
        return;
      case 0xfc0a:
        this.memoryCopy();
        return;
      case 0xfc0b:
        this.memoryFill();
        return;
      case 0xfc0c:
        this.tableInit(instr.a);
        return;
      case 0xfc0d:
        this.emit(`mov qword [rel aot_elem_length${instr.a}], 0`);
        return;
      case 0xfc0e:
        this.tableCopy();
        return;
    }
    this.fail(`unsupported opcode ${opName(op)}`);
  }

  private call(callee: number): void {
    const module = this.ctx.module;
    const type = module.types[module.funcTypes[callee]];
    const params = type.params.length;
    const importEntry = callee < module.importedFuncs ? module.imports.filter((i) => i.kind === "func")[callee] : undefined;
    if (importEntry && importEntry.module === "x86") {
      const intrinsic = lookupIntrinsic(importEntry.name, type, this.ctx.target, importEntry.offset);
      const base = this.height - params;
      const args = type.params.map((_, i) => this.operand(base + i));
      this.height = base;
      const result = type.results.length ? this.push() : "";
      intrinsic.emit(this, this.ctx.target, args, result);
      return;
    }
    this.callWith(type, () => this.emit(`call ${funcLabel(callee)}`));
  }

  private callWith(type: FuncType, call: () => void): void {
    const params = type.params.length;
    const area = areaSize(type);
    const base = this.height - params;
    if (area) this.emit(`sub rsp, ${area}`);
    for (let i = 0; i < params; i++) {
      const entry = this.deferred.get(base + i);
      const argument = `[rsp+${8 * i}]`;
      if (entry?.kind === "const") this.storeConst(entry.value, argument);
      else if (entry?.kind === "local") this.copy(this.local(entry.index), argument);
      else this.copy(this.slot(base + i), argument);
      this.deferred.delete(base + i);
    }
    call();
    this.height = base;
    for (let i = 0; i < type.results.length; i++) this.emit(`mov rax, [rsp+${8 * i}]`, `mov ${this.push()}, rax`);
    if (area) this.emit(`add rsp, ${area}`);
  }

  // call_indirect through table 0: entries are 16 bytes, the code address
  // (0 for a null reference) and the canonical type id.
  private callIndirect(typeIndex: number): void {
    const type = this.ctx.module.types[typeIndex];
    this.emit(`mov eax, ${this.top()}`, `cmp rax, [rel aot_table_size]`);
    this.emit(`jae ${this.trap(Trap.undefinedElement)}`);
    this.emit(`shl rax, 4`, `lea rcx, [rel aot_table]`, `add rax, rcx`, `mov r11, [rax]`);
    this.emit(`test r11, r11`, `jz ${this.trap(Trap.uninitializedElement)}`);
    this.emit(`cmp qword [rax+8], ${this.ctx.typeIds[typeIndex]}`);
    this.emit(`jne ${this.trap(Trap.indirectCallTypeMismatch)}`);
    this.height--;
    this.callWith(type, () => this.emit(`call r11`));
  }

  // Loads the three i32 operands of a bulk instruction into rdi (first),
  // rsi (second) and rdx (count), zero-extended.
  private bulkOperands(): void {
    this.emit(`mov edi, ${this.top(2)}`, `mov esi, ${this.top(1)}`, `mov edx, ${this.top()}`);
    this.height -= 3;
  }

  private checkRange(start: string, limit: string, trap: number): void {
    this.emit(`lea rax, [${start}+rdx]`, `cmp rax, ${limit}`, `ja ${this.trap(trap)}`);
  }

  private memoryInit(segment: number): void {
    this.bulkOperands();
    this.checkRange("rsi", `[rel aot_data_length${segment}]`, Trap.outOfBoundsMemory);
    if (this.ctx.target.boundsChecks) this.checkRange("rdi", `[rel aot_memory_bytes]`, Trap.outOfBoundsMemory);
    this.emit(`mov rax, ${hex(this.ctx.target.memoryBase)}`, `add rdi, rax`);
    this.emit(`lea rax, [rel aot_data${segment}]`, `add rsi, rax`, `mov rcx, rdx`, `rep movsb`);
  }

  private memoryCopy(): void {
    this.bulkOperands();
    if (this.ctx.target.boundsChecks) {
      this.checkRange("rsi", `[rel aot_memory_bytes]`, Trap.outOfBoundsMemory);
      this.checkRange("rdi", `[rel aot_memory_bytes]`, Trap.outOfBoundsMemory);
    }
    this.emit(`mov rax, ${hex(this.ctx.target.memoryBase)}`, `add rdi, rax`, `add rsi, rax`);
    this.emit(`call aot_memmove`);
  }

  private memoryFill(): void {
    this.bulkOperands();
    if (this.ctx.target.boundsChecks) {
      this.checkRange("rdi", `[rel aot_memory_bytes]`, Trap.outOfBoundsMemory);
    }
    this.emit(`mov rax, ${hex(this.ctx.target.memoryBase)}`, `add rdi, rax`);
    this.emit(`mov eax, esi`, `mov rcx, rdx`, `rep stosb`);
  }

  private tableInit(segment: number): void {
    this.bulkOperands();
    this.checkRange("rsi", `[rel aot_elem_length${segment}]`, Trap.outOfBoundsTable);
    this.checkRange("rdi", `[rel aot_table_size]`, Trap.outOfBoundsTable);
    this.emit(`shl rdi, 4`, `lea rax, [rel aot_table]`, `add rdi, rax`);
    this.emit(`shl rsi, 4`, `lea rax, [rel aot_elem${segment}]`, `add rsi, rax`);
    this.emit(`shl rdx, 4`, `call aot_memmove`);
  }

  private tableCopy(): void {
    this.bulkOperands();
    this.checkRange("rsi", `[rel aot_table_size]`, Trap.outOfBoundsTable);
    this.checkRange("rdi", `[rel aot_table_size]`, Trap.outOfBoundsTable);
    this.emit(`lea rax, [rel aot_table]`, `shl rdi, 4`, `shl rsi, 4`, `add rdi, rax`, `add rsi, rax`);
    this.emit(`shl rdx, 4`, `call aot_memmove`);
  }
}
