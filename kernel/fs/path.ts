// Path resolution (POSIX.1 "Pathname Resolution"): absolute and relative
// paths, ".", "..", and repeated or trailing slashes. There are no
// symbolic links.

import { EACCES, ENAMETOOLONG, ENOENT, ENOTDIR } from "../lib/errno";
import { Inode } from "./inode";
import { MAY_EXECUTE, permits } from "./permission";

// Maximum path length in bytes, counting the terminating NUL, and maximum
// name length in bytes (Linux PATH_MAX and NAME_MAX).
export const PATH_MAX: i32 = 4096;
export const NAME_MAX: i32 = 255;

// Outcome of resolving a path. When only the last component is missing,
// `error` is ENOENT, and `parent` and `name` give where it would be created.
export class PathLookup {
  // 0 or a positive errno.
  error: i32 = 0;
  inode: Inode | null = null;
  // Directory in which the last component was looked up. It is null for "/"
  // and when an earlier component failed.
  parent: Inode | null = null;
  // Last component as written ("" for "/", and "." or ".." as they are).
  name: string = "";
  trailingSlash: bool = false;
}

function fail(result: PathLookup, error: i32): PathLookup {
  result.error = error;
  result.inode = null;
  result.parent = null;
  return result;
}

// Resolves `path` for a process with `uid` and `gid` whose working
// directory is the absolute path `cwd`, where relative paths start. Every
// directory passed through needs search permission.
export function resolvePath(
  root: Inode,
  path: string,
  cwd: string,
  uid: u32,
  gid: u32,
): PathLookup {
  const result = new PathLookup();
  if (path.length == 0) return fail(result, ENOENT);
  if (String.UTF8.byteLength(path) >= PATH_MAX) return fail(result, ENAMETOOLONG);

  let current = root;
  if (path.charCodeAt(0) != 0x2f) {
    const start = resolvePath(root, cwd.length > 0 ? cwd : "/", "/", uid, gid);
    if (start.error != 0) return fail(result, start.error);
    current = changetype<Inode>(start.inode);
  }

  const components = path.split("/");
  let last = components.length - 1;
  while (last >= 0 && components[last].length == 0) last--;
  result.trailingSlash = last < components.length - 1;
  if (last < 0) {
    // "/" or only slashes.
    result.inode = root;
    return result;
  }

  for (let i = 0; i <= last; i++) {
    const name = components[i];
    if (name.length == 0 || (name == "." && i < last)) continue;
    if (!current.isDirectory()) return fail(result, ENOTDIR);
    if (!permits(current, uid, gid, MAY_EXECUTE)) return fail(result, EACCES);
    if (String.UTF8.byteLength(name) > NAME_MAX) return fail(result, ENAMETOOLONG);

    let next: Inode | null;
    if (name == ".") next = current;
    else if (name == "..") next = current.parent;
    else next = current.findEntry(name);

    if (i == last) {
      result.parent = current;
      result.name = name;
      if (next == null) {
        result.error = ENOENT;
        return result;
      }
    } else if (next == null) {
      return fail(result, ENOENT);
    }
    current = changetype<Inode>(next);
  }

  if (result.trailingSlash && !current.isDirectory()) return fail(result, ENOTDIR);
  result.inode = current;
  return result;
}
