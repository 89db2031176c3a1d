// Differential fuzzing with a fixed set of seeds: each seed's module from
// `wasm-opt -ttf` must give the same results, traps, globals and memory in
// V8 and as the AOT compiler's user-target executable. `npm run fuzz:aot`
// tries more seeds.
import assert from "node:assert/strict";
import path from "node:path";
import { fuzzSeed } from "../../tools/fuzz/fuzz.ts";
import { projectRoot } from "../../tools/spec/compiler.ts";

const SEEDS = [1, 2, 3, 4, 5, 6];

describe("aot fuzzing against V8", function () {
  this.timeout(120_000);
  const outDir = path.join(projectRoot, "build/fuzz-test");

  for (const seed of SEEDS) {
    it(`seed ${seed} matches V8`, async () => {
      const result = await fuzzSeed(seed, { size: 4096, outDir, keep: false });
      assert.notEqual(result.status, "skip", `seed ${seed} was skipped: ${result.detail}`);
      assert.equal(result.status, "agree", `${result.detail}\nfiles: ${result.dir}`);
      assert.ok(result.exports > 0, `seed ${seed} generated no exported functions`);
    });
  }
});
