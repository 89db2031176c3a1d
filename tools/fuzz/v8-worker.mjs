// Worker thread for runInV8Limited: runs one merged module in V8 and posts
// the result back, so that the caller can stop a run that does not end.
// Plain JavaScript, because worker threads do not inherit tsx's loader;
// it registers tsx itself to load the TypeScript emulation.
import { parentPort, workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { runInV8 } = await import("../spec/v8-process.ts");
const { wasm, args, stdin } = workerData;
parentPort.postMessage(runInV8(new WebAssembly.Module(wasm), args, stdin));
