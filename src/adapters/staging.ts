/**
 * Each run's private snapshot directory: `staging_dir/hotsnap/<profile>-<random>`, mode 0700.
 * Hot copies sit below it at their original absolute path (STAGE/var/www/ghost/…/ghost.db), so
 * `tarsnap -C STAGE var/www/…` archives them where a restore to / puts them back.
 * Removed on success, on failure and on SIGINT/SIGTERM/SIGHUP; a leftover of a crashed run (its
 * PID no longer alive) is removed at the next start.
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
import {
  chmodSync,
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { onInterrupt } from './cleanup.js';
import { isProcessAlive } from './process-alive.js';
import { formatMode, userNameOf } from './accounts.js';
import { shellQuote } from '../core/shell-quote.js';
import { describeError, ExitCode, UserError } from '../errors.js';
import { now as clockNow } from '../clock.js';

/** The private parent of every stage, inside staging_dir. */
export const PRIVATE_DIR = 'hotsnap';
/** Not archived: tarsnap gets explicit operands below the stage, never the stage itself. */
const OWNER_FILE = '.owner';
/** Where stages lived before the private parent; never swept now, only reported. */
const LEGACY_PREFIX = 'hotsnap-';
/** A directory with no owner file is a crash between mkdtemp and writeFile; give it this long. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;
const STICKY = 0o1000;

export interface StagingDir {
  path: string;
  /** Given an absolute source path, returns where its copy goes inside the stage. */
  placeFor(source: string): string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

/** Why hotsnap will not stage in a directory, and what to do about it. */
export interface StagingProblem {
  message: string;
  fix: string;
}

