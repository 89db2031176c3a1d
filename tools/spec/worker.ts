// Child process of tools/spec/run.ts: checks the scripts it is sent, one at a
// time, and sends back the outcomes.

import fs from "node:fs";
import { NativeEngine, V8Engine } from "./engines.ts";
import { Engine, JsonCommand, ScriptRunner } from "./script.ts";

interface Task {
  json: string;
  engine: "native" | "v8";
  outDir: string;
}

let engine: Engine | undefined;

process.on("message", async (task: Task) => {
  engine ??= task.engine === "v8" ? new V8Engine() : new NativeEngine(task.outDir);
  const started = Date.now();
  try {
    const { commands } = JSON.parse(fs.readFileSync(task.json, "utf8")) as {
      commands: JsonCommand[];
    };
    const outcomes = await new ScriptRunner(task.json, commands, engine).run();
    process.send!({ json: task.json, outcomes, ms: Date.now() - started });
  } catch (error) {
    process.send!({
      json: task.json,
      error: `the spec runner crashed: ${(error as Error).stack ?? String(error)}`,
      ms: Date.now() - started,
    });
  }
});
