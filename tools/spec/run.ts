// npm run test:spec [-- [--engine native|v8] [--jobs N] [NAME...]]
//
// Converts the .wast scripts of the WebAssembly spec suite with wast2json,
// runs every module through the AOT compiler's user target (or through V8
// with --engine v8, which checks this runner itself) and checks every
// assertion. Prints the failures, a table per file, and last the line
// "N passed, M failed, K skipped". The summary is also written to
// build/spec-summary.txt.

import { ChildProcess, execFileSync, fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compilerAvailable, compilerVersion, projectRoot } from "./compiler.ts";
import type { Outcome } from "./script.ts";

interface Options {
  engine: "native" | "v8";
  jobs: number;
  names: string[];
  maxPrinted: number;
  keep: boolean;
  /** Seconds one script may take. */
  scriptTimeout: number;
}

function usage(message: string): never {
  console.error(`${message}
usage: npm run test:spec -- [--engine native|v8] [--jobs N] [--max-printed N] [--keep]
                            [--script-timeout S] [NAME...]
  --engine       native (default): compile with tools/aot --target user and run
                 the executables; v8: run the same merged modules in node's V8
  --jobs         worker processes (default: the number of CPUs)
  --max-printed  failures printed in full on the console (default 200); all
                 of them go to build/spec-summary.txt
  --keep         keep the merged modules, nasm sources and executables in
                 build/spec/bin-ENGINE-PID
  --script-timeout  seconds one .wast script may take before it counts as
                 failed (default 600)
  NAME           .wast files to run, without the extension (default: all);
                 test/spec/extra/NAME.wast runs as extra-NAME`);
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const options: Options = {
    engine: "native",
    jobs: os.cpus().length,
    names: [],
    maxPrinted: 200,
    keep: false,
    scriptTimeout: 600,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`missing value after ${arg}`);
    if (arg === "--engine") {
      const engine = value();
      if (engine !== "native" && engine !== "v8") usage(`unknown engine "${engine}"`);
      options.engine = engine;
    } else if (arg === "--jobs") options.jobs = Math.max(1, Number(value()) || 1);
    else if (arg === "--max-printed") options.maxPrinted = Number(value()) || 0;
    else if (arg === "--keep") options.keep = true;
    else if (arg === "--script-timeout") options.scriptTimeout = Number(value()) || 600;
    else if (arg.startsWith("-")) usage(`unknown option ${arg}`);
    else options.names.push(arg.replace(/\.wast$/, ""));
  }
  return options;
}

/** Converts a .wast to build/spec/NAME/NAME.json unless that is current. */
function convert(wast: string, name: string, outRoot: string): string {
  const dir = path.join(outRoot, name);
  const json = path.join(dir, `${name}.json`);
  if (fs.existsSync(json) && fs.statSync(json).mtimeMs >= fs.statSync(wast).mtimeMs) return json;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("wast2json", [wast, "-o", json], { stdio: ["ignore", "ignore", "pipe"] });
  return json;
}

interface FileResult {
  name: string;
  outcomes: Outcome[];
  ms: number;
  error?: string;
}


interface WorkerMessage {
  json: string;
  outcomes?: Outcome[];
  error?: string;
  ms: number;
}

/**
 * Checks the scripts in worker processes, largest first. A worker that
 * exceeds the script timeout (a compiler or program that hangs) or dies is
 * replaced, and the script counts as one failure.
 */
