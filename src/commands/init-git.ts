/**
 * Where `hotsnap init` looks for Git repositories to suggest under `git:`, and the bounded search
 * itself: breadth-first over all roots at once, at most a few levels deep and a fixed number of
 * directories, never following a symlink, never descending into a repository it found, skipping
 * hidden directories (caches and tools' own checkouts) and any directory it cannot read.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeError } from '../errors.js';
import { hasDotGit, identifyRepository, looksLikeGitDir } from '../sources/git/repository.js';
import type { GitRepository } from '../sources/git/types.js';

/** TEST ONLY: colon-separated directories init searches instead of this machine's (empty: none). */
export const TEST_SEARCH_VARIABLE = 'HOTSNAP_TEST_INIT_SEARCH';

/** How far the search goes: levels below a root, directories read in all, repositories kept. */
export interface GitSearchLimits {
  maxDepth: number;
  maxDirectories: number;
  maxRepositories: number;
}

export const GIT_SEARCH_LIMITS: GitSearchLimits = { maxDepth: 5, maxDirectories: 20_000, maxRepositories: 100 };

/** What the search found, and notes on where it stopped early (shown as warnings). */
export interface GitSearchResult {
  repositories: GitRepository[];
  notes: string[];
}

/** Given a home directory, returns where repositories live on a server: /srv, /var/www, /var/lib/git*, /home, it. */
export function defaultGitSearchRoots(home: string): string[] {
  let varLib: string[] = [];
  try {
    varLib = readdirSync('/var/lib', { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name.startsWith('git'))
      .map((entry) => join('/var/lib', entry.name))
      .sort();
  } catch {
    // No /var/lib (or unreadable): nothing to add.
  }
  return ['/srv', '/var/www', ...varLib, '/home', home];
}

/** Given the env and home, returns the roots to search: the test variable's list when set, else the defaults. */
export function gitSearchRoots(env: NodeJS.ProcessEnv, home: string): string[] {
  const listed = env[TEST_SEARCH_VARIABLE];
  if (listed === undefined) return defaultGitSearchRoots(home);
  return listed.split(':').filter((root) => root !== '');
}

/** Given roots, returns the existing directories among them (real paths), each once and none inside another. */
function distinctRoots(roots: readonly string[]): string[] {
  const real = new Set<string>();
  for (const root of roots) {
    try {
      if (statSync(root).isDirectory()) real.add(realpathSync(resolve(root)));
    } catch {
      // Missing or unreadable: nothing to search there.
    }
  }
  const inside = (child: string, parent: string) => child !== parent && child.startsWith(join(parent, '/'));
  return [...real].filter((root) => ![...real].some((other) => inside(root, other))).sort();
}

/** Given a directory, returns the repository it is, or undefined (also for a broken `.git`: not suggested). */
function repositoryIn(dir: string, log: (message: string) => void): GitRepository | undefined {
  try {
    return hasDotGit(dir) || looksLikeGitDir(dir) ? identifyRepository(dir) : undefined;
  } catch (error) {
    log(`not suggesting ${dir}: ${describeError(error)}`);
    return undefined;
  }
}

/** Given repositories, returns them sorted by path, each git dir once (a main work tree before its linked ones). */
function uniqueRepositories(found: readonly GitRepository[]): GitRepository[] {
  const sorted = [...found].sort((a, b) => Number(a.commonDir !== undefined) - Number(b.commonDir !== undefined));
  const byStore = new Map<string, GitRepository>();
  for (const repository of sorted) {
    const store = repository.commonDir ?? repository.gitDir;
    if (!byStore.has(store)) byStore.set(store, repository);
  }
  return [...byStore.values()].sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Given directories to search, returns the Git repositories found in and below them (bounded by
 * `limits`) with a note for each limit reached; `log` gets each directory skipped.
 * Example: ['/srv'] holding /srv/git/a.git and /srv/app/.git → repositories [/srv/app, /srv/git/a.git], notes [].
 */
export function findGitRepositories(
  roots: readonly string[],
  limits: GitSearchLimits = GIT_SEARCH_LIMITS,
  log: (message: string) => void = () => {},
): GitSearchResult {
  const found: GitRepository[] = [];
  const notes: string[] = [];
  const queue: Array<{ dir: string; depth: number }> = [];
  for (const root of distinctRoots(roots)) {
    const repository = repositoryIn(root, log);
    if (repository) found.push(repository);
    else queue.push({ dir: root, depth: 0 });
  }
  let read = 0;
  let stoppedAtRepositories = false;
  for (let next = queue.shift(); next; next = queue.shift()) {
    if (read >= limits.maxDirectories) {
      notes.push(
        `stopped searching for Git repositories after ${read} directories (next: ${next.dir}); add any missed to git: by hand`,
      );
      break;
    }
    read++;
    let entries;
    try {
      entries = readdirSync(next.dir, { withFileTypes: true });
    } catch (error) {
      log(`skipped ${next.dir} while searching for Git repositories: ${describeError(error)}`);
      continue;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      // A symlink is not a directory here, so it is never followed.
      if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = join(next.dir, entry.name);
      const repository = repositoryIn(child, log);
      if (repository) found.push(repository);
      else if (next.depth + 1 < limits.maxDepth) queue.push({ dir: child, depth: next.depth + 1 });
    }
    // One more than the limit tells "exactly the limit" from "more".
    if (found.length > limits.maxRepositories) {
      stoppedAtRepositories = true;
      break;
    }
  }
  const repositories = uniqueRepositories(found);
  if (stoppedAtRepositories) {
    notes.push(
      `stopped searching after ${limits.maxRepositories} Git repositories; a directory under git: is searched on each run, so name their parent directory instead of listing each`,
    );
  }
  return { repositories: repositories.slice(0, limits.maxRepositories), notes };
}
