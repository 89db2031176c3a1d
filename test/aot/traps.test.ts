// Traps of the user target: the message `trap: KIND in FUNCTION` on
// stderr and exit status 134 (docs/abi.md), checked against the trap that
// V8 raises for the same module.
import assert from "node:assert/strict";
import { nativeTrapKind, runNative, runV8, watToWasm } from "./harness.ts";

// A module whose main runs `body` in a function named $victim.
function trapModule(body: string, extra = ""): Uint8Array {
  return watToWasm(`(module
  (memory (export "memory") 1 3)
  (type $v_i (func (result i32)))
  (type $i_i (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $answer $identity)
  (func $answer (type $v_i) (i32.const 42))
  (func $identity (type $i_i) (local.get 0))
  ${extra}
  (func $victim (result i32) ${body})
  (func (export "main") (result i32) (call $victim)))`);
}

interface TrapCase {
  name: string;
  body: string;
  kind: string;
  extra?: string;
}

const cases: TrapCase[] = [
  { name: "unreachable", body: "(unreachable)", kind: "unreachable" },
  { name: "i32.div_s by zero", body: "(i32.div_s (i32.const 1) (i32.const 0))", kind: "integer divide by zero" },
  { name: "i64.rem_u by zero", body: "(i32.wrap_i64 (i64.rem_u (i64.const 1) (i64.const 0)))", kind: "integer divide by zero" },
  {
    name: "i32.div_s overflow",
    body: "(i32.div_s (i32.const 0x80000000) (i32.const -1))",
    kind: "integer overflow",
  },
  {
    name: "i64.div_s overflow",
    body: "(i32.wrap_i64 (i64.div_s (i64.const 0x8000000000000000) (i64.const -1)))",
    kind: "integer overflow",
  },
  {
    name: "i32.trunc_f32_s of NaN",
    body: "(i32.trunc_f32_s (f32.const nan))",
    kind: "invalid conversion to integer",
  },
  {
    name: "i32.trunc_f64_u of -1",
    body: "(i32.trunc_f64_u (f64.const -1))",
    kind: "integer overflow",
  },
  {
    name: "i64.trunc_f32_s of 2^63",
    body: "(i32.wrap_i64 (i64.trunc_f32_s (f32.const 0x1p63)))",
    kind: "integer overflow",
  },
  {
    name: "load past the end",
    body: "(i32.load (i32.const 65533))",
    kind: "out of bounds memory access",
  },
  {
    name: "offset without 32-bit wrap",
    body: "(i32.load offset=0xffffffff (i32.const 1))",
    kind: "out of bounds memory access",
  },
  {
    name: "store past the end",
    body: "(i64.store (i32.const 65529) (i64.const 0)) (i32.const 0)",
    kind: "out of bounds memory access",
  },
  {
    name: "memory.fill past the end",
    body: "(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000)) (i32.const 0)",
    kind: "out of bounds memory access",
  },
  {
    name: "call_indirect past the table",
    body: "(call_indirect (type $v_i) (i32.const 4))",
    kind: "undefined element",
  },
  {
    name: "call_indirect of a null entry",
    body: "(call_indirect (type $v_i) (i32.const 2))",
    kind: "uninitialized element",
  },
  {
    name: "call_indirect with the wrong type",
    body: "(call_indirect (type $v_i) (i32.const 1))",
    kind: "indirect call type mismatch",
  },
  {
    name: "unbounded recursion",
    body: "(call $recurse (i32.const 0))",
    kind: "call stack exhausted",
    extra: "(func $recurse (param i32) (result i32) (i32.add (call $recurse (local.get 0)) (i32.const 1)))",
  },
];

describe("aot traps", function () {
  this.timeout(30000);

  for (const c of cases) {
    it(c.name, async () => {
      const wasm = trapModule(c.body, c.extra);
      const native = runNative(wasm);
      assert.equal(native.status, 134);
      const functionName = c.kind === "call stack exhausted" ? "recurse" : "victim";
      assert.equal(native.stderr, `trap: ${c.kind} in ${functionName}\n`);
      const v8 = await runV8(wasm);
      assert.equal(v8.status, 134);
      const v8Kind = nativeTrapKind(v8.stderr)!;
      assert.ok(v8Kind.split("|").includes(c.kind), `V8 trapped with ${v8Kind}`);
    });
  }

  it("out-of-bounds data segment traps at start-up", () => {
    const wasm = watToWasm(`(module (memory 1) (data (i32.const 65535) "ab")
      (func (export "main") (result i32) (i32.const 0)))`);
    const native = runNative(wasm);
    assert.equal(native.status, 134);
    assert.equal(native.stderr, "trap: out of bounds memory access in aot_init\n");
  });
});
