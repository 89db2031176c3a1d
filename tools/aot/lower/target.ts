// Differences between the two targets (docs/abi.md, "Kernel target" and
// "User target").

export type TargetName = "user" | "kernel";

export interface Target {
  name: TargetName;
  // Native address of linear memory byte 0.
  memoryBase: bigint;
  // Software bounds checks on every memory access (user target only).
  boundsChecks: boolean;
  // Call stack limit check in every prologue (user target only).
  stackChecks: boolean;
}

export const targets: Record<TargetName, Target> = {
  user: {
    name: "user",
    memoryBase: 0x100000000n,
    boundsChecks: true,
    stackChecks: true,
  },
  kernel: {
    name: "kernel",
    memoryBase: 0xffff800000000000n,
    boundsChecks: false,
    stackChecks: false,
  },
};

// Trap kinds and their numbers, as in docs/abi.md.
export const Trap = {
  unreachable: 0,
  divideByZero: 1,
  integerOverflow: 2,
  invalidConversion: 3,
  outOfBoundsMemory: 4,
  indirectCallTypeMismatch: 5,
  undefinedElement: 6,
  uninitializedElement: 7,
  stackExhausted: 8,
  outOfBoundsTable: 9,
} as const;

export const trapMessages = [
  "unreachable",
  "integer divide by zero",
  "integer overflow",
  "invalid conversion to integer",
  "out of bounds memory access",
  "indirect call type mismatch",
  "undefined element",
  "uninitialized element",
  "call stack exhausted",
  "out of bounds table access",
];

export function hex(value: bigint | number): string {
  const big = BigInt(value);
  return big < 0n ? `-0x${(-big).toString(16)}` : `0x${big.toString(16)}`;
}
