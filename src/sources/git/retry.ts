/**
 * Steps 1–4 of a capture as one loop: read the refs, link the objects, verify; on failure relink
 * what appeared, and if that is not enough, read the refs again. Why each step:
 * - a repack moved objects into a pack not yet listed when the packs were read → relinking what
 *   appeared in the live `objects/` since fixes it (1 in 300 snapshots under load);
 * - a ref copied in step 1 was deleted and its objects pruned → only re-reading the refs fixes it
 *   (the linked objects are kept);
 * - nothing new appeared and the refs did not move, or attempts ran out → the live repository
 *   itself is likely broken: fail, and say to `git fsck` it.
 */
import { GitCaptureError } from './errors.js';
import { clearMetadata, stageMetadata } from './metadata.js';
import { linkObjects, type ObjectSource } from './objects.js';
import { refsDigest } from './refs.js';
import type { GitCaptureOptions } from './types.js';
import { verifyStagedGitDir, type VerifyResult } from './verify.js';

/** What the loop needs: the live repository, where to stage it, and how to link its objects. */
export interface RetryContext {
  /** The repository as the user named it (for messages). */
  path: string;
  /** The live git dir captured (a linked worktree's common dir). */
  gitDir: string;
  stagedGitDir: string;
  objects: ObjectSource;
  options: GitCaptureOptions;
}

/** Default bound on fsck runs. */
export const DEFAULT_MAX_ATTEMPTS = 5;

async function readRefsAndLink(context: RetryContext): Promise<number> {
  stageMetadata(context.gitDir, context.stagedGitDir, context.options.previous);
  await context.options.afterRefs?.();
  return linkObjects(context.objects, context.stagedGitDir);
}

/** Why the loop gave up: nothing changed that could fix the copy, or attempts ran out while it kept changing. */
type GiveUp = 'unchanged' | 'exhausted';

function brokenError(context: RetryContext, attempts: number, last: VerifyResult, why: GiveUp): GitCaptureError {
  const times = `${attempts} time${attempts === 1 ? '' : 's'}`;
  const circumstance =
    why === 'unchanged'
      ? 'while nothing in the live repository changed that could fix it'
      : 'while the live repository kept changing';
  return new GitCaptureError(
    context.path,
    `the snapshot of its Git repository failed its check ${times} ${circumstance}, so the live repository ` +
      `itself may be broken: run git --git-dir=${context.gitDir} fsck and repair it, then run the backup again ` +
      `(fsck on the snapshot said: ${last.output || 'nothing'})`,
  );
}

/**
 * Given a fresh staged git dir, fills it until `git fsck` passes; returns the number of fsck runs.
 * Throws GitCaptureError when it never passes within `maxAttempts`.
 */
export async function stageUntilVerified(context: RetryContext): Promise<number> {
  const { options, stagedGitDir } = context;
  const log = options.log ?? (() => {});
  const maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
  const verify = () => verifyStagedGitDir(stagedGitDir, { git: options.git, signal: options.signal });

  await readRefsAndLink(context);
  let attempts = 1;
  let result = await verify();
  while (!result.ok) {
    if (attempts >= maxAttempts) throw brokenError(context, attempts, result, 'exhausted');
    const appeared = await linkObjects(context.objects, stagedGitDir);
    if (appeared > 0) {
      log(
        `${context.path}: snapshot check failed; linked ${appeared} object file(s) that appeared since, checking again`,
      );
      attempts++;
      result = await verify();
      if (result.ok || attempts >= maxAttempts) continue;
    }
    const before = refsDigest(stagedGitDir);
    clearMetadata(stagedGitDir);
    const linked = await readRefsAndLink(context);
    if (appeared === 0 && linked === 0 && refsDigest(stagedGitDir) === before) {
      throw brokenError(context, attempts, result, 'unchanged');
    }
    log(`${context.path}: snapshot check failed; read the refs again (a ref was deleted or moved), checking again`);
    attempts++;
    result = await verify();
  }
  return attempts;
}