async function runAll(jsons: string[], options: Options, outDir: string): Promise<FileResult[]> {
  const queue = [...jsons].sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  const results: FileResult[] = [];
  const workerPath = path.join(projectRoot, "tools/spec/worker.ts");
  const report = (result: FileResult) => {
    results.push(result);
    const seconds = (result.ms / 1000).toFixed(1);
    process.stderr.write(`[${results.length}/${jsons.length}] ${result.name} (${seconds} s)\n`);
  };

  const work = async (): Promise<void> => {
    let child: ChildProcess | undefined;
    for (let json = queue.shift(); json !== undefined; json = queue.shift()) {
      const name = path.basename(json, ".json");
      const worker = (child ??= fork(workerPath, [], { execArgv: ["--import", "tsx"], cwd: projectRoot }));
      const started = Date.now();
      const msg = await new Promise<WorkerMessage>((resolve) => {
        const finish = (m: WorkerMessage) => {
          clearTimeout(timer);
          worker.off("message", finish);
          worker.off("exit", onExit);
          resolve(m);
        };
        const onExit = (code: number | null, signal: string | null) =>
          finish({ json, error: `the spec worker exited (status ${code}, signal ${signal})`, ms: Date.now() - started });
        const timer = setTimeout(() => {
          worker.kill("SIGKILL");
          finish({ json, error: `timed out after ${options.scriptTimeout} s`, ms: Date.now() - started });
        }, options.scriptTimeout * 1000);
        worker.on("message", finish);
        worker.on("exit", onExit);
        worker.send({ json, engine: options.engine, outDir });
      });
      // A worker that timed out or died is replaced for the next script.
      if (msg.error && !msg.outcomes) {
        worker.kill("SIGKILL");
        child = undefined;
      }
      report({ name, outcomes: msg.outcomes ?? [], ms: msg.ms, error: msg.error });
    }
    if (child?.connected) child.disconnect();
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, queue.length) }, work));
  return results.sort((a, b) => a.name.localeCompare(b.name));
}

function count(outcomes: Outcome[], status: Outcome["status"]): number {
  return outcomes.filter((o) => o.status === status).length;
}

function formatFailure(file: string, o: Outcome): string {
  const lines = [`FAIL ${file}.wast:${o.line} ${o.command ?? o.type}`];
  if (o.reason) lines.push(`  reason:   ${o.reason}`);
  if (o.expected !== undefined) lines.push(`  expected: ${o.expected}`);
  if (o.actual !== undefined) lines.push(`  actual:   ${o.actual}`);
  return lines.join("\n");
}

/** Shortens a skip reason to its kind, so that the counts group well. */
function skipKind(reason: string): string {
  return reason
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\b(line\d+|\$\w+)\b/g, "…")
    .replace(/offset \d+( \(0x[0-9a-f]+\))?/g, "offset …");
}

