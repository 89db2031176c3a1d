// resident(8) on this Linux host: option handling and the messages that do
// not need the resident system calls. Registration itself needs this
// project's kernel (kernel.test.ts and test/qemu).
import { strict as assert } from "node:assert";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runProgram, scratchDir, userPrograms, type BuiltPrograms } from "./programs.ts";

const USAGE = "usage: resident [-l [-v]] [-f] [-x id] [-d] [-R] program ...\n";

describe("resident on the Linux host", function () {
  this.timeout(300_000);
  let programs: BuiltPrograms;

  before(async () => {
    programs = await userPrograms();
  });

  function resident(args: string[]) {
    return runProgram(programs.path("resident"), args, { argv0: "resident" });
  }

  it("prints usage without a program", () => {
    const result = resident([]);
    assert.equal(result.stderr, USAGE);
    assert.equal(result.status, 1);
  });

  it("rejects an unknown option", () => {
    const result = resident(["-q"]);
    assert.equal(result.stderr, "resident: invalid option -- 'q'\n" + USAGE);
    assert.equal(result.status, 1);
  });

  it("-x needs an argument", () => {
    const result = resident(["-x"]);
    assert.equal(result.stderr, "resident: option requires an argument -- 'x'\n" + USAGE);
    assert.equal(result.status, 1);
  });

  it("-x rejects an invalid id", () => {
    const result = resident(["-x", "one"]);
    assert.equal(result.stderr, "resident: invalid id: one\n" + USAGE);
    assert.equal(result.status, 1);
  });

  it("reports a missing program", () => {
    const result = resident(["/nonexistent"]);
    assert.equal(result.stderr, "resident: /nonexistent: No such file or directory\n");
    assert.equal(result.status, 1);
  });

  it("reports a file that is not ELF", () => {
    const file = join(scratchDir("resident"), "text");
    writeFileSync(file, "not an executable\n");
    const result = resident([file]);
    assert.equal(result.stderr, `resident: ${file}: not an ELF executable\n`);
    assert.equal(result.status, 1);
  });

  it("-l reports ENOSYS from Linux", () => {
    // Linux has no system call 1002, so this checks the error path only.
    const result = resident(["-l"]);
    assert.equal(result.stderr, "resident: exec_sys_resident_list: Function not implemented\n");
    assert.equal(result.status, 1);
  });

  it("-x reports ENOSYS from Linux", () => {
    const result = resident(["-x", "0x1"]);
    assert.equal(result.stderr, "resident: id 1: Function not implemented\n");
    assert.equal(result.status, 1);
  });

  it("registration needs the kernel", function () {
    // exec_sys_register (1000) exists only in this project's kernel, where
    // kernel.test.ts registers, lists and unregisters programs.
    this.skip();
  });
});
