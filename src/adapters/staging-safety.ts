/**
 * Whether staging_dir and its private parent `staging_dir/hotsnap/` are ours alone.
 *
 * Why the private parent `staging_dir/hotsnap/` (issue 8): staging_dir defaults to the temp dir,
 * which every local user can write, so a sweep of `staging_dir/hotsnap-*` could be fed
 * directories another user planted, be steered by a symlink swapped in during its recursive
 * delete, or crash on a tree nested past PATH_MAX. Now every stage lives in `hotsnap/`, which is
 * created 0700 and checked with lstat on every use (a real directory, owned by our euid, no group
 * or other bits), inside a staging_dir no other user controls (owned by us or root, writable by
 * others only with the sticky bit, as /tmp is). Nobody else can create, rename or swap an entry
 * in there; the sweep still lstats each entry, follows no symlink, and removes only a 0700
 * directory of ours holding the `.owner` marker we wrote whose process is gone. Stages of older
 * versions (`staging_dir/hotsnap-*`) are never deleted: in a shared temp dir they cannot be told
 * apart from planted look-alikes. A sweep never throws: what it cannot remove is a warning.
 */
import { chmodSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../core/shell-quote.js';
import { UserError } from '../errors.js';
import { formatMode, userNameOf } from './accounts.js';

/** The private parent of every stage, inside staging_dir. */
export const PRIVATE_DIR = 'hotsnap';
/**
 * Each stage's marker naming its run (pid, start). Not archived: tarsnap gets explicit operands below
 * the stage, never the stage itself.
 */
export const OWNER_FILE = '.owner';
const STICKY = 0o1000;

/** Why hotsnap will not stage in a directory, and what to do about it. */
export interface StagingProblem {
  message: string;
  fix: string;
}

/** Returns the effective uid every stage belongs to (-1 where the platform has none). */
export function effectiveUid(): number {
  return process.geteuid?.() ?? -1;
}

function describeUid(uid: number): string {
  const name = userNameOf(uid);
  return name.startsWith('uid ') ? name : `uid ${uid} (${name})`;
}

const ONLY_YOU = 'set staging_dir to a directory only you can write';

/** Given staging_dir with its lstat and stat, returns why another user controls it, or undefined. */
function judgeStagingDir(stagingDir: string, link: Stats, stats: Stats, uid: number): StagingProblem | undefined {
  if (link.isSymbolicLink() && link.uid !== uid && link.uid !== 0) {
    return {
      message: `staging_dir ${stagingDir} is a symbolic link owned by ${describeUid(link.uid)}, who can point it elsewhere`,
      fix: 'set staging_dir to the real directory',
    };
  }
  if (!stats.isDirectory())
    return { message: `staging_dir ${stagingDir} is not a directory`, fix: 'set staging_dir to a directory' };
  if (stats.uid !== uid && stats.uid !== 0) {
    return {
      message: `staging_dir ${stagingDir} is owned by ${describeUid(stats.uid)}, who could swap hotsnap's private directory in it`,
      fix: `${ONLY_YOU} (owned by you or root)`,
    };
  }
  if ((stats.mode & 0o022) !== 0 && (stats.mode & STICKY) === 0) {
    const quoted = shellQuote(stagingDir);
    return {
      message: `staging_dir ${stagingDir} is writable by other users (mode ${formatMode(stats.mode)}, no sticky bit), who could swap hotsnap's private directory in it`,
      fix: `run chmod go-w ${quoted} (or chmod +t ${quoted}), or ${ONLY_YOU}`,
    };
  }
  return undefined;
}

/** Given `staging_dir/hotsnap` and its lstat, returns why it is not ours alone, or undefined. */
function judgePrivateDir(path: string, stats: Stats, uid: number): StagingProblem | undefined {
  const quoted = shellQuote(path);
  if (stats.isSymbolicLink() || !stats.isDirectory()) {
    const what = stats.isSymbolicLink() ? 'a symbolic link' : 'not a directory';
    return {
      message: `${path} is ${what}, not hotsnap's private staging directory: another user may have planted it`,
      fix: `remove it (rm ${quoted}) or ${ONLY_YOU}`,
    };
  }
  if (stats.uid !== uid) {
    return {
      message: `${path} is owned by ${describeUid(stats.uid)}, not by you: another user may have planted it`,
      fix: `remove it (rm -r ${quoted}) or ${ONLY_YOU}`,
    };
  }
  if ((stats.mode & 0o077) !== 0) {
    return {
      message: `${path} has mode ${formatMode(stats.mode)}: other users can read the database copies in it or plant entries`,
      fix: `run chmod 700 ${quoted}`,
    };
  }
  return undefined;
}

/**
 * Given staging_dir, returns why hotsnap would refuse to stage there (another user controls it,
 * or `staging_dir/hotsnap` is not ours alone), or undefined; only looks. A missing or unreadable
 * staging_dir is left to the caller. Example: inspectStaging('/tmp') → undefined.
 */
export function inspectStaging(stagingDir: string, uid: number = effectiveUid()): StagingProblem | undefined {
  let link: Stats;
  let stats: Stats;
  try {
    link = lstatSync(stagingDir);
    stats = statSync(stagingDir);
  } catch {
    return undefined;
  }
  const parentProblem = judgeStagingDir(stagingDir, link, stats, uid);
  if (parentProblem) return parentProblem;
  const privateDir = join(stagingDir, PRIVATE_DIR);
  try {
    return judgePrivateDir(privateDir, lstatSync(privateDir), uid);
  } catch {
    return undefined;
  }
}

function refuse(problem: StagingProblem): UserError {
  return new UserError(`${problem.message}; ${problem.fix}`);
}

/**
 * Given staging_dir, returns `staging_dir/hotsnap`, created 0700 if missing;
 * throws a UserError when it is not ours alone.
 */
export function openPrivateDir(stagingDir: string): string {
  const uid = effectiveUid();
  const parentProblem = judgeStagingDir(stagingDir, lstatSync(stagingDir), statSync(stagingDir), uid);
  if (parentProblem) throw refuse(parentProblem);
  const privateDir = join(stagingDir, PRIVATE_DIR);
  try {
    mkdirSync(privateDir, { mode: 0o700 });
    // The umask can take bits from mkdir's mode; 0700 exactly, so we can read and write it.
    chmodSync(privateDir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const problem = judgePrivateDir(privateDir, lstatSync(privateDir), uid);
  if (problem) throw refuse(problem);
  return privateDir;
}
