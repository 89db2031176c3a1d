// Runs a merged module in V8 as if it were the executable that the AOT
// compiler makes of it. The x86 intrinsics work on an emulated native
// address space, and write(2) goes to captured stdout and stderr. A trap
// ends the "process" with status 134 and the user target's trap message.
// The spec runner uses it to check its own linking and driver, and the
// fuzzer uses it as the reference.

export interface ProcessResult {
  stdout: string;
  stderr: string;
  /** Exit status, or null when a signal or the timeout ended the process. */
  status: number | null;
  signal?: string;
  timedOut?: boolean;
  /** Linear memory when the process ended, if the module exports "memory". */
  memory?: Uint8Array;
}

class ProcessExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

const STACK_BASE = 0x7ffe00000000n;
const MMAP_BASE = 0x7f0000000000n;
const REGION_SPACING = 0x10000000n;
const STACK_SIZE = 0x100000;

/** Maps V8's trap messages (node 20) to the user target's trap kinds. */
const V8_TRAPS: [RegExp, string][] = [
  [/unreachable/, "unreachable"],
  [/divide by zero|remainder by zero/, "integer divide by zero"],
  [/divide result unrepresentable/, "integer overflow"],
  [/float unrepresentable/, "invalid conversion to integer"],
  [/memory access out of bounds|data segment (is )?out of bounds/, "out of bounds memory access"],
  [/table index is out of bounds/, "undefined element"],
  [/element segment (is )?out of bounds|table access out of bounds|table initializer/, "out of bounds table access"],
  [/null function or function signature mismatch/, "indirect call type mismatch"],
];

export function v8TrapKind(error: unknown): string | undefined {
  if (error instanceof RangeError && /call stack/i.test(error.message))
    return "call stack exhausted";
  const instantiationTrap =
    error instanceof WebAssembly.LinkError || error instanceof WebAssembly.RuntimeError;
  if (!instantiationTrap) return undefined;
  for (const [pattern, kind] of V8_TRAPS) if (pattern.test(error.message)) return kind;
  return error.message;
}

const hex = (value: number | bigint, digits: number) => value.toString(16).padStart(digits, "0");

/**
 * Runs the driver's command loop as its `main` does, except that a forked
 * call (exported as forkedSLOT) runs in this instance and its trap is
 * caught. This is the WebAssembly semantics that the native driver gets
 * from fork: the stores before the trap stay. Unlike a forked child, V8
 * keeps the call's changes to globals and tables too.
 */
function runCommands(
  instance: WebAssembly.Instance,
  mask: string,
  load64: (address: bigint) => bigint,
  print: (text: string) => void,
): void {
  const exports = instance.exports as Record<string, unknown>;
  const dispatch = exports.dispatch as (slot: number, k: number, args: bigint) => void;
  let cursor = (exports.read_stdin as () => bigint)();
  const count = Number(load64(cursor));
  cursor += 8n;
  for (let k = 0; k < count; k++) {
    const slot = Number(load64(cursor));
    const argumentCount = load64(cursor + 8n);
    if ((mask[k] ?? "0") !== "1") {
      if (exports[`forked${slot}`] === undefined) dispatch(slot, k, cursor + 16n);
      else {
        let status = 0;
        try {
          dispatch(slot, k, cursor + 16n);
        } catch (error) {
          const kind = v8TrapKind(error);
          if (kind === undefined) throw error;
          print(`trap: ${kind} in ?\n`);
          status = 134 << 8;
        }
        print(`${hex(k, 8)}!W${hex(status, 16)},\n`);
      }
    }
    cursor += 16n + 8n * argumentCount;
  }
}

/**
 * Instantiates `module` and runs its driver with argv = [program, ...args],
 * emulating the user target's start-up, system calls and trap reporting.
 * A module that exports `dispatch` runs through runCommands, else `main`.
 */
