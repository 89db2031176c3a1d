// Parser of `resident -v -l` output, shared by the QEMU suites.
import { strict as assert } from "node:assert";

export interface Registration {
  id: number;
  execs: number;
  elfLoads: number;
  path: string;
}

// Parses `resident -v -l`: a header line, then one line per registration
// with the columns Id, Size, Address, Execs, Loads, Executable.
export function parseVerboseList(text: string): Registration[] {
  const lines = text.split("\n");
  assert.match(lines[0], /^Id\s+Size\s+Address\s+Execs\s+Loads\s+Executable$/);
  return lines
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      return { id: Number(fields[0]), execs: Number(fields[3]), elfLoads: Number(fields[4]), path: fields[5] };
    });
}
