/**
 * Telling what one path is: a bare repository, a work tree with a `.git` directory, a `.git` file
 * (`gitdir: …`, as linked worktrees and submodules have), a git directory named directly, or none
 * of these. Reads files only; never runs git.
 */
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { GitRepositoryError } from './errors.js';
import type { GitRepository } from './types.js';

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Given a directory, returns true for a git directory: a HEAD file and refs/ + objects/, or a `commondir` file. */
export function looksLikeGitDir(dir: string): boolean {
  if (!isFile(join(dir, 'HEAD'))) return false;
  return isFile(join(dir, 'commondir')) || (isDirectory(join(dir, 'objects')) && isDirectory(join(dir, 'refs')));
}

/** Given a directory, returns true when it holds a `.git` entry (directory or file), without following a symlink. */
export function hasDotGit(dir: string): boolean {
  const entry = lstatSync(join(dir, '.git'), { throwIfNoEntry: false });
  return entry !== undefined && (entry.isDirectory() || entry.isFile());
}

/** Given a `.git` file, returns the directory its `gitdir: …` line names (relative to the file's directory). */
function readGitFile(file: string): string {
  const match = /^gitdir: (.+)$/m.exec(readFileSync(file, 'utf8'));
  if (!match?.[1]) throw new GitRepositoryError(file, 'is a .git file without a "gitdir: PATH" line; fix or remove it');
  return resolve(dirname(file), match[1].trim());
}

/** Given a git dir's config text, returns core.bare when set; e.g. "[core]\n\tbare = true" → true. */
function coreBare(config: string): boolean | undefined {
  let inCore = false;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inCore = /^\[core\]/i.test(line);
    const match = inCore ? /^bare\s*=\s*(\w+)/i.exec(line) : null;
    if (match) return ['true', 'yes', 'on', '1'].includes(match[1]!.toLowerCase());
  }
  return undefined;
}

/** Given a real git dir, returns its common dir (the main repository's) when it is a linked worktree's. */
function commonDirOf(gitDir: string): string | undefined {
  const file = join(gitDir, 'commondir');
  if (!isFile(file)) return undefined;
  const common = resolve(gitDir, readFileSync(file, 'utf8').trim());
  if (!looksLikeGitDir(common)) {
    throw new GitRepositoryError(
      gitDir,
      `its commondir names ${common}, which is not a git directory; run git worktree prune in the main repository`,
    );
  }
  return realpathSync(common);
}

function repositoryAt(path: string, gitDirPath: string, viaDotGit: boolean): GitRepository {
  if (!looksLikeGitDir(gitDirPath)) {
    throw new GitRepositoryError(
      path,
      `names ${gitDirPath} as its git directory, which is not one (no HEAD, refs/ and objects/)`,
    );
  }
  const gitDir = realpathSync(gitDirPath);
  const commonDir = commonDirOf(gitDir);
  let bare = false;
  if (!viaDotGit && !commonDir) {
    const config = join(gitDir, 'config');
    bare = (isFile(config) ? coreBare(readFileSync(config, 'utf8')) : undefined) ?? basename(gitDir) !== '.git';
  }
  return commonDir ? { path, gitDir, commonDir, bare } : { path, gitDir, bare };
}

/**
 * Given a path, returns the repository it is, or undefined for a directory that is none (the
 * caller may search it). Throws GitRepositoryError for a missing path, a file other than `.git`,
 * or a `.git` that points nowhere.
 * Example: '/srv/app' (with `.git/`) → {path:'/srv/app', gitDir:'/srv/app/.git', bare:false}.
 */
export function identifyRepository(path: string): GitRepository | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats)
    throw new GitRepositoryError(path, 'does not exist; expected a Git repository or a directory holding some');
  if (stats.isFile()) {
    if (basename(path) === '.git') return repositoryAt(path, readGitFile(path), true);
    throw new GitRepositoryError(
      path,
      'is a file; expected a Git repository (bare, or a work tree with .git) or a directory holding some',
    );
  }
  if (!stats.isDirectory()) throw new GitRepositoryError(path, 'is not a directory; expected a Git repository');
  const dotGit = join(path, '.git');
  if (isDirectory(dotGit)) return repositoryAt(path, dotGit, true);
  if (isFile(dotGit)) return repositoryAt(path, readGitFile(dotGit), true);
  if (looksLikeGitDir(path)) return repositoryAt(path, path, false);
  return undefined;
}
