// Serial-console test harness: boots the kernel in QEMU with the console on
// pipes, types commands and waits for output, each step with its own
// timeout. A timeout error shows the tail of the console output.
import { spawn, type ChildProcess } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { join } from "node:path";
import { qemuArgs, type QemuOptions } from "./qemu-args.ts";
import { buildDir } from "./paths.ts";

// The shell's prompt at the start of a line: "# " for root, "$ " otherwise.
const PROMPT = /(?:^|\n)[#$] $/;

export class SerialSession {
  private readonly qemu: ChildProcess;
  private output = "";
  // Everything before this offset has been consumed by expect().
  private cursor = 0;
  private exitCode: number | null = null;
  private readonly exited: Promise<number>;
  private waiter: (() => void) | null = null;

  constructor(options: QemuOptions = {}) {
    const args = qemuArgs({
      serial: "stdio",
      kernelLog: join(buildDir, "kernel-test.log"),
      ...options,
    });
    this.qemu = spawn("qemu-system-x86_64", args, { stdio: ["pipe", "pipe", "pipe"] });
    // One decoder per stream keeps a UTF-8 character that is split between
    // two chunks whole.
    const collect = (decoder: StringDecoder) => (chunk: Buffer) => {
      this.output += decoder.write(chunk).replace(/\r/g, "");
      this.waiter?.();
    };
    this.qemu.stdout!.on("data", collect(new StringDecoder("utf8")));
    this.qemu.stderr!.on("data", collect(new StringDecoder("utf8")));
    this.exited = new Promise((resolve) => {
      this.qemu.on("exit", (code, signal) => {
        this.exitCode = code ?? (signal ? 128 : 1);
        this.waiter?.();
        resolve(this.exitCode);
      });
    });
  }

  // All console output so far.
  get transcript(): string {
    return this.output;
  }

  // Waits until `pattern` appears after the cursor; returns the text from the
  // cursor to the end of the match and moves the cursor past it.
  async expect(pattern: string | RegExp, timeoutMs = 10_000, step = String(pattern)): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(this.cursor);
      const match = typeof pattern === "string"
        ? (() => {
            const at = rest.indexOf(pattern);
            return at < 0 ? null : { index: at, length: pattern.length };
          })()
        : (() => {
            const found = pattern.exec(rest);
            return found ? { index: found.index, length: found[0].length } : null;
          })();
      if (match) {
        const end = match.index + match.length;
        this.cursor += end;
        return rest.slice(0, end);
      }
      if (this.exitCode !== null) {
        throw new Error(`${step}: QEMU exited with status ${this.exitCode} first; console tail:\n${this.tail()}`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(`${step}: timed out after ${timeoutMs} ms; console tail:\n${this.tail()}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  send(text: string): void {
    this.qemu.stdin!.write(text);
  }

  // Types `command` at the shell prompt and returns what it printed before the
  // next prompt, without the echoed command line.
  async run(command: string, timeoutMs = 10_000): Promise<string> {
    this.send(`${command}\n`);
    const text = await this.expect(PROMPT, timeoutMs, `command "${command}"`);
    // Drop the two-character prompt and keep the newline before it.
    const withoutPrompt = text.slice(0, -2);
    const newline = withoutPrompt.indexOf("\n");
    const echoed = newline < 0 ? withoutPrompt : withoutPrompt.slice(0, newline);
    if (!echoed.endsWith(command)) {
      throw new Error(`command "${command}": echo not found; console tail:\n${this.tail()}`);
    }
    return newline < 0 ? "" : withoutPrompt.slice(newline + 1);
  }

  // Waits for the first shell prompt.
  async waitForPrompt(timeoutMs = 30_000): Promise<string> {
    return this.expect(PROMPT, timeoutMs, "first shell prompt");
  }

  async waitForExit(timeoutMs = 10_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`QEMU did not exit within ${timeoutMs} ms; console tail:\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.exitCode === null) this.qemu.kill("SIGKILL");
  }

  private tail(): string {
    return this.output.slice(-2000);
  }
}
