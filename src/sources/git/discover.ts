/**
 * Finding the Git repositories a configured path stands for: the path itself when it is one,
 * else every repository below it (bare repositories and work trees with `.git`). The search never
 * descends into a repository it found (a work tree's nested clones and submodules belong to it),
 * never follows a symlink, and skips a directory it cannot read with a note.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeError } from '../../errors.js';
import { GitRepositoryError } from './errors.js';
import { hasDotGit, identifyRepository, looksLikeGitDir } from './repository.js';
import type { GitRepository } from './types.js';

/** Options of `discoverGitRepositories`. */
export interface DiscoverOptions {
  /** Receives a note for each directory skipped (unreadable) and each repository found twice. */
  log?: (message: string) => void;
}

function search(dir: string, found: GitRepository[], log: (message: string) => void): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    log(`skipped ${dir} while searching for Git repositories: ${describeError(error)}`);
    return;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue; // a symlink to a directory is not followed
    const child = join(dir, entry.name);
    try {
      if (hasDotGit(child) || looksLikeGitDir(child)) {
        const repository = identifyRepository(child);
        if (repository) {
          found.push(repository);
          continue;
        }
      }
    } catch (error) {
      log(`skipped ${child}: ${describeError(error)}`);
      continue;
    }
    search(child, found, log);
  }
}

/** Keeps the first repository per captured git dir: a linked worktree and its main work tree are one snapshot. */
function uniqueByStore(repositories: GitRepository[], log: (message: string) => void): GitRepository[] {
  const seen = new Map<string, string>();
  return repositories.filter((repository) => {
    const store = repository.commonDir ?? repository.gitDir;
    const first = seen.get(store);
    if (first !== undefined) log(`${repository.path} shares its repository ${store} with ${first}; captured once`);
    else seen.set(store, repository.path);
    return first === undefined;
  });
}

/**
 * Given a configured path, returns the repositories it stands for: [it] when it is a repository,
 * else those found below it (sorted by path; each git dir once). Throws GitRepositoryError when
 * the path is missing, a plain file, or a directory with no repository below it.
 * Example: '/srv/git' holding a.git and b/.git →
 * [{path:'/srv/git/a.git', bare:true, …}, {path:'/srv/git/b', bare:false, …}].
 */
export async function discoverGitRepositories(path: string, options: DiscoverOptions = {}): Promise<GitRepository[]> {
  const log = options.log ?? (() => {});
  const root = resolve(path);
  const repository = identifyRepository(root);
  if (repository) return [repository];
  const found: GitRepository[] = [];
  search(root, found, log);
  if (found.length === 0) {
    throw new GitRepositoryError(
      root,
      'is not a Git repository and holds none (expected a bare repository, a work tree with .git, or a directory containing them); fix the git: entry',
    );
  }
  return uniqueByStore(found, log);
}
