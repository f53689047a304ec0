/**
 * Checking a restored Git repository (`restore`, `verify`): its git dir is found inside the restored
 * tree without following a symlink, looked over for anything that would make git read outside it,
 * then `git fsck --full` runs on it (every object read and hashed, like a database's SHA-256 and
 * integrity_check; ~120 µs per object on a 2-core VM, 8× the --connectivity-only of the capture)
 * and its refs and HEAD are compared with the manifest's.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import type { RepositoryEntry } from '../../core/manifest.js';
import type { RepositoryCheck } from '../../core/repository-report.js';
import type { Logger } from '../../log.js';
import type { RestoredChecker } from '../types.js';
import { locateRestoredDirectory } from '../../adapters/restored-path.js';
import { readRefs, resolveHead } from './refs.js';
import { restoredHeadFile, unsafeInGitDir } from './restored-safety.js';

/** Given a restored git dir, returns git's argv to check it in full (`git --git-dir=… fsck --full …`). */
export function buildRestoredFsckArgs(gitDir: string): string[] {
  return [
    `--git-dir=${gitDir}`,
    // Derived caches off (a stale commit-graph can hide a missing commit); no fsmonitor hook, whatever its config says.
    ...['-c', 'core.commitGraph=false', '-c', 'core.multiPackIndex=false', '-c', 'core.fsmonitor=false'],
    'fsck',
    '--full',
    '--no-dangling',
    '--no-progress',
  ];
}

/** fsck's output can run to a line per object: keep what names the first problem, not all of it. */
const MAX_OUTPUT = 1024 * 1024;

/** The environment without GIT_* variables: GIT_DIR, GIT_OBJECT_DIRECTORY or alternates would redirect fsck. */
function environmentWithoutGit(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/**
 * Given fsck's stdout and stderr, returns the line that names the first problem: a missing object
 * (stdout, which names it by hash, rather than the "broken link from" pair that leads to it),
 * else the first error. The two streams are read apart: their interleaving varies from run to run.
 * Example: ('broken link from tree 1a\n to blob 2b\nmissing blob 2b\n', 'error: inflate: …') → 'missing blob 2b'.
 */
export function firstComplaint(stdout: string, stderr: string): string {
  const out = lines(stdout);
  const err = lines(stderr);
  return (
    out.find((line) => line.startsWith('missing ')) ??
    err.find((line) => /^(fatal|error)\b/.test(line)) ??
    out[0] ??
    err.find((line) => !line.startsWith('notice:')) ??
    ''
  );
}

/** Given a restored git dir, runs fsck on it; returns null when it passed, else what it complained of first. */
async function fsckProblem(gitDir: string, git: string): Promise<string | null> {
  const result = await execa(git, buildRestoredFsckArgs(gitDir), {
    reject: false,
    stdin: 'ignore',
    env: environmentWithoutGit(),
    extendEnv: false,
    maxBuffer: MAX_OUTPUT,
  });
  if (result.exitCode === 0) return null;
  if (result.exitCode === undefined && !result.isMaxBuffer)
    return `not checked: cannot run ${git} (${result.originalMessage ?? result.shortMessage}); install git and run this again`;
  const complaint = firstComplaint(result.stdout ?? '', result.stderr ?? '');
  return `git fsck failed${complaint ? `: ${complaint}` : ` (exit code ${result.exitCode})`}`;
}

/**
 * Given the restore root and a repository's manifest entry, finds its restored git dir safely and
 * checks it: git fsck --full, the ref count and HEAD against the manifest's.
 * Example: `await checkRestoredRepository('/tmp/r', entry, logger)` →
 * `{ source: '/srv/git/app.git', status: 'ok', refs: 12, head: '8c44b29…', … }`.
 */
export async function checkRestoredRepository(
  root: string,
  entry: RepositoryEntry,
  logger: Logger,
  options: { git?: string } = {},
): Promise<RepositoryCheck> {
  const expected = { git_dir: entry.git_dir, expected_refs: entry.refs, expected_head: entry.head };
  const place = locateRestoredDirectory(root, entry.git_dir);
  if (place.kind === 'unsafe') {
    logger.error({ repository: entry.source, root }, place.detail);
    return { source: entry.source, ...expected, status: 'unsafe', detail: place.detail };
  }
  const check: RepositoryCheck = { source: entry.source, ...expected, restored_to: place.path, status: 'ok' };
  if (place.kind === 'missing') return { ...check, status: 'missing', detail: place.detail };
  const unsafe = unsafeInGitDir(root, entry.git_dir, place.path);
  if (unsafe !== null) {
    logger.error({ repository: entry.source, root }, unsafe);
    return { ...check, status: 'unsafe', detail: unsafe };
  }

  logger.info({ repository: entry.source, git_dir: place.path }, 'checking the restored repository (git fsck --full)');
  const refs = readRefs(place.path);
  check.refs = refs.size;
  const headFile = restoredHeadFile(place.path, entry);
  check.head = headFile === null ? null : resolveHead(join(place.path, headFile), refs);
  const problem = await fsckProblem(place.path, options.git ?? 'git');
  if (problem !== null) return { ...check, status: 'broken', detail: problem };
  if (check.refs !== entry.refs)
    return { ...check, status: 'broken', detail: `${check.refs} refs restored, the manifest recorded ${entry.refs}` };
  if (headFile !== null && entry.head !== null && check.head !== entry.head)
    return {
      ...check,
      status: 'broken',
      detail: `HEAD is ${check.head ?? '(none)'}, the manifest recorded ${entry.head}`,
    };
  return check;
}

/** The Git source's check of restored copies: each repository is archived at its git dir. */
export const restoredRepositories: RestoredChecker<RepositoryEntry> = {
  archivedPath: (entry) => entry.git_dir,
  check: (root, entry, logger) => checkRestoredRepository(root, entry, logger),
};
