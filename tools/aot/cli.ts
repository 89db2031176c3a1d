// Command line: tsx tools/aot/cli.ts IN.wasm --target user|kernel -o OUT
// [--emit-asm FILE]. Exit status 1 with a one-line message on a rejected
// module, 2 on a usage error.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { buildUserExecutable, compileModule, CompileError } from "./index.ts";

const usage = "usage: aot IN.wasm --target user|kernel -o OUT [--emit-asm FILE]";

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        target: { type: "string" },
        output: { type: "string", short: "o" },
        "emit-asm": { type: "string" },
      },
    });
  } catch (error) {
    process.stderr.write(`aot: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const target = values.target;
  if (positionals.length !== 1 || !values.output || (target !== "user" && target !== "kernel")) {
    process.stderr.write(`${usage}\n`);
    return 2;
  }
  const input = positionals[0];
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(input);
  } catch (error) {
    process.stderr.write(`aot: cannot read ${input}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    if (target === "user") {
      buildUserExecutable(bytes, values.output, { emitAsm: values["emit-asm"] });
    } else {
      const assembly = compileModule(bytes, { target });
      writeFileSync(values.output, assembly);
      if (values["emit-asm"]) writeFileSync(values["emit-asm"], assembly);
    }
  } catch (error) {
    const prefix = error instanceof CompileError ? `${input}: ` : "";
    process.stderr.write(`aot: ${prefix}${(error as Error).message}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = main();