function summarize(results: FileResult[], options: Options, seconds: number): string[] {
  const lines: string[] = [];
  const all = results.flatMap((r) => r.outcomes);
  lines.push(`WebAssembly spec suite, engine ${options.engine}, ${seconds.toFixed(0)} s`);
  if (options.engine === "native") lines.push(`compiler: ${compilerVersion()}`);
  lines.push("");
  lines.push(`${"file".padEnd(28)} ${"passed".padStart(7)} ${"failed".padStart(7)} ${"skipped".padStart(8)}`);
  for (const r of results) {
    const failed = count(r.outcomes, "fail") + (r.error ? 1 : 0);
    lines.push(
      `${r.name.padEnd(28)} ${String(count(r.outcomes, "pass")).padStart(7)} ${String(failed).padStart(7)} ${String(count(r.outcomes, "skip")).padStart(8)}`,
    );
  }
  lines.push("");
  const types = [...new Set(all.map((o) => o.type))].sort();
  lines.push(`${"command".padEnd(28)} ${"passed".padStart(7)} ${"failed".padStart(7)} ${"skipped".padStart(8)}`);
  for (const type of types) {
    const of = all.filter((o) => o.type === type);
    lines.push(
      `${type.padEnd(28)} ${String(count(of, "pass")).padStart(7)} ${String(count(of, "fail")).padStart(7)} ${String(count(of, "skip")).padStart(8)}`,
    );
  }
  lines.push("");
  const reasons = new Map<string, number>();
  for (const o of all)
    if (o.status === "skip") {
      const kind = skipKind(o.reason ?? "no reason");
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
    }
  const rejections = all.filter(
    (o) => o.status === "pass" && (o.type === "assert_invalid" || o.type === "assert_malformed"),
  );
  const otherReason = rejections.filter((o) => o.otherReason !== undefined);
  lines.push(
    `assert_invalid and assert_malformed: ${rejections.length - otherReason.length} of ${rejections.length} rejections name the spec's reason`,
  );
  const otherKinds = new Map<string, number>();
  for (const o of otherReason) {
    const kind = `expected "${o.expected}", message "${skipKind(o.otherReason!.replace(/^aot: \S+: /, ""))}"`;
    otherKinds.set(kind, (otherKinds.get(kind) ?? 0) + 1);
  }
  for (const [kind, n] of [...otherKinds].sort((a, b) => b[1] - a[1]).slice(0, 40))
    lines.push(`${String(n).padStart(7)}  ${kind}`);
  lines.push("");
  lines.push("skipped commands by reason:");
  for (const [reason, n] of [...reasons].sort((a, b) => b[1] - a[1]))
    lines.push(`${String(n).padStart(7)}  ${reason}`);
  return lines;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const suite = path.resolve(projectRoot, "../shared/corpus/wasm-testsuite");
  if (!fs.existsSync(suite)) {
    console.log(
      `The WebAssembly spec suite was not found at ${suite}.\n` +
        "Put the .wast files of github.com/WebAssembly/testsuite (the commit that " +
        "wabt's wast2json can convert) in that folder and run this again.\n" +
        "No spec tests were run.",
    );
    return;
  }
  if (options.engine === "native" && !compilerAvailable()) {
    console.error("tools/aot/cli.ts is missing, so there is no compiler to test. Use --engine v8 to check the runner alone.");
    process.exit(1);
  }
  const started = Date.now();
  const outRoot = path.join(projectRoot, "build/spec");
  // The project's own scripts (test/spec/extra) run as extra-NAME.
  const extraDir = path.join(projectRoot, "test/spec/extra");
  const listWasts = (dir: string, prefix: string) =>
    (fs.existsSync(dir) ? fs.readdirSync(dir) : [])
      .filter((f) => f.endsWith(".wast"))
      .sort()
      .map((f) => ({ file: path.join(dir, f), name: `${prefix}${path.basename(f, ".wast")}` }));
  let wasts = [...listWasts(suite, ""), ...listWasts(extraDir, "extra-")];
  if (options.names.length) {
    const known = new Set(wasts.map((w) => w.name));
    const unknown = options.names.filter((n) => !known.has(n));
    if (unknown.length) usage(`no such script: ${unknown.join(", ")}`);
    wasts = wasts.filter((w) => options.names.includes(w.name));
  }
  const jsons = wasts.map((w) => convert(w.file, w.name, outRoot));
  // A directory per run, because several runs may share the work tree.
  const binDir = path.join(outRoot, `bin-${options.engine}-${process.pid}`);
  const results = await runAll(jsons, options, binDir);
  const seconds = (Date.now() - started) / 1000;

  const failures: string[] = [];
  for (const r of results) {
    if (r.error) failures.push(`FAIL ${r.name}.wast: ${r.error}`);
    for (const o of r.outcomes) if (o.status === "fail") failures.push(formatFailure(r.name, o));
  }
  const all = results.flatMap((r) => r.outcomes);
  const passed = count(all, "pass");
  const failed = count(all, "fail") + results.filter((r) => r.error).length;
  const skipped = count(all, "skip");
  const summary = summarize(results, options, seconds);
  const last = `${passed} passed, ${failed} failed, ${skipped} skipped`;

  fs.mkdirSync(path.join(projectRoot, "build"), { recursive: true });
  if (options.names.length === 0 && options.engine === "native")
    fs.writeFileSync(
      path.join(projectRoot, "build/spec-summary.txt"),
      [...summary, "", ...failures, "", last, ""].join("\n"),
    );
  for (const f of failures.slice(0, options.maxPrinted)) console.log(f);
  if (failures.length > options.maxPrinted)
    console.log(`… ${failures.length - options.maxPrinted} more failures in build/spec-summary.txt`);
  console.log("");
  for (const line of summary) console.log(line);
  console.log("");
  console.log(last);
  if (!options.keep) fs.rmSync(binDir, { recursive: true, force: true });
  else console.log(`executables and their nasm sources: ${binDir}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

await main();
