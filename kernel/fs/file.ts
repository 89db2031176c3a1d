// Per-process file descriptor tables. A descriptor refers to an OpenFile,
// and fork() and dup() share the OpenFile, with its offset, as POSIX
// requires.

import { TtyFile } from "../drivers/ttyfile";
import { EBADF, EMFILE } from "../lib/errno";
import { OpenFile } from "./openfile";

// Descriptors per process (Linux's default RLIMIT_NOFILE is 1024).
export const MAX_FILES: i32 = 64;

export class FileTable {
  private files: StaticArray<OpenFile | null> = new StaticArray<OpenFile | null>(MAX_FILES);
  private closeOnExecFlags: StaticArray<bool> = new StaticArray<bool>(MAX_FILES);

  // Returns a table with descriptors 0, 1 and 2 on one console file.
  static console(): FileTable {
    const table = new FileTable();
    const tty = new TtyFile();
    for (let fd = 0; fd < 3; fd++) table.installAt(fd, tty, false);
    return table;
  }

  // Returns a copy for a child process: the same descriptors, sharing each
  // OpenFile and its offset.
  fork(): FileTable {
    const child = new FileTable();
    for (let fd = 0; fd < MAX_FILES; fd++) {
      const file = this.files[fd];
      if (file != null) child.installAt(fd, file, this.closeOnExecFlags[fd]);
    }
    return child;
  }

  // Closes every descriptor, as process exit does.
  closeAll(): void {
    for (let fd = 0; fd < MAX_FILES; fd++) this.close(fd);
  }

  // Closes the descriptors marked close-on-exec, as execve does.
  closeOnExec(): void {
    for (let fd = 0; fd < MAX_FILES; fd++) {
      if (this.closeOnExecFlags[fd]) this.close(fd);
    }
  }

  // Returns the file behind `fd`, or null when `fd` is not open.
  get(fd: i32): OpenFile | null {
    if (fd < 0 || fd >= MAX_FILES) return null;
    return this.files[fd];
  }

  // Returns true when some descriptor is free.
  hasFreeDescriptor(): bool {
    for (let fd = 0; fd < MAX_FILES; fd++) {
      if (this.files[fd] == null) return true;
    }
    return false;
  }

  // Installs `file` at the lowest free descriptor. Returns it, or -EMFILE.
  install(file: OpenFile, closeOnExec: bool): i32 {
    return this.installFrom(0, file, closeOnExec);
  }

  // Installs `file` at the lowest free descriptor >= `lowest`. Returns it,
  // or -EMFILE.
  installFrom(lowest: i32, file: OpenFile, closeOnExec: bool): i32 {
    for (let fd = max(lowest, 0); fd < MAX_FILES; fd++) {
      if (this.files[fd] == null) {
        this.installAt(fd, file, closeOnExec);
        return fd;
      }
    }
    return -EMFILE;
  }

  // Installs `file` at `fd`, closing what was there. Returns `fd`, or
  // -EBADF when `fd` is out of range.
  installAt(fd: i32, file: OpenFile, closeOnExec: bool): i32 {
    if (fd < 0 || fd >= MAX_FILES) return -EBADF;
    file.references++;
    this.close(fd);
    this.files[fd] = file;
    this.closeOnExecFlags[fd] = closeOnExec;
    return fd;
  }

  // Closes `fd`. Returns 0, or -EBADF when it was not open.
  close(fd: i32): i32 {
    const file = this.get(fd);
    if (file == null) return -EBADF;
    this.files[fd] = null;
    this.closeOnExecFlags[fd] = false;
    file.references--;
    if (file.references == 0) file.release();
    return 0;
  }
}
