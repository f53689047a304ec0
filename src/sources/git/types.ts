/**
 * What the Git source hands the pipeline: a repository found on disk, and what capturing it did.
 * Consumers: the sources interface (issue 9), the manifest and the run log.
 */

/** A Git repository found on disk. */
export interface GitRepository {
  /** What the user named or the search found: the work tree, the bare directory, or a linked worktree. */
  path: string;
  /** The absolute real path of its git directory (for a linked worktree: `…/.git/worktrees/<name>`). */
  gitDir: string;
  /** For a linked worktree, the real path of the main repository's git dir (its `commondir`); else undefined. */
  commonDir?: string;
  /** True when the repository has no work tree. */
  bare: boolean;
}

/** How objects reached the staged copy: the weakest method any file needed. */
export type LinkMethod = 'hardlink' | 'reflink' | 'copy';

/** What one capture did; recorded per repository in the manifest. */
export interface GitCapture {
  /** Refs in the staged copy (loose and packed, each name once). */
  refs: number;
  /** The commit HEAD resolves to; its symbolic target when that branch is unborn; null without a HEAD. */
  head: string | null;
  /** Objects in the staged copy: loose ones plus each staged pack's count (an object in two packs counts twice). */
  objectsLinked: number;
  method: LinkMethod;
  /** True once `git fsck --connectivity-only` passed on the staged copy (a capture that cannot verify throws). */
  verified: boolean;
  /** fsck runs it took: 1 when the first verify passed. */
  attempts: number;
  durationMs: number;
}

/** Options of `captureGitRepository`. */
export interface GitCaptureOptions {
  /** The previous snapshot of this git dir (kept stage): what is unchanged is linked from it rather than copied. */
  previous?: string;
  /** fsck runs before giving up (default 5). */
  maxAttempts?: number;
  /** The git program (default `git`, found on PATH). */
  git?: string;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** TEST ONLY: runs each time the refs have been read, before any object is linked. */
  afterRefs?: () => void | Promise<void>;
  /** TEST ONLY: runs each time a pack directory has been listed, before its packs are linked. */
  afterPackListing?: () => void | Promise<void>;
}
