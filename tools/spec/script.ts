// Plans and checks one converted .wast script (the JSON of wast2json):
// decodes its modules, resolves imports, groups the instances that share
// state into one merged executable each, runs the executables and judges
// every command against the script's expectations.

import fs from "node:fs";
import path from "node:path";
import {
  DecodeError,
  F32,
  F64,
  I32,
  I64,
  KIND_FUNC,
  KIND_GLOBAL,
  KIND_MEMORY,
  KIND_TABLE,
  Module,
  decodeModule,
  unsupportedFeature,
} from "./wasm-binary.ts";
import {
  Extern,
  InstanceLayout,
  LinkError,
  MergeConflict,
  MergedModule,
  checkImport,
  spectestModule,
  spectestSignature,
} from "./link.ts";
import {
  DriverCommand,
  MASK_NO_START,
  MASK_RUN,
  MASK_SKIP,
  Operation,
  RunRecord,
  Value,
  addDriver,
  encodeCommands,
  parseRecords,
} from "./driver.ts";
import { ProcessResult } from "./v8-process.ts";

export interface JsonValue {
  type: string;
  value?: string;
}

export interface JsonAction {
  type: "invoke" | "get";
  module?: string;
  field: string;
  args?: JsonValue[];
}

export interface JsonCommand {
  type: string;
  line: number;
  name?: string;
  as?: string;
  filename?: string;
  module_type?: string;
  action?: JsonAction;
  expected?: JsonValue[];
  text?: string;
}

export type Status = "pass" | "fail" | "skip";

export interface Outcome {
  line: number;
  type: string;
  status: Status;
  /** Skip reason, or what failed. */
  reason?: string;
  command?: string;
  expected?: string;
  actual?: string;
  /**
   * For a passed assert_invalid or assert_malformed: the compiler's message
   * when it does not contain the spec's text (a rejection for another
   * reason, which may hide a validator gap).
   */
  otherReason?: string;
}

/** Compiles merged modules and runs them as processes. */
export interface Engine {
  readonly name: string;
  /** Trap kinds that the engine cannot tell apart count as equal. */
  readonly looseTrapKinds: boolean;
  /**
   * Builds the program for a merged module. `label` names its files, which
   * keep `stream` too, so that a failure can be rerun by hand.
   */
  prepare(wasm: Uint8Array, label: string, stream: Uint8Array): Promise<Program>;
  /**
   * Checks that the compiler rejects an invalid or malformed module, through
   * its command line when `viaCli` is set (slower: a node start-up each).
   */
  checkRejected(wasmPath: string, label: string, viaCli: boolean): Promise<RejectResult>;
}

export interface Program {
  /** Runs the program with the command mask as argv[1] and `stdin` as input. */
  run(mask: string, stdin: Uint8Array): Promise<ProcessResult>;
}

export interface RejectResult {
  rejected: boolean;
  message: string;
  /** Set when the rejection breaks the error contract (stack trace, no offset). */
  problem?: string;
}

/** Build failure of a merged module: the compiler rejected it or crashed. */
export class BuildError extends Error {}

interface Instance {
  id: number;
  label: string;
  module?: Module;
  /** Command that creates the instance. */
  command: JsonCommand;
  /** Expected trap message when instantiation must fail. */
  expectTrap?: string;
  skipReason?: string;
  /** Owner instance of each import; 0 is spectest. */
  importOwners: number[];
  /** The defining instance and its export name behind each import. */
  importSources: { owner: number; name: string }[];
  /** Externs of the exports, typed but with indices local to nothing. */
  exportTypes: Map<string, Extern>;
  /** For each export, the instance that defines the exported item. */
  exportOwners: Map<string, number>;
  /** Exports re-exporting an import: name to the import's export name. */
  reexports: Map<string, { owner: number; name: string }>;
}

const SPECTEST = 0;

function describeAction(action: JsonAction): string {
  const args = (action.args ?? []).map(formatJsonValue).join(" ");
  const target = action.module ? `${action.module} ` : "";
  return `${action.type} ${target}"${action.field}"${args ? ` ${args}` : ""}`;
}

function formatJsonValue(v: JsonValue): string {
  if (v.value === undefined) return `(${v.type})`;
  if (v.value.startsWith("nan:")) return `(${v.type}.const ${v.value})`;
  return `(${v.type}.const ${formatBits(v.type, BigInt(v.value))})`;
}