export function runInV8(
  module: WebAssembly.Module,
  args: string[],
  stdin: Uint8Array = new Uint8Array(0),
): ProcessResult {
  const regions: { base: bigint; bytes: Uint8Array }[] = [];
  const encoder = new TextEncoder();
  let stdout = "";
  let stderr = "";

  // Initial stack: argc, argv pointers, NULL, then the strings.
  const stack = new Uint8Array(STACK_SIZE);
  let stdinOffset = 0;
  const stackView = new DataView(stack.buffer);
  const argv = ["program", ...args];
  stackView.setBigUint64(0, BigInt(argv.length), true);
  let strings = 8 * (argv.length + 2);
  argv.forEach((arg, i) => {
    stackView.setBigUint64(8 + 8 * i, STACK_BASE + BigInt(strings), true);
    const bytes = encoder.encode(arg);
    stack.set(bytes, strings);
    strings += bytes.length + 1;
  });
  regions.push({ base: STACK_BASE, bytes: stack });

  const locate = (address: bigint, size: number) => {
    for (const region of regions) {
      const offset = address - region.base;
      if (offset >= 0n && offset + BigInt(size) <= BigInt(region.bytes.length))
        return { region, offset: Number(offset) };
    }
    throw new Error(`emulated native access to unmapped address 0x${address.toString(16)}`);
  };

  const syscall6 = (nr: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint): bigint => {
    switch (nr) {
      case 0n: {
        if (a1 !== 0n) return -9n;
        const n = Math.min(Number(a3), stdin.length - stdinOffset);
        const { region, offset } = locate(BigInt.asUintN(64, a2), n);
        region.bytes.set(stdin.subarray(stdinOffset, stdinOffset + n), offset);
        stdinOffset += n;
        return BigInt(n);
      }
      case 1n: {
        const { region, offset } = locate(BigInt.asUintN(64, a2), Number(a3));
        const text = new TextDecoder().decode(
          region.bytes.subarray(offset, offset + Number(a3)),
        );
        if (a1 === 1n) stdout += text;
        else if (a1 === 2n) stderr += text;
        else return -9n;
        return a3;
      }
      case 9n: {
        // The driver maps MAP_SHARED memory only to share linear memory with
        // forked children, and fork is not emulated.
        if ((a4 & 1n) !== 0n) return -38n;
        const base = MMAP_BASE + BigInt(regions.length) * REGION_SPACING;
        if (a2 > REGION_SPACING) return -12n;
        regions.push({ base, bytes: new Uint8Array(Number(a2)) });
        return base;
      }
      case 60n:
      case 231n:
        throw new ProcessExit(Number(BigInt.asIntN(32, a1)) & 0xff);
      default:
        return -38n;
    }
  };

  const x86 = {
    syscall6,
    native_load8: (address: bigint) => {
      const { region, offset } = locate(BigInt.asUintN(64, address), 1);
      return region.bytes[offset];
    },
    native_load64: (address: bigint) => {
      const { region, offset } = locate(BigInt.asUintN(64, address), 8);
      return new DataView(region.bytes.buffer).getBigInt64(offset, true);
    },
    native_store8: (address: bigint, value: number) => {
      const { region, offset } = locate(BigInt.asUintN(64, address), 1);
      region.bytes[offset] = value;
    },
    initial_sp: () => STACK_BASE,
    native_store64: (address: bigint, value: bigint) => {
      const { region, offset } = locate(BigInt.asUintN(64, address), 8);
      new DataView(region.bytes.buffer).setBigInt64(offset, value, true);
    },
    memory_base: () => 0x100000000n,
  };

  let instance: WebAssembly.Instance | undefined;
  const memory = () => {
    const exported = instance?.exports.memory;
    return exported instanceof WebAssembly.Memory ? new Uint8Array(exported.buffer.slice(0)) : undefined;
  };
  const trap = (kind: string): ProcessResult => {
    stderr += `trap: ${kind} in ?\n`;
    return { stdout, stderr, status: 134, memory: memory() };
  };
  try {
    instance = new WebAssembly.Instance(module, { x86 });
    if (instance.exports.dispatch) {
      runCommands(instance, args[0] ?? "", x86.native_load64, (text) => (stdout += text));
      return { stdout, stderr, status: 0, memory: memory() };
    }
    const main = instance.exports.main as () => number;
    const status = main();
    return { stdout, stderr, status: status & 0xff, memory: memory() };
  } catch (error) {
    if (error instanceof ProcessExit)
      return { stdout, stderr, status: error.status, memory: memory() };
    const kind = v8TrapKind(error);
    if (kind !== undefined) return trap(kind);
    throw error;
  }
}
