/**
 * Finding a manifest's path inside a restored tree without ever leaving it. An archive is input
 * from whoever holds a write key: it may carry `srv -> /srv` and a manifest naming
 * `/srv/app.db`, so a plain `join(root, source)` would lead `restore` and `verify` to delete a
 * live database's `-wal` and open the live file. Each component is lstat'ed from the root down;
 * no symlink is ever followed, and the result's realpath must still lie under the root's.
 */
import { lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { normaliseAbsolutePath } from '../core/paths.js';

/** Where a manifest path is in the restored tree: a regular file (or directory) there, nothing there, or a way out. */
export type RestoredPlace =
  | { kind: 'file' | 'directory'; path: string }
  | { kind: 'missing'; path: string; detail: string }
  | { kind: 'unsafe'; detail: string };

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable)';
  }
}

/** Given the restore root, returns the end of every unsafe-archive message: what was (not) done, what to do. */
export function unsafeTail(root: string): string {
  let intoRoot: boolean;
  try {
    intoRoot = realpathSync(root) === sep;
  } catch {
    intoRoot = false;
  }
  if (intoRoot)
    return 'hotsnap removed and opened nothing through it: look at what the archive put there before starting the application (any host with a write key can store such an archive)';
  return `hotsnap removed and opened nothing through it, so nothing outside ${root} was touched: do not restore this archive to / (any host with a write key can store such an archive)`;
}

/**
 * Given a path in the restored tree, returns why it is unsafe when it is a symlink or (when a
 * directory is wanted) not a directory; null when it is fine or absent.
 */
function unsafeEntry(root: string, path: string, stat: Stats, shown: string, wantDirectory: boolean): string | null {
  if (stat.isSymbolicLink())
    return `the archive is unsafe: ${shown} in the restored tree is a symlink to ${linkTarget(path)}; ${unsafeTail(root)}`;
  if (wantDirectory && !stat.isDirectory())
    return `the archive is unsafe: ${shown} in the restored tree is not a directory, yet the manifest names a file below it; ${unsafeTail(root)}`;
  return null;
}

/**
 * Given the restore root and a manifest's absolute source path, returns where that file is in the
 * restored tree, walking it component by component with lstat: a symlink anywhere on the way
 * (the file itself included), a non-directory where a directory belongs, a hard-linked file (its
 * other name may be anywhere), a path with `.`/`..`/`//`, or a realpath outside the root's makes
 * it `unsafe`. Never follows a symlink.
 * Example: `locateRestored('/tmp/r', '/srv/app.db')` →
 * `{ kind: 'unsafe', detail: 'the archive is unsafe: /srv in the restored tree is a symlink to /srv/live; …' }`.
 */
export function locateRestored(root: string, source: string): RestoredPlace {
  return locate(root, source, 'file');
}

/**
 * Given the restore root and a manifest's absolute path of a directory (a Git repository's git
 * dir), returns where it is in the restored tree, found as `locateRestored` finds a file.
 * Example: `locateRestoredDirectory('/tmp/r', '/srv/git/app.git')` →
 * `{ kind: 'directory', path: '/tmp/r/srv/git/app.git' }`.
 */
export function locateRestoredDirectory(root: string, source: string): RestoredPlace {
  return locate(root, source, 'directory');
}

function locate(root: string, source: string, want: 'file' | 'directory'): RestoredPlace {
  let plain: boolean;
  try {
    plain = !source.includes('\0') && source !== '/' && normaliseAbsolutePath(source) === source;
  } catch {
    plain = false;
  }
  if (!plain) {
    return {
      kind: 'unsafe',
      detail: `the archive is unsafe: its manifest names ${JSON.stringify(source)}, not a plain absolute path (no ".", "..", "//" or trailing "/"); ${unsafeTail(root)}`,
    };
  }
  const parts = source.slice(1).split('/');
  let path = root;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const shown = `/${parts.slice(0, index + 1).join('/')}`;
    const stat = lstatOrNull(path);
    if (stat === null) return { kind: 'missing', path: join(root, ...parts), detail: 'no such file' };
    const last = index === parts.length - 1;
    const unsafe = unsafeEntry(root, path, stat, shown, !last);
    if (unsafe !== null) return { kind: 'unsafe', detail: unsafe };
    if (last && want === 'directory' && !stat.isDirectory())
      return { kind: 'missing', path, detail: 'not a directory' };
    if (last && want === 'file' && !stat.isFile()) return { kind: 'missing', path, detail: 'not a regular file' };
    if (last && want === 'file' && stat.nlink > 1) {
      return {
        kind: 'unsafe',
        detail: `the archive is unsafe: ${shown} in the restored tree is a hard link (${stat.nlink} names; another may be outside the restored tree); ${unsafeTail(root)}`,
      };
    }
  }
  // Belt and braces against a race: the walk saw no symlink, so the realpath must agree.
  const realRoot = realpathSync(root);
  const real = realpathSync(path);
  if (!real.startsWith(realRoot === sep ? sep : realRoot + sep)) {
    return {
      kind: 'unsafe',
      detail: `the archive is unsafe: ${source} in the restored tree resolves to ${real}, outside ${realRoot}; ${unsafeTail(root)}`,
    };
  }
  return { kind: want, path };
}

/**
 * Given the restored path of a database and a side file's suffix, returns why that side file is
 * unsafe to remove or let SQLite open (a symlink, or not a regular file), or null when it is
 * absent or a plain file. Example: `unsafeSideFile('/tmp/r', '/srv/app.db', '/tmp/r/srv/app.db', '-wal')` → null.
 */
export function unsafeSideFile(root: string, source: string, path: string, suffix: string): string | null {
  const stat = lstatOrNull(path + suffix);
  if (stat === null) return null;
  const shown = source + suffix;
  if (stat.isSymbolicLink())
    return `the archive is unsafe: ${shown} in the restored tree is a symlink to ${linkTarget(path + suffix)}; ${unsafeTail(root)}`;
  if (!stat.isFile())
    return `the archive is unsafe: ${shown} in the restored tree is not a regular file; ${unsafeTail(root)}`;
  return null;
}

/**
 * Given the restore root and an absolute path, returns whether something is restored at that
 * path: every directory above it must be a real directory (lstat, never a symlink: that would
 * look outside the tree); the entry itself may be anything, a symlink included.
 * Example: `existsInside('/tmp/r', '/home/alice')` → true when /tmp/r/home/alice exists.
 */
export function existsInside(root: string, absolute: string): boolean {
  const parts = normaliseAbsolutePath(absolute).split('/').filter(Boolean);
  let path = root;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const stat = lstatOrNull(path);
    if (stat === null) return false;
    if (index < parts.length - 1 && !stat.isDirectory()) return false;
  }
  return true;
}
