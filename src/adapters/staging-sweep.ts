/**
 * The sweep at the start of a run: removes the stages in `staging_dir/hotsnap/` whose run is gone
 * (a 0700 directory of ours holding our `.owner` marker, its process dead; or an empty orphan),
 * follows no symlink, and never throws. Stages of older versions (`staging_dir/hotsnap-*`) are only
 * reported: in a shared temp dir they cannot be told apart from planted look-alikes.
 */
import {
  closeSync,
  constants,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../core/shell-quote.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { isProcessAlive } from './process-alive.js';
import { effectiveUid, inspectStaging, OWNER_FILE, PRIVATE_DIR } from './staging-safety.js';

/** Where stages lived before the private parent; never swept now, only reported. */
const LEGACY_PREFIX = 'hotsnap-';
/** A directory with no owner file is a crash between mkdtemp and writeFile; give it this long. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

/** Given a stage's `.owner` path, returns the pid and start it records, 'missing', or undefined if not our marker. */
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

/**
 * Given an entry of the private dir, returns what to remove it as (a dead run's stage, an empty orphan),
 * or undefined to keep it.
 */
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
