/**
 * The Git source: each configured path is a repository or a directory searched for them; each
 * repository's git dir is captured (refs first, objects hard-linked, verified: capture.ts) to its
 * own path in the stage, and the live git dir is left out of tarsnap's walk of `paths`.
 * Work-tree files stay ordinary `paths`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { now } from '../../clock.js';
import { escapeExcludePattern } from '../../core/paths.js';
import type { RepositoryEntry, SourceFailure } from '../../core/manifest.js';
import { describeError } from '../../errors.js';
import type { Source } from '../types.js';
import { captureGitRepository } from './capture.js';
import { checkGitSource } from './check.js';
import { discoverGitRepositories } from './discover.js';
import { restoredRepositories } from './restored.js';
import type { GitRepository } from './types.js';

/** A repository to capture, named by what the user configured or the search found. */
export interface GitTarget {
  source: string;
  repository: GitRepository;
}

/** Given a repository, returns the git dir that holds its objects and refs (a linked worktree's main one). */
export function capturedGitDir(repository: GitRepository): string {
  return repository.commonDir ?? repository.gitDir;
}

export const gitSource: Source<GitTarget, RepositoryEntry> = {
  kind: 'git',
  noun: 'repository',
  nouns: 'repositories',
  log: { key: 'repository', staged: 'captured Git repository', failed: 'cannot capture Git repository' },
  section: 'repositories',
  async targets(profile, logger) {
    const targets: GitTarget[] = [];
    const failed: SourceFailure[] = [];
    const seen = new Set<string>();
    for (const path of profile.git) {
      try {
        const found = await discoverGitRepositories(path, { log: (message) => logger.warn({ path }, message) });
        for (const repository of found) {
          const gitDir = capturedGitDir(repository);
          if (seen.has(gitDir)) continue;
          seen.add(gitDir);
          targets.push({ source: repository.path, repository });
        }
      } catch (error) {
        failed.push({ source: path, error: describeError(error) });
        logger.error({ path }, `cannot find Git repositories: ${describeError(error)}`);
      }
    }
    return { targets, failed };
  },
  async stage({ source, repository }, { area, logger }) {
    const gitDir = capturedGitDir(repository);
    const scratch = area.scratchFor(gitDir);
    mkdirSync(dirname(scratch), { recursive: true, mode: 0o700 });
    const capturedAt = now();
    const kept = area.kept ? area.placeFor(gitDir) : undefined;
    const capture = await captureGitRepository(repository, scratch, {
      log: (message) => logger.warn({ repository: source }, message),
      ...(kept && existsSync(kept) ? { previous: kept } : {}),
    });
    const settled = area.settleDir(gitDir, scratch);
    const entry: RepositoryEntry = {
      source,
      git_dir: gitDir,
      bare: repository.bare,
      refs: capture.refs,
      head: capture.head,
      objects_linked: capture.objectsLinked,
      method: capture.method,
      verified: capture.verified,
      attempts: capture.attempts,
      capture_ms: Math.round(capture.durationMs),
      captured_at: capturedAt.toISOString(),
    };
    if (capture.method !== 'hardlink') {
      logger.warn(
        { repository: source, method: capture.method },
        `staging_dir is on another file system than ${gitDir}, so its objects were ${capture.method === 'copy' ? 'copied (slower, uses space)' : 'reflinked'}; put staging_dir on the repository's file system to hard-link them`,
      );
    }
    return {
      entry,
      stagedPath: gitDir,
      settled,
      log: {
        repository: source,
        refs: entry.refs,
        objects: entry.objects_linked,
        method: entry.method,
        attempts: entry.attempts,
        capture_ms: entry.capture_ms,
      },
    };
  },
  stagedExcludes: (gitDir) => [escapeExcludePattern(gitDir)],
  restored: restoredRepositories,
  unstagedExcludes: (target) => [escapeExcludePattern(capturedGitDir(target.repository))],
  extraExcludes: () => [],
  sandboxReadPaths: (profile) => profile.git,
  sandboxLinkPaths: (profile) => profile.git,
  check: checkGitSource,
};
