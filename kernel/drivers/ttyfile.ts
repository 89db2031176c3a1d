// The console as an open file: file descriptors 0, 1 and 2 of the first
// process, shared by everything it forks.

import { ESPIPE } from "../lib/errno";
import { O_RDWR, OpenFile } from "../fs/openfile";
import { makeDevice, RAMFS_DEVICE, writeStat } from "../fs/stat";
import { S_IFCHR } from "../fs/inode";
import { ttyRead, ttyWrite } from "./tty";

// Linux numbers the first serial port ttyS0: character device 4, 64.
const TTY_MAJOR: u32 = 4;
const TTY_MINOR: u32 = 64;
// Inode number that fstat reports. RAM file system inodes count up from 1
// and stay far below it.
const TTY_INODE: u64 = 0xffffffff;

export class TtyFile extends OpenFile {
  constructor() {
    super(O_RDWR);
  }

  read(dst: usize, len: usize): i64 {
    return ttyRead(dst, len);
  }

  write(src: usize, len: usize): i64 {
    return ttyWrite(src, len);
  }

  seek(offset: i64, whence: i32): i64 {
    return -ESPIPE;
  }

  stat(dst: usize): void {
    const rdev = makeDevice(TTY_MAJOR, TTY_MINOR);
    writeStat(dst, RAMFS_DEVICE, TTY_INODE, S_IFCHR | 0o620, 1, 0, 0, rdev, 0, 0);
  }
}