function effectiveUid(): number {
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

function cannotCreate(stagingDir: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'it does not exist: create it or set staging_dir to an existing directory'
      : code === 'EACCES'
        ? 'permission denied: run as root or set staging_dir to a directory you can write'
        : describeError(error);
  return new UserError(`cannot create a staging directory in ${stagingDir}: ${why}`, ExitCode.failed, { cause: error });
}

function refuse(problem: StagingProblem): UserError {
  return new UserError(`${problem.message}; ${problem.fix}`);
}

/** Given staging_dir, returns `staging_dir/hotsnap`, created 0700 if missing; throws a UserError when it is not ours alone. */
function openPrivateDir(stagingDir: string): string {
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

/** Given a stage's `.owner` path, returns the pid and start it records, 'missing', or undefined when it is not our marker. */
function readMarker(file: string, uid: number): { pid: number; started?: string } | 'missing' | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (!stats.isFile() || stats.uid !== uid || stats.size > 4096) return undefined;
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  let marker: unknown;
  try {
    marker = JSON.parse(readFileSync(fd, 'utf8'));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  const { pid, started } = (marker ?? {}) as { pid?: unknown; started?: unknown };
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return { pid, ...(typeof started === 'string' ? { started } : {}) };
}

/** Given an entry of the private dir, returns what to remove it as (a dead run's stage, an empty orphan), or undefined to keep it. */
function judgeLeftover(
  path: string,
  uid: number,
  now: number,
): { pid?: number; started?: string; empty: boolean } | undefined {
  const stats = lstatSync(path);
  if (!stats.isDirectory() || stats.uid !== uid || (stats.mode & 0o7777) !== 0o700) return undefined;
  const marker = readMarker(join(path, OWNER_FILE), uid);
  if (marker === 'missing') {
    // A crash between mkdtemp and writing the marker leaves an empty directory; rmdir removes only an empty one.
    return now - stats.mtimeMs > ORPHAN_GRACE_MS && readdirSync(path).length === 0 ? { empty: true } : undefined;
  }
  if (!marker || isProcessAlive(marker.pid)) return undefined;
  return { ...marker, empty: false };
}

/** Logs (once per sweep) the stages an older version left in staging_dir itself, which are left alone. */
function noteOlderStages(stagingDir: string, uid: number, logger: Logger): void {
  let names: string[];
  try {
    names = readdirSync(stagingDir).filter((name) => name.startsWith(LEGACY_PREFIX));
  } catch {
    return;
  }
  const ours = names
    .map((name) => join(stagingDir, name))
    .filter((path) => {
      try {
        const stats = lstatSync(path);
        return (
          stats.isDirectory() &&
          stats.uid === uid &&
          (stats.mode & 0o777) === 0o700 &&
          lstatSync(join(path, OWNER_FILE)).uid === uid
        );
      } catch {
        return false;
      }
    });
  if (ours.length === 0) return;
  logger.warn(
    { dirs: ours },
    `left alone: ${ours.length === 1 ? 'a staging directory' : `${ours.length} staging directories`} of an older hotsnap in ${stagingDir} (stages now live in ${join(stagingDir, PRIVATE_DIR)}); if no older hotsnap is running, remove by hand: rm -r ${ours.map(shellQuote).join(' ')}`,
  );
}

/**
 * Given staging_dir, removes the stages in `staging_dir/hotsnap/` whose run is gone (see the top of
 * this file for what counts as ours); returns what it removed. Never throws: a problem is a warning.
 * Example: removeLeftovers('/var/tmp', logger) → ['/var/tmp/hotsnap/daily-Ab12Cd'].
 */
export function removeLeftovers(stagingDir: string, logger: Logger = silentLogger, now = Date.now()): string[] {
  const uid = effectiveUid();
  noteOlderStages(stagingDir, uid, logger);
  const privateDir = join(stagingDir, PRIVATE_DIR);
  let names: string[];
  try {
    // Not ours alone: nothing in it is trusted. createStagingDir refuses it with the fix.
    if (inspectStaging(stagingDir, uid)) return [];
    names = readdirSync(privateDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(
        { dir: privateDir },
        `cannot look for staging directories left by crashed runs: ${describeError(error)}`,
      );
    }
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const path = join(privateDir, name);
    try {
      const leftover = judgeLeftover(path, uid, now);
      if (!leftover) continue;
      if (leftover.empty) rmdirSync(path);
      // rmSync lstats and unlinks a symlink rather than following it; nobody else can swap entries in here.
      else rmSync(path, { recursive: true, force: true });
      removed.push(path);
      logger.warn(
        { dir: path, pid: leftover.pid, started: leftover.started },
        'removed a staging directory left by a run that crashed (its process is gone)',
      );
    } catch (error) {
      logger.warn(
        { dir: path },
        `cannot remove a staging directory left by a crashed run (${describeError(error)}); going on; remove it by hand: rm -r ${shellQuote(path)}`,
      );
    }
  }
  return removed;
}

/**
 * Given staging_dir and the profile, creates the private stage (0700) in `staging_dir/hotsnap/`
 * and registers its removal on interrupt; throws a UserError saying what to do when staging_dir
 * is missing, not writable or not safe. Example: createStagingDir('/var/tmp', 'daily').placeFor('/srv/a.db') → '/var/tmp/hotsnap/daily-x1Y2z3/srv/a.db'.
 */
export function createStagingDir(stagingDir: string, profile: string, now: Date = clockNow()): StagingDir {
  // Registered before the directory exists: a signal between mkdtemp and registering would
  // otherwise leave it behind (the next run's sweep would find it, but only then).
  let created: string | undefined;
  const unregister = onInterrupt(() => {
    if (created) rmSync(created, { recursive: true, force: true });
  });
  let path: string;
  try {
    path = mkdtempSync(join(openPrivateDir(stagingDir), `${profile}-`));
    created = path;
    // mkdtemp creates 0700 already; the copies inside are 0600. 'wx': a new file, never through a link.
    writeFileSync(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, started: now.toISOString() }), {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if (created) rmSync(created, { recursive: true, force: true });
    unregister();
    throw error instanceof UserError ? error : cannotCreate(stagingDir, error);
  }
  let removed = false;
  return {
    path,
    placeFor(source: string) {
      if (!source.startsWith('/')) throw new Error(`expected an absolute path, got ${source}`);
      return join(path, source);
    },
    remove() {
      if (removed) return;
      removed = true;
      rmSync(path, { recursive: true, force: true });
      unregister();
    },
  };
}
