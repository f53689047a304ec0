/**
 * Step 3 of a capture: `git fsck --connectivity-only` on the staged copy, with the derived caches
 * off (with the commit-graph on, a missing commit can go unnoticed). Cost grows with the number of
 * objects, not bytes (~4.4 µs per object). Runs only against the staged copy, never the live one.
 */
import { execa } from 'execa';
import { GitCaptureError } from './errors.js';

/** What fsck said about the staged copy. */
export interface VerifyResult {
  ok: boolean;
  /** The last lines fsck printed (for the log and the failure message). */
  output: string;
}

/** Given a staged git dir, returns git's argv to check it; e.g. ['--git-dir=/stage/x.git', '-c', …, 'fsck', …]. */
export function buildFsckArgs(stagedGitDir: string): string[] {
  return [
    `--git-dir=${stagedGitDir}`,
    '-c',
    'core.commitGraph=false',
    '-c',
    'core.multiPackIndex=false',
    'fsck',
    '--connectivity-only',
    '--no-dangling',
  ];
}

/**
 * The environment without GIT_* variables: GIT_DIR, GIT_OBJECT_DIRECTORY or alternates set by a caller
 * would redirect fsck.
 */
function environmentWithoutGit(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GIT_')));
}

function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Given a staged git dir, runs fsck on it and returns whether it passed. Throws GitCaptureError
 * when git cannot be run; rethrows the signal's reason when aborted.
 * Example: verifyStagedGitDir('/stage/srv/git/app.git', {}) → {ok: true, output: ''}.
 */
export async function verifyStagedGitDir(
  stagedGitDir: string,
  options: { git?: string; signal?: AbortSignal } = {},
): Promise<VerifyResult> {
  const git = options.git ?? 'git';
  const result = await execa(git, buildFsckArgs(stagedGitDir), {
    reject: false,
    all: true,
    stdin: 'ignore',
    env: environmentWithoutGit(),
    extendEnv: false,
    cancelSignal: options.signal,
  });
  if (result.isCanceled) throw options.signal?.reason ?? new Error('aborted');
  if (result.exitCode === undefined) {
    throw new GitCaptureError(
      stagedGitDir,
      `cannot run ${git} to verify the snapshot (${result.originalMessage ?? result.shortMessage}); install git or check its path`,
    );
  }
  return { ok: result.exitCode === 0, output: tail(result.all ?? '') };
}