function formatBits(type: string, bits: bigint): string {
  switch (type) {
    case "i32":
      return `${BigInt.asIntN(32, bits)} (0x${bits.toString(16)})`;
    case "i64":
      return `${BigInt.asIntN(64, bits)} (0x${bits.toString(16)})`;
    case "f32": {
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, Number(bits & 0xffffffffn), true);
      return `${view.getFloat32(0, true)} (0x${bits.toString(16)})`;
    }
    case "f64": {
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, bits, true);
      return `${view.getFloat64(0, true)} (0x${bits.toString(16)})`;
    }
    default:
      return `0x${bits.toString(16)}`;
  }
}

const TYPE_CODES: Record<string, number> = { i32: I32, i64: I64, f32: F32, f64: F64 };
const TYPE_NAMES: Record<number, string> = { [I32]: "i32", [I64]: "i64", [F32]: "f32", [F64]: "f64" };

function toValue(v: JsonValue): Value {
  const type = TYPE_CODES[v.type];
  if (type === undefined || v.value === undefined)
    throw new MergeConflict(`argument type ${v.type}`);
  return { type, bits: BigInt(v.value) };
}

/** Compares a result with an expected value, NaN patterns included. */
export function matchValue(expected: JsonValue, bits: bigint): boolean {
  const value = expected.value ?? "";
  if (expected.type === "i32") return BigInt(value) === (bits & 0xffffffffn);
  if (expected.type === "f32") {
    const b = bits & 0xffffffffn;
    if (value === "nan:canonical") return (b & 0x7fffffffn) === 0x7fc00000n;
    if (value === "nan:arithmetic") return (b & 0x7fc00000n) === 0x7fc00000n;
    return BigInt(value) === b;
  }
  if (expected.type === "f64") {
    if (value === "nan:canonical") return (bits & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
    if (value === "nan:arithmetic")
      return (bits & 0x7ff8000000000000n) === 0x7ff8000000000000n;
    return BigInt(value) === bits;
  }
  return BigInt(value) === bits;
}

const LOOSE_TRAP_GROUPS = [
  ["integer overflow", "invalid conversion to integer"],
  [
    "undefined element",
    "uninitialized element",
    "indirect call type mismatch",
    "out of bounds table access",
  ],
];

function trapMatches(expected: string, actual: string, loose: boolean): boolean {
  if (expected.startsWith(actual) || actual.startsWith(expected)) return true;
  if (!loose) return false;
  return LOOSE_TRAP_GROUPS.some(
    (group) =>
      group.some((k) => expected.startsWith(k)) && group.some((k) => actual.startsWith(k)),
  );
}

/** What one driver command produced across the runs of its executable. */
type Observation =
  | { kind: "values"; values: bigint[] }
  | { kind: "trap"; message: string }
  | { kind: "crash"; detail: string };

interface Group {
  instances: Instance[];
  /** First instance of each group packed into this one. */
  firsts: Instance[];
  /** The groups packed into this one, or empty for a group of its own. */
  parts: Group[];
  /** Script command index of each driver command. */
  scriptIndex: number[];
  commands: DriverCommand[];
}

export class ScriptRunner {
  private readonly instances: Instance[] = [];
  private readonly outcomes: (Outcome | undefined)[];
  private readonly spectestExports = spectestSignature();

  constructor(
    private readonly jsonPath: string,
    private readonly commands: JsonCommand[],
    private readonly engine: Engine,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.outcomes = new Array(commands.length);
  }

  private dir(): string {
    return path.dirname(this.jsonPath);
  }

  private set(index: number, outcome: Omit<Outcome, "line" | "type">): void {
    const c = this.commands[index];
    this.outcomes[index] = { line: c.line, type: c.type, ...outcome };
  }

  /** Instance that each script command creates or acts on. */
  private target: (number | undefined)[] = [];

  async run(): Promise<Outcome[]> {
    this.target = this.plan();
    for (const group of this.pack(this.groups(this.target))) await this.runGroup(group);
    await this.checkRejections();
    return this.outcomes.filter((o): o is Outcome => o !== undefined);
  }

  /** Decodes and links the modules; returns, per command, its instance. */
  private plan(): (number | undefined)[] {
    const spectest: Instance = {
      id: SPECTEST,
      label: "spectest",
      command: { type: "module", line: 0 },
      importOwners: [],
      importSources: [],
      exportTypes: this.spectestExports,
      exportOwners: new Map([...this.spectestExports.keys()].map((k) => [k, SPECTEST])),
      reexports: new Map(),
    };
    this.instances.push(spectest);
    const registry = new Map<string, number>([["spectest", SPECTEST]]);
    const named = new Map<string, number>();
    let current: number | undefined;
    const target: (number | undefined)[] = [];

    this.commands.forEach((c, index) => {
      switch (c.type) {
        case "module": {
          const inst = this.newInstance(c, registry);
          if (c.name) named.set(c.name, inst.id);
          current = inst.id;
          target[index] = inst.id;
          if (inst.skipReason) this.setInstanceSkipped(index, inst);
          break;
        }
        case "register": {
          const id = c.name ? named.get(c.name) : current;
          if (id !== undefined) registry.set(c.as!, id);
          break;
        }
        case "assert_unlinkable":
          this.checkUnlinkable(index, c, registry);
          break;
        case "assert_uninstantiable":
        case "assert_trap":
        case "assert_return":
        case "assert_exhaustion":
        case "action": {
          if (!c.action) {
            const inst = this.newInstance(c, registry, c.text ?? "");
            target[index] = inst.id;
            if (inst.skipReason) this.setInstanceSkipped(index, inst);
            break;
          }
          const id = c.action.module ? named.get(c.action.module) : current;
          target[index] = id;
          const inst = id === undefined ? undefined : this.instances[id];
          if (!inst) this.set(index, { status: "fail", reason: "no module to run the action on" });
          else if (inst.skipReason)
            this.set(index, { status: "skip", reason: inst.skipReason });
          break;
        }
        default:
          break;
      }
    });
    return target;
  }

  /** Records why an instance does not exist; a link error is a failure. */
  private setInstanceSkipped(index: number, inst: Instance): void {
    const reason = inst.skipReason!;
    if (reason.startsWith("link error"))
      this.set(index, { status: "fail", command: this.describe(this.commands[index]), reason });
    else this.set(index, { status: "skip", reason });
  }

  private newInstance(
    c: JsonCommand,
    registry: Map<string, number>,
    expectTrap?: string,
  ): Instance {
    const inst: Instance = {
      id: this.instances.length,
      label: c.name ?? `line${c.line}`,
      command: c,
      expectTrap,
      importOwners: [],
      importSources: [],
      exportTypes: new Map(),
      exportOwners: new Map(),
      reexports: new Map(),
    };
    this.instances.push(inst);
    let m: Module;
    try {
      m = decodeModule(fs.readFileSync(path.join(this.dir(), c.filename!)));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      inst.skipReason = `the spec runner cannot decode the module: ${error.message}`;
      return inst;
    }
    inst.module = m;
    const feature = unsupportedFeature(m);
    if (feature) {
      inst.skipReason = `uses ${feature}`;
      return inst;
    }
    try {
      this.link(inst, m, registry);
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      inst.skipReason = error.message.startsWith("imports from a skipped")
        ? error.message
        : `link error: ${error.message}`;
    }
    return inst;
  }

  /** Resolves imports by type and records which instance owns each export. */
  private link(inst: Instance, m: Module, registry: Map<string, number>): void {
    const importOwners: number[] = [];
    const importNames: { owner: number; name: string }[] = [];
    for (const imp of m.imports) {
      const exporterId = registry.get(imp.module);
      const exporter = exporterId === undefined ? undefined : this.instances[exporterId];
      if (exporter?.skipReason)
        throw new LinkError(`imports from a skipped module (${exporter.skipReason})`);
      const ext = exporter?.exportTypes.get(imp.name);
      checkImport(m, imp, ext, { memoryMinAtRunTime: true });
      importOwners.push(exporter!.exportOwners.get(imp.name)!);
      importNames.push(exporter!.reexports.get(imp.name) ?? { owner: exporter!.id, name: imp.name });
    }
    inst.importOwners = importOwners;
    inst.importSources = importNames;
    const importsOf = (kind: number) =>
      m.imports.map((imp, i) => ({ imp, i })).filter((x) => x.imp.kind === kind);
    for (const exp of m.exports) {
      const imported = importsOf(exp.kind);
      if (exp.index < imported.length) {
        const i = imported[exp.index].i;
        inst.exportOwners.set(exp.name, importOwners[i]);
        inst.reexports.set(exp.name, importNames[i]);
        const source = this.instances[importNames[i].owner];
        inst.exportTypes.set(exp.name, source.exportTypes.get(importNames[i].name)!);
        continue;
      }
      inst.exportOwners.set(exp.name, inst.id);
      const local = exp.index - imported.length;
      let ext: Extern;
      if (exp.kind === KIND_FUNC)
        ext = { kind: KIND_FUNC, index: 0, type: m.types[m.functions[local]] };
      else if (exp.kind === KIND_GLOBAL)
        ext = {
          kind: KIND_GLOBAL,
          index: 0,
          type: m.globals[local].type,
          init: m.globals[local].init,
        };
      else if (exp.kind === KIND_TABLE) ext = { kind: KIND_TABLE, table: m.tables[local] };
      else ext = { kind: KIND_MEMORY, memory: m.memories[local] };
      inst.exportTypes.set(exp.name, ext);
    }
  }

  private checkUnlinkable(index: number, c: JsonCommand, registry: Map<string, number>): void {
    let m: Module;
    try {
      m = decodeModule(fs.readFileSync(path.join(this.dir(), c.filename!)));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      this.set(index, { status: "skip", reason: `cannot decode: ${error.message}` });
      return;
    }
    const feature = unsupportedFeature(m);
    if (feature) {
      this.set(index, { status: "skip", reason: `uses ${feature}` });
      return;
    }
    try {
      for (const imp of m.imports) {
        const exporterId = registry.get(imp.module);
        const exporter = exporterId === undefined ? undefined : this.instances[exporterId];
        if (exporter?.skipReason) {
          this.set(index, { status: "skip", reason: `imports from a skipped module (${exporter.skipReason})` });
          return;
        }
        checkImport(m, imp, exporter?.exportTypes.get(imp.name));
      }
    } catch (error) {
      if (!(error instanceof LinkError)) throw error;
      if (error.message.startsWith(c.text ?? ""))
        this.set(index, { status: "pass" });
      else
        this.set(index, {
          status: "fail",
          command: "assert_unlinkable",
          expected: c.text,
          actual: error.message,
        });
      return;
    }
    this.set(index, {
      status: "fail",
      command: "assert_unlinkable",
      expected: c.text,
      actual: "the module linked",
    });
  }

  /** Splits the instances into groups that share state through imports. */
  private groups(target: (number | undefined)[]): Group[] {
    const parent = this.instances.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
    for (const inst of this.instances) {
      if (inst.skipReason || !inst.module) continue;
      inst.module.imports.forEach((imp, i) => {
        const owner = inst.importOwners[i];
        const stateful = imp.kind === KIND_TABLE || imp.kind === KIND_MEMORY;
        if (owner !== SPECTEST || stateful) parent[find(inst.id)] = find(owner);
      });
    }
    const byRoot = new Map<number, Group>();
    target.forEach((id, index) => {
      if (id === undefined || this.outcomes[index]) return;
      const inst = this.instances[id];
      if (inst.skipReason || !inst.module) return;
      const root = find(id);
      let group = byRoot.get(root);
      if (!group) {
        group = { instances: [], firsts: [], parts: [], scriptIndex: [], commands: [] };
        byRoot.set(root, group);
      }
      group.scriptIndex.push(index);
      if (!group.instances.includes(inst)) group.instances.push(inst);
    });
    const groups = [...byRoot.values()];
    for (const g of groups) g.firsts = g.instances.filter((i) => i.id !== SPECTEST).slice(0, 1);
    return groups;
  }

  /**
   * Packs consecutive groups into one executable where that cannot change
   * their results: no start function, no failing instantiation, and at
   * most one memory and one table among them. This saves a compile and an
   * nasm run per module in scripts of many small modules (const.wast).
   */
  private pack(groups: Group[]): Group[] {
    const packs: Group[] = [];
    let current: Group | undefined;
    let memories = 0;
    let tables = 0;
    const limit = 200;
    for (const g of groups) {
      const members = g.instances.filter((i) => i.id !== SPECTEST);
      const packable = members.every(
        (i) =>
          i.module!.start === undefined &&
          i.expectTrap === undefined &&
          i.module!.imports.every((imp) => imp.kind === KIND_FUNC || imp.kind === KIND_GLOBAL),
      );
      const gMemories = members.filter((i) => i.module!.memories.length > 0).length;
      const gTables = members.filter((i) => i.module!.tables.length > 0).length;
      const fits =
        current !== undefined &&
        current.parts.length < limit &&
        memories + gMemories <= 1 &&
        tables + gTables <= 1;
      if (!packable) {
        packs.push(g);
        current = undefined;
        continue;
      }
      if (!fits) {
        current = { instances: [], firsts: [], parts: [], scriptIndex: [], commands: [] };
        memories = 0;
        tables = 0;
        packs.push(current);
      }
      current!.instances.push(...g.instances);
      current!.firsts.push(...g.firsts);
      current!.parts.push(g);
      current!.scriptIndex.push(...g.scriptIndex);
      memories += gMemories;
      tables += gTables;
    }
    for (const p of packs) p.scriptIndex.sort((a, b) => a - b);
    return packs.map((p) => (p.parts.length === 1 ? p.parts[0] : p));
  }

  /** Merges a group's instances and generates its driver and commands. */
  private build(
    group: Group,
  ): { wasm: Uint8Array; stream: Uint8Array; indices: number[] } | undefined {
    const merged = new MergedModule();
    const members = group.instances.filter((i) => i.id !== SPECTEST);
    const imports = (kind: number) =>
      members.some((i) =>
        i.module!.imports.some(
          (imp, n) => imp.kind === kind && i.importOwners[n] === SPECTEST,
        ),
      );
    const spectest = merged.addInstance(
      "spectest",
      spectestModule({ table: imports(KIND_TABLE), memory: imports(KIND_MEMORY) }),
      [],
      true,
    );
    const layouts = new Map<number, InstanceLayout>([[SPECTEST, spectest]]);
    const first = members[0];
    for (const inst of members) {
      const staticInit =
        group.firsts.includes(inst) && (inst.expectTrap === undefined || members.length === 1);
      try {
        const externs = inst.module!.imports.map((imp, n) => {
          const source = inst.importSources[n];
          const ext = layouts.get(source.owner)?.exports.get(source.name);
          if (!ext)
            throw new MergeConflict(
              `import "${imp.module}" "${imp.name}" comes from a module that could not be linked`,
            );
          return ext;
        });
        layouts.set(inst.id, merged.addInstance(inst.label, inst.module!, externs, staticInit));
      } catch (error) {
        if (!(error instanceof MergeConflict)) throw error;
        inst.skipReason = `cannot link into one module: ${error.message}`;
      }
    }
    const commands: DriverCommand[] = [];
    const indices: number[] = [];
    const operations: Operation[] = [];
    const operationIds = new Map<string, number>();
    const operationOf = (key: string, make: () => Operation): number => {
      let id = operationIds.get(key);
      if (id === undefined) {
        id = operations.length;
        operations.push(make());
        operationIds.set(key, id);
      }
      return id;
    };
    for (const index of group.scriptIndex) {
      const c = this.commands[index];
      const instId = this.target[index];
      const inst = instId === undefined ? undefined : this.instances[instId];
      const layout = inst ? layouts.get(inst.id) : undefined;
      if (!inst || !layout || inst.skipReason) {
        this.set(index, { status: "skip", reason: inst?.skipReason ?? "module not linked" });
        continue;
      }
      try {
        commands.push(this.driverCommand(c, inst, layout, operationOf));
        indices.push(index);
      } catch (error) {
        if (!(error instanceof MergeConflict)) throw error;
        this.set(index, { status: "skip", reason: error.message });
      }
    }
    if (commands.length === 0) return undefined;
    // A pack has no start functions; a group of its own may.
    const firstLayout = group.parts.length === 0 ? layouts.get(first.id) : undefined;
    addDriver(
      merged,
      operations,
      firstLayout?.staticInit && indices[0] !== undefined ? firstLayout.start : undefined,
    );
    return { wasm: merged.encode(), stream: encodeCommands(commands), indices };
  }

  private driverCommand(
    c: JsonCommand,
    inst: Instance,
    layout: InstanceLayout,
    operationOf: (key: string, make: () => Operation) => number,
  ): DriverCommand {
    if (!c.action)
      return { operation: operationOf(`new ${inst.id}`, () => ({ kind: "instantiate", layout })), args: [] };
    const ext = layout.exports.get(c.action.field);
    if (!ext) throw new MergeConflict(`export "${c.action.field}" not found`);
    if (c.action.type === "get") {
      if (ext.kind !== KIND_GLOBAL) throw new MergeConflict(`"${c.action.field}" is not a global`);
      const operation = operationOf(`get ${ext.index}`, () => ({
        kind: "get",
        global: ext.index,
        type: ext.type.type,
      }));
      return { operation, args: [] };
    }
    if (ext.kind !== KIND_FUNC) throw new MergeConflict(`"${c.action.field}" is not a function`);
    // A call expected to trap runs in a forked child, so that the process
    // and its state survive it.
    const forked = c.type === "assert_trap" || c.type === "assert_exhaustion";
    const operation = operationOf(`invoke ${ext.index} ${forked}`, () => ({
      kind: "invoke",
      func: ext.index,
      forked,
    }));
    return { operation, args: (c.action.args ?? []).map(toValue) };
  }

  private async runGroup(group: Group): Promise<void> {
    const built = this.build(group);
    if (!built) return;
    const label = `${path.basename(this.jsonPath, ".json")}.${group.instances[0]?.label ?? "group"}`;
    let program: Program;
    try {
      program = await this.engine.prepare(built.wasm, label, built.stream);
    } catch (error) {
      if (!(error instanceof BuildError)) throw error;
      if (group.parts.length > 1) {
        // Find out which module the compiler rejected.
        for (const part of group.parts) await this.runGroup(part);
        return;
      }
      for (const index of built.indices)
        this.set(index, {
          status: "fail",
          reason: "the merged module did not compile",
          command: this.describe(this.commands[index]),
          actual: error.message,
        });
      return;
    }
    const observations = await observe(program, built.stream, built.indices.length, (k) =>
      this.commands[built.indices[k]].action === undefined &&
      this.hasStart(built.indices[k]),
    );
    built.indices.forEach((index, k) => this.judge(index, observations[k]));
  }

  private hasStart(index: number): boolean {
    const id = this.target[index];
    return id !== undefined && this.instances[id].module?.start !== undefined;
  }

  private describe(c: JsonCommand): string {
    return c.action ? `${c.type} ${describeAction(c.action)}` : `${c.type} ${c.filename}`;
  }

  private judge(index: number, obs: Observation | undefined): void {
    const c = this.commands[index];
    const loose = this.engine.looseTrapKinds;
    const command = this.describe(c);
    const actual = (): string => {
      if (!obs) return "no result";
      if (obs.kind === "trap") return `trap: ${obs.message}`;
      if (obs.kind === "crash") return obs.detail;
      const types = this.resultTypes(index);
      return obs.values.length
        ? obs.values.map((v, i) => formatBits(types[i] ?? "", v)).join(", ")
        : "no values";
    };
    const fail = (expected: string) =>
      this.set(index, { status: "fail", command, expected, actual: actual() });
    const expectTrap = (text: string) => {
      if (obs?.kind === "trap" && trapMatches(text, obs.message, loose))
        this.set(index, { status: "pass" });
      else fail(`trap: ${text}`);
    };
    switch (c.type) {
      case "module":
      case "action":
        if (obs?.kind === "values") this.set(index, { status: "pass" });
        else fail("no trap");
        return;
      case "assert_return": {
        const expected = c.expected ?? [];
        const ok =
          obs?.kind === "values" &&
          obs.values.length === expected.length &&
          expected.every((e, i) => matchValue(e, obs.values[i]));
        if (ok) this.set(index, { status: "pass" });
        else fail(expected.map(formatJsonValue).join(" ") || "no values");
        return;
      }
      case "assert_trap":
      case "assert_uninstantiable":
        expectTrap(c.text ?? "");
        return;
      case "assert_exhaustion":
        expectTrap("call stack exhausted");
        return;
    }
  }

  private resultTypes(index: number): string[] {
    return (this.commands[index].expected ?? []).map((e) => e.type);
  }

  /** Checks assert_invalid and assert_malformed: the compiler must reject. */
  private async checkRejections(): Promise<void> {
    const checkedViaCli = new Set<string>();
    for (const [index, c] of this.commands.entries()) {
      if (c.type !== "assert_invalid" && c.type !== "assert_malformed") continue;
      if (c.module_type === "text") {
        this.set(index, { status: "skip", reason: "text-format module (tests the text parser)" });
        continue;
      }
      // The first module of each kind per script goes through the command
      // line, to check its exit status and output; the others in process.
      const viaCli = !checkedViaCli.has(c.type);
      checkedViaCli.add(c.type);
      const result = await this.engine.checkRejected(
        path.join(this.dir(), c.filename!),
        `${path.basename(this.jsonPath, ".json")}.${c.line}`,
        viaCli,
      );
      const command = `${c.type} ${c.filename} "${c.text}"`;
      if (!result.rejected)
        this.set(index, {
          status: "fail",
          command,
          expected: `rejected: ${c.text}`,
          actual: "the compiler accepted the module",
        });
      else if (result.problem)
        this.set(index, {
          status: "fail",
          command,
          expected: `rejected: ${c.text}`,
          actual: `${result.problem}: ${result.message}`,
        });
      else if (result.message.toLowerCase().includes((c.text ?? "").toLowerCase()))
        this.set(index, { status: "pass" });
      else this.set(index, { status: "pass", command, expected: c.text, otherReason: result.message });
    }
  }
}

const FAILURE_MESSAGES: Record<string, string> = {
  T: "out of bounds table access",
  M: "out of bounds memory access",
  L: "incompatible import type",
};

/**
 * Runs `program` until every command has an observation. A trap ends a run,
 * so the next run skips the command that trapped and replays the others
 * (their side effects rebuild the state). `hasStart(k)` returns whether
 * command k instantiates a module with a start function.
 */
export async function observe(
  program: Program,
  stream: Uint8Array,
  count: number,
  hasStart: (k: number) => boolean,
): Promise<(Observation | undefined)[]> {
  const mask = new Array<string>(count).fill(MASK_RUN);
  const result: (Observation | undefined)[] = new Array(count);
  for (let attempt = 0; attempt <= 2 * count + 1; attempt++) {
    const run = await program.run(mask.join(""), stream);
    const records: RunRecord[] = parseRecords(run.stdout);
    const seen = new Set<number>();
    for (const r of records) {
      seen.add(r.command);
      if (result[r.command]) continue;
      if (r.failure === "W") result[r.command] = forkedObservation(r);
      else if (r.failure !== undefined)
        result[r.command] = { kind: "trap", message: FAILURE_MESSAGES[r.failure] ?? r.failure };
      else result[r.command] = { kind: "values", values: r.values ?? [] };
    }
    if (run.status === 0 && !run.timedOut) break;
    const pending = mask.findIndex((m, k) => m !== MASK_SKIP && !seen.has(k));
    if (pending < 0) break;
    const trap = run.status === 134 ? /^trap: (.*) in (.*)$/m.exec(run.stderr) : null;
    const startupDeath = records.length === 0 && mask[0] !== MASK_RUN;
    if (result[pending] || startupDeath) {
      if (mask[pending] === MASK_NO_START && !startupDeath) {
        mask[pending] = MASK_SKIP;
        continue;
      }
      const detail = `not run: the process died again (${describeDeath(run)})`;
      mask.forEach((_, k) => {
        if (!result[k]) result[k] = { kind: "crash", detail };
      });
      break;
    }
    result[pending] = trap
      ? { kind: "trap", message: trap[1] }
      : { kind: "crash", detail: describeDeath(run) };
    mask[pending] = trap && hasStart(pending) ? MASK_NO_START : MASK_SKIP;
  }
  return result;
}

/** Turns a forked child's wait status into a trap or a crash. */
function forkedObservation(r: RunRecord): Observation {
  const status = r.status ?? 0;
  const exited = (status & 0x7f) === 0;
  const code = (status >> 8) & 0xff;
  if (exited && code === 134 && r.trap) return { kind: "trap", message: r.trap };
  if (exited) return { kind: "crash", detail: `the forked call exited with status ${code}` };
  return { kind: "crash", detail: `the forked call was killed by signal ${status & 0x7f}` };
}

function describeDeath(run: ProcessResult): string {
  const stderr = run.stderr.trim().split("\n").slice(-3).join(" | ");
  if (run.timedOut) return `timed out${stderr ? `: ${stderr}` : ""}`;
  if (run.signal) return `killed by ${run.signal}${stderr ? `: ${stderr}` : ""}`;
  return `exit status ${run.status}${stderr ? `: ${stderr}` : ""}`;
}
