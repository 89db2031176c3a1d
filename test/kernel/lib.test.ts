// Host tests of kernel/lib and kernel/log.ts, compiled by asc as the
// kernel is and run under node.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { buildDir, root } from "../../tools/paths.ts";

// Size of the kernel log ring (LOG_RING_SIZE in kernel/log.ts).
const LOG_RING_SIZE = 65536;

interface LibExports {
  memory: WebAssembly.Memory;
  scratch(): number;
  formatHex(value: bigint, width: number): number;
  formatDecimal(value: bigint, width: number): number;
  formatDecimalSigned(value: bigint, width: number): number;
  formatPadded(length: number, width: number, right: number): number;
  formatByteSize(bytes: bigint): number;
  encodeUtf16(units: number): number;
  log(length: number, level: number): void;
  readLog(max: number): number;
}

describe("kernel lib and log (host)", function () {
  let module: WebAssembly.Module;

  before(async () => {
    const outFile = join(buildDir, "test", "lib-harness.wasm");
    const stderr = asc.createMemoryStream();
    const { error } = await asc.main(
      [
        join(root, "test/kernel/harness/lib.ts"),
        "--runtime", "incremental",
        "--memoryBase", "16777216",
        "--initialMemory", "768",
        "--maximumMemory", "768",
        "-O3",
        "--outFile", outFile,
      ],
      { stderr },
    );
    if (error) throw new Error(`asc failed:\n${stderr.toString()}${error.message}`);
    module = new WebAssembly.Module(readFileSync(outFile));
  });

  // A fresh instance and the bytes it sent to port 0xE9.
  function instantiate(): { lib: LibExports; debugcon: number[] } {
    const debugcon: number[] = [];
    const instance = new WebAssembly.Instance(module, {
      x86: {
        outb: (port: number, value: number) => {
          if ((port & 0xffff) === 0xe9) debugcon.push(value & 0xff);
        },
        inb: () => 0x20,
      },
      env: {
        abort: () => {
          throw new Error("abort");
        },
      },
    });
    return { lib: instance.exports as unknown as LibExports, debugcon };
  }

  function text(lib: LibExports, length: number): string {
    const start = lib.scratch();
    return Buffer.from(new Uint8Array(lib.memory.buffer, start, length)).toString("utf8");
  }

  function put(lib: LibExports, value: string): number {
    const bytes = Buffer.from(value, "utf8");
    new Uint8Array(lib.memory.buffer).set(bytes, lib.scratch());
    return bytes.length;
  }

  it("formats hexadecimal with padding", () => {
    const { lib } = instantiate();
    assert.equal(text(lib, lib.formatHex(0xbeefn, 0)), "0xbeef");
    assert.equal(text(lib, lib.formatHex(0x1fn, 8)), "0x0000001f");
    assert.equal(text(lib, lib.formatHex(0xffff800000100000n, 16)), "0xffff800000100000");
    assert.equal(text(lib, lib.formatHex(0n, 1)), "0x0");
  });

  it("formats decimal with padding", () => {
    const { lib } = instantiate();
    assert.equal(text(lib, lib.formatDecimal(18446744073709551615n, 0)), "18446744073709551615");
    assert.equal(text(lib, lib.formatDecimal(42n, 5)), "   42");
    assert.equal(text(lib, lib.formatDecimalSigned(-42n, 5)), "  -42");
    assert.equal(text(lib, lib.formatDecimalSigned(-9223372036854775808n, 0)), "-9223372036854775808");
  });

  it("pads left and right", () => {
    const { lib } = instantiate();
    assert.equal(text(lib, lib.formatPadded(put(lib, "ab"), 5, 0)), "...ab");
    assert.equal(text(lib, lib.formatPadded(put(lib, "ab"), 5, 1)), "ab...");
    assert.equal(text(lib, lib.formatPadded(put(lib, "abcdef"), 3, 0)), "abcdef");
  });

  it("formats byte sizes with binary units", () => {
    const { lib } = instantiate();
    const cases: Array<[bigint, string]> = [
      [0n, "0 B"],
      [1023n, "1023 B"],
      [1024n, "1 KiB"],
      [4095n, "3 KiB"],
      [48n << 20n, "48 MiB"],
      [(2n << 30n) + 5n, "2 GiB"],
    ];
    for (const [bytes, expected] of cases) {
      assert.equal(text(lib, lib.formatByteSize(bytes)), expected, `${bytes} bytes`);
    }
  });

  it("encodes UTF-8 as Node does", () => {
    const { lib } = instantiate();
    for (const sample of ["plain", "caf\u00e9", "\u20ac", "\u{1f600} smile", "\u0800\uffff\u{10ffff}"]) {
      const units = Buffer.from(sample, "utf16le");
      new Uint8Array(lib.memory.buffer).set(units, lib.scratch());
      const length = lib.encodeUtf16(sample.length);
      assert.equal(text(lib, length), sample);
      assert.equal(length, Buffer.byteLength(sample, "utf8"), `${JSON.stringify(sample)} byte count`);
    }
  });

  it("encodes an unpaired surrogate as U+FFFD", () => {
    const { lib } = instantiate();
    const units = Buffer.from([0x3d, 0xd8, 0x41, 0x00]); // D83D then "A"
    new Uint8Array(lib.memory.buffer).set(units, lib.scratch());
    const length = lib.encodeUtf16(2);
    assert.equal(text(lib, length), "\ufffdA");
  });

  it("logs lines to port 0xE9 and the ring", () => {
    const { lib, debugcon } = instantiate();
    lib.log(put(lib, "boot: one"), 0);
    lib.log(put(lib, "two\n"), 0);
    lib.log(put(lib, "disk \u00e9"), 1);
    lib.log(put(lib, "bad"), 2);
    const expected = "boot: one\ntwo\nwarning: disk \u00e9\nerror: bad\n";
    assert.equal(Buffer.from(debugcon).toString("utf8"), expected);
    assert.equal(text(lib, lib.readLog(1 << 16)), expected);
  });

  it("log ring keeps the most recent bytes", () => {
    const { lib } = instantiate();
    const line = "0123456789abcdef".repeat(4) + "\n"; // 65 bytes with the newline
    const count = Math.ceil((LOG_RING_SIZE * 2) / line.length);
    for (let i = 0; i < count; i++) lib.log(put(lib, `${i.toString().padStart(5, "0")} ${line}`), 0);
    const length = lib.readLog(1 << 18);
    assert.equal(length, LOG_RING_SIZE);
    const retained = text(lib, length);
    assert.ok(retained.endsWith(`${(count - 1).toString().padStart(5, "0")} ${line}`), "ends with the last line");
    assert.equal(lib.readLog(10), 10);
    assert.equal(text(lib, 10), retained.slice(-10), "a short read returns the newest bytes");
  });
});
