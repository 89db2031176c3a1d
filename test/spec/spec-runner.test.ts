// The spec runner on a few scripts: in V8, which checks the runner's
// linking, driver and replay against an engine known to pass the suite,
// and natively, as a quick check of the compiler. `npm run test:spec` runs
// the whole suite.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../tools/spec/compiler.ts";
import { NativeEngine, V8Engine } from "../../tools/spec/engines.ts";
import { Engine, JsonCommand, Outcome, ScriptRunner } from "../../tools/spec/script.ts";

const suite = path.resolve(projectRoot, "../shared/corpus/wasm-testsuite");
const outRoot = path.join(projectRoot, "build/spec-test");

/** Converts and runs one script; returns its outcomes. */
async function runScript(name: string, engine: Engine): Promise<Outcome[]> {
  const dir = path.join(outRoot, name);
  const json = path.join(dir, `${name}.json`);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("wast2json", [path.join(suite, `${name}.wast`), "-o", json]);
  const { commands } = JSON.parse(fs.readFileSync(json, "utf8")) as { commands: JsonCommand[] };
  return new ScriptRunner(json, commands, engine).run();
}

function failures(outcomes: Outcome[]): string {
  return outcomes
    .filter((o) => o.status === "fail")
    .map((o) => `line ${o.line} ${o.command ?? o.type}: expected ${o.expected}, actual ${o.actual}`)
    .join("\n");
}

describe("spec runner", function () {
  this.timeout(120_000);
  before(function () {
    if (!fs.existsSync(suite)) this.skip();
  });

  for (const name of ["linking", "imports", "start", "memory_trap"]) {
    it(`${name}.wast passes in V8`, async () => {
      const outcomes = await runScript(name, new V8Engine());
      assert.equal(failures(outcomes), "");
      assert.ok(outcomes.some((o) => o.status === "pass" && o.type === "assert_return"));
    });
  }

  for (const name of ["i32", "conversions", "memory_fill", "linking", "start", "call_indirect"]) {
    it(`${name}.wast passes natively`, async () => {
      const engine = new NativeEngine(path.join(outRoot, "bin"));
      const outcomes = await runScript(name, engine);
      assert.equal(failures(outcomes), "");
      assert.ok(outcomes.filter((o) => o.status === "pass").length > 10);
    });
  }

  it("reports a wrong result as a failure", async () => {
    // A copy of a small script whose expected value is wrong on purpose.
    const dir = path.join(outRoot, "wrong");
    fs.mkdirSync(dir, { recursive: true });
    const wast = path.join(dir, "wrong.wast");
    fs.writeFileSync(
      wast,
      [
        '(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))',
        '(assert_return (invoke "f" (i32.const 1)) (i32.const 3))',
        '(assert_trap (invoke "f" (i32.const 1)) "unreachable")',
        '(assert_return (invoke "f" (i32.const 1)) (i32.const 2))',
      ].join("\n"),
    );
    const json = path.join(dir, "wrong.json");
    execFileSync("wast2json", [wast, "-o", json]);
    const { commands } = JSON.parse(fs.readFileSync(json, "utf8")) as { commands: JsonCommand[] };
    const outcomes = await new ScriptRunner(json, commands, new NativeEngine(path.join(dir, "bin"))).run();
    const byLine = new Map(outcomes.map((o) => [o.line, o]));
    assert.equal(byLine.get(2)?.status, "fail");
    assert.match(byLine.get(2)?.actual ?? "", /^2 /);
    assert.equal(byLine.get(3)?.status, "fail");
    assert.equal(byLine.get(4)?.status, "pass");
  });
});
