// Runs echo, cat, ls, hello and hello-ld as Linux processes on this host:
// the user target makes static Linux executables, so the host kernel checks
// the runtime's system calls, argv and envp.
import { strict as assert } from "node:assert";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { runProgram, scratchDir, userPrograms, type BuiltPrograms } from "./programs.ts";

describe("user programs on the Linux host", function () {
  this.timeout(300_000);
  let programs: BuiltPrograms;

  before(async () => {
    programs = await userPrograms();
  });

  describe("echo", () => {
    it("joins arguments with spaces", () => {
      const result = runProgram(programs.path("echo"), ["a", "b c", "d"]);
      assert.equal(result.stdout, "a b c d\n");
      assert.equal(result.status, 0);
    });

    it("prints a newline without arguments", () => {
      assert.equal(runProgram(programs.path("echo")).stdout, "\n");
    });

    it("-n leaves out the newline", () => {
      assert.equal(runProgram(programs.path("echo"), ["-n", "x", "y"]).stdout, "x y");
    });

    it("prints -e and other options literally", () => {
      const result = runProgram(programs.path("echo"), ["-e", "a\\tb", "-z"]);
      assert.equal(result.stdout, "-e a\\tb -z\n");
      assert.equal(result.status, 0);
    });

    it("keeps UTF-8 arguments intact", () => {
      assert.equal(runProgram(programs.path("echo"), ["héllo", "✓", "日本"]).stdout, "héllo ✓ 日本\n");
    });
  });

  describe("cat", () => {
    let dir: string;

    before(() => {
      dir = scratchDir("cat");
      writeFileSync(join(dir, "one"), "first\n");
      writeFileSync(join(dir, "two"), "second\n");
    });

    it("copies files in order", () => {
      const result = runProgram(programs.path("cat"), [join(dir, "one"), join(dir, "two")]);
      assert.equal(result.stdout, "first\nsecond\n");
      assert.equal(result.status, 0);
    });

    it("copies standard input without arguments", () => {
      assert.equal(runProgram(programs.path("cat"), [], { input: "from stdin\n" }).stdout, "from stdin\n");
    });

    it("reads standard input for -", () => {
      const result = runProgram(programs.path("cat"), [join(dir, "one"), "-"], { input: "dash\n" });
      assert.equal(result.stdout, "first\ndash\n");
    });

    it("copies binary data byte for byte", () => {
      const data = randomBytes(100_000);
      const file = join(dir, "binary");
      writeFileSync(file, data);
      const result = spawnSync(programs.path("cat"), [file], { env: {} });
      assert.equal(result.status, 0);
      assert.ok(Buffer.compare(result.stdout, data) === 0, "output differs from the file");
    });

    it("reports a missing file and goes on", () => {
      const missing = join(dir, "missing");
      const result = runProgram(programs.path("cat"), [missing, join(dir, "two")]);
      assert.equal(result.stderr, `cat: ${missing}: No such file or directory\n`);
      assert.equal(result.stdout, "second\n");
      assert.equal(result.status, 1);
    });

    it("reports a directory", () => {
      const result = runProgram(programs.path("cat"), [dir]);
      assert.equal(result.stderr, `cat: ${dir}: Is a directory\n`);
      assert.equal(result.status, 1);
    });

    it("rejects an unknown option", () => {
      const result = runProgram(programs.path("cat"), ["-z", join(dir, "one")]);
      assert.equal(result.stderr, "cat: invalid option -- 'z'\nusage: cat [-u] [FILE]...\n");
      assert.equal(result.stdout, "");
      assert.equal(result.status, 1);
    });

    it("accepts -u and ends options at --", () => {
      const result = runProgram(programs.path("cat"), ["-u", "--", join(dir, "one")]);
      assert.equal(result.stdout, "first\n");
      assert.equal(result.stderr, "");
      assert.equal(result.status, 0);
    });

    it("takes an option-like name after --", () => {
      const result = runProgram(programs.path("cat"), ["--", "-z"], { cwd: dir });
      assert.equal(result.stderr, "cat: -z: No such file or directory\n");
      assert.equal(result.status, 1);
    });
  });

  describe("ls", () => {
    let dir: string;

    before(() => {
      dir = scratchDir("ls");
      writeFileSync(join(dir, "b"), "12345");
      writeFileSync(join(dir, "a"), "");
      writeFileSync(join(dir, ".hidden"), "");
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "run"), "#!/bin/true\n");
      chmodSync(join(dir, "run"), 0o755);
      chmodSync(join(dir, "b"), 0o640);
    });

    it("lists a directory sorted", () => {
      const result = runProgram(programs.path("ls"), [dir]);
      assert.equal(result.stdout, "a\nb\nrun\nsub\n");
      assert.equal(result.status, 0);
    });

    it("lists the working directory by default", () => {
      assert.equal(runProgram(programs.path("ls"), [], { cwd: dir }).stdout, "a\nb\nrun\nsub\n");
    });

    it("-a shows dot files", () => {
      const result = runProgram(programs.path("ls"), ["-a", dir]);
      assert.equal(result.stdout, ".\n..\n.hidden\na\nb\nrun\nsub\n");
    });

    it("-l shows mode and size", () => {
      const lines = runProgram(programs.path("ls"), ["-l", dir]).stdout.split("\n");
      assert.match(lines[0], /^-rw-r--r-- +0 a$/);
      assert.match(lines[1], /^-rw-r----- +5 b$/);
      assert.match(lines[2], /^-rwxr-xr-x +12 run$/);
      assert.match(lines[3], /^drwxr-xr-x +\d+ sub$/);
    });

    it("names a file operand", () => {
      assert.equal(runProgram(programs.path("ls"), [join(dir, "b")]).stdout, `${join(dir, "b")}\n`);
    });

    it("heads each of several directories", () => {
      const sub = join(dir, "sub");
      const result = runProgram(programs.path("ls"), [sub, dir]);
      assert.equal(result.stdout, `${sub}:\n\n${dir}:\na\nb\nrun\nsub\n`);
    });

    it("reads a large directory in several calls", () => {
      const big = scratchDir("ls-big");
      const names: string[] = [];
      for (let i = 0; i < 500; i++) {
        const name = `file-with-a-long-name-${String(i).padStart(4, "0")}`;
        names.push(name);
        writeFileSync(join(big, name), "");
      }
      assert.equal(runProgram(programs.path("ls"), [big]).stdout, names.join("\n") + "\n");
    });

    it("reports a missing path", () => {
      const missing = join(dir, "missing");
      const result = runProgram(programs.path("ls"), [missing]);
      assert.equal(result.stderr, `ls: cannot access '${missing}': No such file or directory\n`);
      assert.equal(result.status, 1);
    });

    it("rejects an unknown option", () => {
      const result = runProgram(programs.path("ls"), ["-z"]);
      assert.match(result.stderr, /^ls: invalid option -- 'z'\n/);
      assert.equal(result.status, 2);
    });
  });

  describe("init", () => {
    it("rejects any pid but 1", () => {
      // Running init on the host is safe because it checks its pid first.
      // As process 1 it would start a shell and never exit.
      for (const args of [[], ["-z"]]) {
        const result = runProgram(programs.path("init"), args, { argv0: "init" });
        assert.equal(result.stderr, "init: must be run as process 1\n");
        assert.equal(result.stdout, "");
        assert.equal(result.status, 1);
      }
    });
  });

  describe("hello", () => {
    it("prints argv and envp in order", () => {
      const result = runProgram(programs.path("hello"), ["a", "b c"], {
        argv0: "hello",
        env: { PATH: "/bin", HOME: "/" },
      });
      assert.equal(
        result.stdout,
        "argv[0] = hello\nargv[1] = a\nargv[2] = b c\nenvp[0] = PATH=/bin\nenvp[1] = HOME=/\n",
      );
      assert.equal(result.status, 0);
    });

    it("prints only argv[0] with an empty environment", () => {
      const result = runProgram(programs.path("hello"), [], { argv0: "x", env: {} });
      assert.equal(result.stdout, "argv[0] = x\n");
    });
  });

  describe("hello-ld", () => {
    it("prints argc and argv", () => {
      const result = runProgram(programs.path("hello-ld"), ["one", "two"], { argv0: "hello-ld" });
      assert.equal(result.stdout, "hello from ld: argc = 3\nargv[0] = hello-ld\nargv[1] = one\nargv[2] = two\n");
      assert.equal(result.status, 0);
    });
  });

  describe("test programs", () => {
    it("efault gets EFAULT for bad buffers", () => {
      const result = runProgram(programs.path("efault"));
      assert.equal(
        result.stdout,
        "write(1, NULL, 16) = EFAULT\nwrite(1, kernel, 16) = EFAULT\n" +
          "fstat(1, kernel) = EFAULT\ngetcwd(NULL, 4096) = EFAULT\nPASS\n",
      );
      assert.equal(result.status, 0);
    });

    for (const mode of ["write", "read", "kernel"]) {
      it(`fault ${mode} dies of SIGSEGV`, () => {
        const result = runProgram(programs.path("fault"), [mode]);
        assert.equal(result.stdout, `fault: ${mode}\n`);
        assert.equal(result.signal, "SIGSEGV");
      });
    }

    it("setuid-register needs the kernel", function () {
      // System calls 1000-1002 exist only in this project's kernel (Linux
      // returns ENOSYS); kernel.test.ts runs this program there.
      this.skip();
    });
  });
});
