// Drives userland/bin/sh through a pipe on this Linux host. The shell
// prints its prompt before every read, so a session of N lines prints N + 1
// prompts; `session` strips them.
import { strict as assert } from "node:assert";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runProgram, scratchDir, userPrograms, type BuiltPrograms, type RunResult } from "./programs.ts";

const PROMPT = process.getuid?.() === 0 ? "# " : "$ ";

describe("sh on the Linux host", function () {
  this.timeout(300_000);
  let programs: BuiltPrograms;

  before(async () => {
    programs = await userPrograms();
  });

  // Runs the shell on `script` with PATH set to the built programs.
  function session(script: string, env: Record<string, string> = {}): RunResult {
    return runProgram(programs.path("sh"), [], {
      input: script,
      argv0: "sh",
      env: { PATH: programs.dir, ...env },
    });
  }

  // Returns stdout without the prompts, checking that there is one prompt
  // per line read plus the final one before end of input.
  function output(result: RunResult, lines: number): string {
    const parts = result.stdout.split(PROMPT);
    assert.equal(parts[0], "", `output starts with the prompt: ${JSON.stringify(result.stdout)}`);
    assert.equal(parts.length - 1, lines + 1, `prompt count in ${JSON.stringify(result.stdout)}`);
    return parts.join("");
  }

  it("prints the root or user prompt", () => {
    assert.equal(session("").stdout, PROMPT);
  });

  it("runs a program found in PATH", () => {
    const result = session("echo hello world\n");
    assert.equal(output(result, 1), "hello world\n");
    assert.equal(result.stderr, "");
    assert.equal(result.status, 0);
  });

  it("runs a program by path", () => {
    assert.equal(output(session(`${programs.path("echo")} by path\n`), 1), "by path\n");
  });

  it("searches every PATH entry", () => {
    const empty = scratchDir("sh-path");
    const result = session("echo found\n", { PATH: `${empty}:/nonexistent:${programs.dir}` });
    assert.equal(output(result, 1), "found\n");
  });

  it("unknown command prints not found with 127", () => {
    const result = session("nosuch\necho $?\n");
    assert.equal(result.stderr, "sh: nosuch: not found\n");
    assert.equal(output(result, 2), "127\n");
  });

  it("missing path prints not found with 127", () => {
    const result = session("/nonexistent/prog\necho $?\n");
    assert.equal(result.stderr, "sh: /nonexistent/prog: not found\n");
    assert.equal(output(result, 2), "127\n");
  });

  it("non-executable format gives 126", () => {
    const dir = scratchDir("sh-noexec");
    const file = join(dir, "garbage");
    writeFileSync(file, "this is not an executable\n");
    chmodSync(file, 0o755);
    const result = session(`${file}\necho $?\n`);
    assert.equal(result.stderr, `sh: ${file}: Exec format error\n`);
    assert.equal(output(result, 2), "126\n");
  });

  it("file without execute permission gives 126", () => {
    const dir = scratchDir("sh-noperm");
    const file = join(dir, "plain");
    writeFileSync(file, "data\n");
    chmodSync(file, 0o644);
    const result = session(`${file}\necho $?\n`);
    assert.equal(result.stderr, `sh: ${file}: Permission denied\n`);
    assert.equal(output(result, 2), "126\n");
  });

  it("$? holds the exit status", () => {
    const result = session("cat /nonexistent\necho $?\necho $?\n");
    assert.equal(output(result, 3), "1\n0\n");
  });

  it("$? is 128 + signal after a fault", () => {
    const result = session(`${programs.path("fault")}\necho $?\n`);
    assert.equal(output(result, 2), "fault: write\n139\n");
  });

  it("quotes group words", () => {
    const result = session(`echo 'a  b' "c  d" e\\ f 'it''s' ""\n`);
    assert.equal(output(result, 1), "a  b c  d e f its \n");
  });

  it("expands variables outside single quotes", () => {
    const result = session(`X=1\necho $X "$X" '$X' \${X}y $NOPE.\n`);
    assert.equal(output(result, 2), `1 1 $X 1y .\n`);
  });

  it("splits unquoted expansions into words", () => {
    const result = session(`V='a   b'\nhello $V\nhello "$V"\n`, { PATH: programs.dir });
    const text = output(result, 3);
    assert.match(text, /argv\[1\] = a\nargv\[2\] = b\n/);
    assert.match(text, /argv\[1\] = a {3}b\n/);
  });

  it("reads variables from the environment", () => {
    assert.equal(output(session("echo $GREETING\n", { GREETING: "hi there" }), 1), "hi there\n");
  });

  it("passes only exported variables", () => {
    const result = session("LOCAL=1\nEXPORTED=2\nexport EXPORTED\nexport NEW=3\nhello\n");
    const text = output(result, 5);
    assert.match(text, /envp\[\d+\] = EXPORTED=2\n/);
    assert.match(text, /envp\[\d+\] = NEW=3\n/);
    assert.doesNotMatch(text, /LOCAL/);
    assert.match(text, /envp\[0\] = PATH=/);
  });

  it("export lists variables quoted", () => {
    const result = runProgram(programs.path("sh"), [], { input: "A=\"it's\"\nexport A\nexport\n", env: {} });
    assert.equal(output(result, 3), "export A='it'\\''s'\n");
  });

  it("prefix assignment applies to one command", () => {
    const result = session("ONCE=1 hello\nhello\n");
    const text = output(result, 2);
    assert.equal(text.match(/ONCE=1/g)?.length, 1);
  });

  it("cd and pwd change and show the directory", () => {
    const dir = scratchDir("sh-cd");
    const result = session(`cd ${dir}\npwd\ncd /\npwd\n`);
    assert.equal(output(result, 4), `${dir}\n/\n`);
  });

  it("cd to a missing directory fails with 1", () => {
    const result = session("cd /nonexistent\necho $?\n");
    assert.equal(result.stderr, "sh: cd: /nonexistent: No such file or directory\n");
    assert.equal(output(result, 2), "1\n");
  });

  it("exit ends the shell with its status", () => {
    const result = session("exit 3\necho not reached\n");
    assert.equal(result.status, 3);
    assert.equal(result.stdout, PROMPT);
  });

  it("exit without argument uses $?", () => {
    assert.equal(session("nosuch\nexit\n").status, 127);
  });

  it("end of input ends the shell with $?", () => {
    assert.equal(session("cat /nonexistent\n").status, 1);
  });

  it("last line without newline still runs", () => {
    assert.equal(output(session("echo last"), 1), "last\n");
  });

  it("comments and blank lines do nothing", () => {
    const result = session("\n   \n# a comment\necho a # b\n");
    assert.equal(output(result, 4), "a\n");
    assert.equal(result.stderr, "");
  });

  it("unterminated quote is a syntax error", () => {
    const result = session("echo 'abc\necho $?\n");
    assert.equal(result.stderr, "sh: syntax error: unterminated quoted string\n");
    assert.equal(output(result, 2), "2\n");
  });

  it("$$ expands to the shell's pid", () => {
    const text = output(session("echo $$\n"), 1);
    assert.match(text, /^[1-9]\d*\n$/);
  });

  // Runs the shell with `args` and no input, PATH set to the built programs.
  function sh(args: string[]): RunResult {
    return runProgram(programs.path("sh"), args, { argv0: "sh", env: { PATH: programs.dir } });
  }

  const USAGE = "usage: sh [FILE [ARG]...]\n       sh -c COMMAND [NAME [ARG]...]\n";

  it("runs a script file without prompts", () => {
    const file = join(scratchDir("sh-script"), "script");
    writeFileSync(file, "#!/bin/sh\necho one\n\necho $0 $1 $2 $#\nnosuch\n");
    const result = sh([file, "a", "b c"]);
    assert.equal(result.stdout, `one\n${file} a b c 2\n`);
    assert.equal(result.stderr, "sh: nosuch: not found\n");
    assert.equal(result.status, 127);
  });

  it("script exit sets the status", () => {
    const file = join(scratchDir("sh-script"), "script");
    writeFileSync(file, "echo before\nexit 4\necho after\n");
    const result = sh([file]);
    assert.equal(result.stdout, "before\n");
    assert.equal(result.status, 4);
  });

  it("missing script prints an error with 127", () => {
    const result = sh(["/nonexistent/script"]);
    assert.equal(result.stderr, "sh: /nonexistent/script: No such file or directory\n");
    assert.equal(result.stdout, "");
    assert.equal(result.status, 127);
  });

  it("directory as script gives 126", () => {
    const dir = scratchDir("sh-dir");
    const result = sh([dir]);
    assert.equal(result.stderr, `sh: ${dir}: Is a directory\n`);
    assert.equal(result.status, 126);
  });

  it("-c runs one command line", () => {
    const result = sh(["-c", "echo $0 x"]);
    assert.equal(result.stdout, "sh x\n");
    assert.equal(result.status, 0);
    const failed = sh(["-c", "cat /nonexistent"]);
    assert.equal(failed.stderr, "cat: /nonexistent: No such file or directory\n");
    assert.equal(failed.status, 1);
  });

  it("-c sets $0 and the positional parameters", () => {
    const result = sh(["-c", "echo $0 $1 ${2} $3. $#", "name", "a", "b"]);
    assert.equal(result.stdout, "name a b . 2\n");
  });

  it("-c runs each line of a multi-line command", () => {
    assert.equal(sh(["-c", "echo one\necho two"]).stdout, "one\ntwo\n");
  });

  it("unknown option prints usage with 2", () => {
    const result = sh(["-z"]);
    assert.equal(result.stderr, "sh: invalid option -- 'z'\n" + USAGE);
    assert.equal(result.stdout, "");
    assert.equal(result.status, 2);
  });

  it("-c without a command prints usage with 2", () => {
    const result = sh(["-c"]);
    assert.equal(result.stderr, "sh: option requires an argument -- 'c'\n" + USAGE);
    assert.equal(result.status, 2);
  });

  it("escapes control characters in a name not found", () => {
    // An arrow key sends ESC [ A, which the shell gets as a word.
    const result = session("\x1b[A\necho $?\n");
    assert.equal(result.stderr, "sh: ^[[A: not found\n");
    assert.equal(output(result, 2), "127\n");
  });

  it("prints no newline at end of piped input", () => {
    // The shell ends the line after ^D only on a character device such as a
    // terminal, and a pipe is none.
    assert.equal(session("echo x\n").stdout, `${PROMPT}x\n${PROMPT}`);
  });
});
