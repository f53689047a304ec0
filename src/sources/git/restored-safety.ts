/**
 * Before git opens a restored git dir: an archive is input from whoever holds a write key, and a
 * symlink (`objects -> /srv/git/app.git/objects`), an `objects/info/alternates` or a `commondir`
 * file would let fsck pass on the live repository's objects instead of the restored ones, and a
 * FIFO would hang it. hotsnap's capture stages none of these (alternates are dissolved, the main
 * git dir has no commondir); `hooks/` is left alone: fsck never runs or reads a hook.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { RepositoryEntry } from '../../core/manifest.js';
import { unsafeTail } from '../../adapters/restored-path.js';

function linkTarget(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '(unreadable)';
  }
}

/** Given a path, returns whether anything (a dangling symlink too) is there. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Given a directory, returns its first entry (depth first) that is neither a file nor a directory, or null. */
function firstOddEntry(dir: string, skipTop: ReadonlySet<string>): { path: string; entry: Dirent } | null {
  const stack = [dir];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    for (const entry of readdirSync(next, { withFileTypes: true })) {
      if (next === dir && skipTop.has(entry.name)) continue;
      const path = join(next, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else if (!entry.isFile()) return { path, entry };
    }
  }
  return null;
}

/**
 * Given the restore root, the manifest's git dir and where it was restored, returns why git must
 * not open it (a symlink, FIFO or device in it outside `hooks/`, an alternates or commondir file),
 * or null. Example: `unsafeInGitDir('/r', '/srv/a.git', '/r/srv/a.git')` → null for a copy hotsnap made.
 */
export function unsafeInGitDir(root: string, gitDir: string, restored: string): string | null {
  const shown = (path: string) => join(gitDir, relative(restored, path));
  for (const redirect of [join('objects', 'info', 'alternates'), 'commondir']) {
    const path = join(restored, redirect);
    if (present(path))
      return `the archive is unsafe: ${shown(path)} in the restored tree would make git read objects outside it (hotsnap never archives one); ${unsafeTail(root)}`;
  }
  let odd;
  try {
    odd = firstOddEntry(restored, new Set(['hooks']));
  } catch (error) {
    return `cannot read the restored ${gitDir}: ${(error as Error).message}`;
  }
  if (odd === null) return null;
  const what = odd.entry.isSymbolicLink() ? `a symlink to ${linkTarget(odd.path)}` : 'not a regular file or directory';
  return `the archive is unsafe: ${shown(odd.path)} in the restored tree is ${what}, which git would open; ${unsafeTail(root)}`;
}

/**
 * Given a restored git dir and its manifest entry, returns the HEAD file (relative to the git dir)
 * the entry's `head` was read from: a linked worktree's own, else the repository's; null when the
 * linked worktree's is not there. Example: a work tree /srv/wt of /srv/main/.git → 'worktrees/wt/HEAD'.
 */
export function restoredHeadFile(restored: string, entry: Pick<RepositoryEntry, 'source' | 'git_dir'>): string | null {
  const { source, git_dir: gitDir } = entry;
  if (source.startsWith(`${gitDir}${sep}worktrees${sep}`)) return join(relative(gitDir, source), 'HEAD');
  if (source === gitDir || join(source, '.git') === gitDir) return 'HEAD';
  // A linked worktree named by its work tree: git records `<work tree>/.git` in worktrees/<name>/gitdir.
  let names: string[];
  try {
    names = readdirSync(join(restored, 'worktrees'));
  } catch {
    return null;
  }
  const name = names.find((candidate) => {
    try {
      return readFileSync(join(restored, 'worktrees', candidate, 'gitdir'), 'utf8').trim() === join(source, '.git');
    } catch {
      return false;
    }
  });
  return name === undefined ? null : join('worktrees', name, 'HEAD');
}
