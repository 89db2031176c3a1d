// Unpacks a parsed initrd archive into the RAM file system. Regular file
// content stays in the initrd image and is copied on its first write.

import { klog, klogWarn } from "../log";
import { CpioArchive, CpioEntry } from "./cpio";
import { Inode, PERMISSION_MASK, S_IFDIR, S_IFMT, S_IFREG } from "./inode";

const IMPLICIT_DIRECTORY_MODE: u32 = S_IFDIR | 0o755;

// Counts of what an unpacking made, for the boot log.
export class UnpackSummary {
  files: i32 = 0;
  directories: i32 = 0;
  hardLinks: i32 = 0;
  skipped: i32 = 0;
  bytes: u64 = 0;
}

// Returns the path components of an archive name: "./bin/sh", "/bin/sh"
// and "bin//sh" all give ["bin", "sh"], and "." gives [].
function componentsOf(name: string): Array<string> {
  const parts = name.split("/");
  const components = new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length > 0 && part != ".") components.push(part);
  }
  return components;
}

// Returns the directory for `components` minus the last one, creating
// missing directories with mode 0755 as cpio -i -d does. Returns null when
// an earlier component is not a directory.
function parentDirectory(root: Inode, components: Array<string>, summary: UnpackSummary): Inode | null {
  let current = root;
  for (let i = 0; i < components.length - 1; i++) {
    let next = current.findEntry(components[i]);
    if (next == null) {
      next = new Inode(IMPLICIT_DIRECTORY_MODE, 0, 0);
      current.addEntry(components[i], next);
      summary.directories++;
    }
    if (!next.isDirectory()) return null;
    current = next;
  }
  return current;
}

// Hard-linked members share an inode: GNU cpio stores the content only
// with the last link, so content is set whenever a link carries some.
function hardLinkKey(entry: CpioEntry): string {
  return entry.devMajor.toString() + ":" + entry.devMinor.toString() + ":" + entry.ino.toString();
}

function applyMetadata(inode: Inode, entry: CpioEntry): void {
  inode.mode = (inode.mode & S_IFMT) | (entry.mode & PERMISSION_MASK);
  inode.uid = entry.uid;
  inode.gid = entry.gid;
  inode.mtime = entry.mtime;
}

function unpackEntry(
  root: Inode,
  entry: CpioEntry,
  hardLinks: Map<string, Inode>,
  summary: UnpackSummary,
): void {
  const type = entry.mode & S_IFMT;
  const components = componentsOf(entry.name);
  if (components.length == 0) {
    // "." describes the root directory itself.
    if (type == S_IFDIR) applyMetadata(root, entry);
    return;
  }
  if (type != S_IFREG && type != S_IFDIR) {
    klogWarn("initrd: skipped " + entry.name + ": file type 0o" + (type >> 12).toString(8) + "0000 is not supported");
    summary.skipped++;
    return;
  }

  const parent = parentDirectory(root, components, summary);
  if (parent == null) {
    klogWarn("initrd: skipped " + entry.name + ": a path component is not a directory");
    summary.skipped++;
    return;
  }
  const name = components[components.length - 1];
  const existing = parent.findEntry(name);

  if (type == S_IFDIR) {
    if (existing != null && existing.isDirectory()) {
      applyMetadata(existing, entry);
      return;
    }
    if (existing != null) {
      parent.removeEntry(name);
      existing.releaseIfUnused();
    }
    const directory = new Inode(S_IFDIR, 0, 0);
    applyMetadata(directory, entry);
    parent.addEntry(name, directory);
    summary.directories++;
    return;
  }

  // A later member replaces an earlier one of the same name, as extraction
  // would, unless the earlier one is a directory that is not empty.
  if (existing != null) {
    if (existing.isDirectory() && existing.entryCount() > 0) {
      klogWarn("initrd: skipped " + entry.name + ": a non-empty directory has that name");
      summary.skipped++;
      return;
    }
    parent.removeEntry(name);
    existing.releaseIfUnused();
  }

  const key = hardLinkKey(entry);
  let file: Inode;
  if (entry.nlink > 1 && hardLinks.has(key)) {
    file = hardLinks.get(key);
    summary.hardLinks++;
  } else {
    file = new Inode(S_IFREG, 0, 0);
    if (entry.nlink > 1) hardLinks.set(key, file);
    summary.files++;
  }
  applyMetadata(file, entry);
  if (entry.size > 0) {
    file.setContentInPlace(entry.data, <u64>entry.size);
    summary.bytes += <u64>entry.size;
  }
  parent.addEntry(name, file);
}

// Adds every member of `archive` under `root`, logging members it skips.
export function unpackArchive(root: Inode, archive: CpioArchive): UnpackSummary {
  const summary = new UnpackSummary();
  const hardLinks = new Map<string, Inode>();
  for (let i = 0; i < archive.entries.length; i++) {
    unpackEntry(root, archive.entries[i], hardLinks, summary);
  }
  klog(
    "initrd: " +
      summary.files.toString() +
      " files, " +
      summary.directories.toString() +
      " directories, " +
      summary.hardLinks.toString() +
      " hard links, " +
      summary.bytes.toString() +
      " bytes, " +
      summary.skipped.toString() +
      " skipped",
  );
  return summary;
}
