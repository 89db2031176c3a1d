// npm run fuzz:aot -- [--seeds N] [--start S] [--size BYTES] [--jobs J] [--keep]
// npm run fuzz:aot -- --spec-modules [--jobs J]
//
// Differential fuzzing of the AOT compiler's user target against V8 (see
// fuzz.ts). Prints one line per seed that did not agree, then the totals.
// The files of a mismatched seed stay in build/fuzz/seed-S for reduction.

import os from "node:os";
import path from "node:path";
import { compilerVersion, projectRoot } from "../spec/compiler.ts";
import { SeedResult, fuzzSeed } from "./fuzz.ts";
import { fuzzSpecModule, specModules } from "./spec-modules.ts";

function usage(message: string): never {
  console.error(`${message}
usage: npm run fuzz:aot -- [--seeds N] [--start S] [--size BYTES] [--jobs J] [--keep]
  --seeds  number of seeds to try (default 20)
  --start  first seed (default 1)
  --size   bytes of random input per seed for wasm-opt -ttf (default 4096)
  --jobs   seeds run at once (default: the number of CPUs)
  --keep   keep the files of seeds that agreed too
  --spec-modules  instead of generated modules, call the exports of every
           module of the converted spec suite (build/spec, made by
           npm run test:spec) with random arguments`);
  process.exit(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let seeds = 20;
  let start = 1;
  let size = 4096;
  let jobs = os.cpus().length;
  let keep = false;
  let specMode = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const number = () => {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 0) usage(`${arg} needs a whole number`);
      return value;
    };
    if (arg === "--seeds") seeds = number();
    else if (arg === "--start") start = number();
    else if (arg === "--size") size = number();
    else if (arg === "--jobs") jobs = Math.max(1, number());
    else if (arg === "--keep") keep = true;
    else if (arg === "--spec-modules") specMode = true;
    else usage(`unknown argument ${arg}`);
  }
  const outDir = path.join(projectRoot, "build/fuzz");
  const started = Date.now();
  const modules = specMode ? specModules(path.join(projectRoot, "build/spec")) : [];
  if (specMode && modules.length === 0) {
    console.error("build/spec holds no converted scripts: run npm run test:spec first.");
    process.exit(2);
  }
  const queue = specMode
    ? modules.map((_, i) => i)
    : Array.from({ length: seeds }, (_, i) => start + i);
  const results: SeedResult[] = [];
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
        let result: SeedResult;
        try {
          result = specMode
            ? await fuzzSpecModule(modules[seed], seed, path.join(outDir, "spec"))
            : await fuzzSeed(seed, { size, outDir, keep });
        } catch (error) {
          result = {
            seed,
            status: "skip",
            detail: `the fuzzer failed: ${(error as Error).message}`,
            exports: 0,
            runs: 0,
            traps: 0,
            dir: path.join(outDir, `seed-${seed}-size-${size}`),
          };
        }
        results.push(result);
        const label = specMode ? `module ${modules[seed].name}` : `seed ${seed}`;
        if (result.status === "mismatch")
          console.log(`MISMATCH ${label}: ${result.detail}\n  files: ${result.dir}`);
        else if (result.status === "skip" && !specMode) console.log(`skipped ${label}: ${result.detail}`);
      }
    }),
  );
  const count = (status: SeedResult["status"]) => results.filter((r) => r.status === status).length;
  const calls = results.reduce((n, r) => n + r.exports, 0);
  const traps = results.reduce((n, r) => n + r.traps, 0);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  console.log(`compiler: ${compilerVersion()}`);
  console.log(
    `${results.length} ${specMode ? "modules" : "seeds"} in ${seconds} s: ${calls} export calls, ${traps} of them trapped`,
  );
  console.log(`${count("agree")} passed, ${count("mismatch")} failed, ${count("skip")} skipped`);
  process.exitCode = count("mismatch") > 0 ? 1 : 0;
}

await main();
