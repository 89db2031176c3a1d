// Compiler bug reproductions found by the spec runner and the fuzzer. Each
// .wat file under test/spec/regressions and test/fuzz/regressions states
// the correct behaviour in a comment line:
//   ;; expect: rejected "TEXT"   the compiler rejects the module with a
//                                message containing TEXT and a byte offset
//   ;; expect: trap "KIND"       the executable prints "trap: KIND in ..."
//                                and exits with status 134
//   ;; expect: exit N            the executable exits with status N
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { compileUser, projectRoot, rejectCheck } from "../../tools/spec/compiler.ts";

const folders = ["test/spec/regressions", "test/fuzz/regressions"];
const outDir = path.join(projectRoot, "build/regressions");

function expectation(file: string): string {
  const line = fs.readFileSync(file, "utf8").match(/^;; expect: (.*)$/m);
  if (!line) throw new Error(`${file} has no ";; expect:" line`);
  return line[1].trim();
}

describe("aot compiler regressions", function () {
  this.timeout(60_000);
  before(() => fs.mkdirSync(outDir, { recursive: true }));

  for (const folder of folders) {
    const dir = path.join(projectRoot, folder);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".wat")).sort()) {
      const file = path.join(dir, name);
      it(`${folder.split("/")[1]} ${name}`, async () => {
        const base = path.join(outDir, path.basename(name, ".wat"));
        execFileSync("wat2wasm", ["--no-check", file, "-o", `${base}.wasm`]);
        const expected = expectation(file);
        const rejected = /^rejected "(.*)"$/.exec(expected);
        if (rejected) {
          const result = await rejectCheck(`${base}.wasm`);
          assert.ok(result.rejected, "the compiler accepted the module");
          assert.equal(result.problem, undefined, `${result.problem}: ${result.message}`);
          assert.match(result.message, new RegExp(rejected[1].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
          return;
        }
        await compileUser(`${base}.wasm`, base);
        const run = spawnSync(base, [], { encoding: "utf8", timeout: 20_000 });
        const trap = /^trap "(.*)"$/.exec(expected);
        if (trap) {
          assert.match(run.stderr, new RegExp(`^trap: ${trap[1]} in `, "m"));
          assert.equal(run.status, 134);
          return;
        }
        const exit = /^exit (\d+)$/.exec(expected);
        assert.ok(exit, `unknown expectation "${expected}" in ${file}`);
        assert.equal(run.status, Number(exit[1]), `stderr: ${run.stderr}`);
      });
    }
  }
});
