/**
 * `hotsnap check` on each profile's kept snapshot (`staging_dir/hotsnap/kept-<profile>-<tag>/`):
 * where it is and what it holds, as a note (it stays between runs so tarsnap reads only what
 * changed, and costs about as much space as the databases); a problem only when a run would
 * refuse it (not a private directory of this user). Only looks.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { CheckItem } from '../core/check-report.js';
import { formatBytes } from '../core/summary.js';
import { describeError } from '../errors.js';
import { keptStageName } from './stage-area.js';
import { effectiveUid, PRIVATE_DIR } from './staging-safety.js';

/** Bytes a tree holds: its own (files with one link) and those shared by hard links (Git objects). */
interface TreeBytes {
  own: number;
  shared: number;
}

function measure(dir: string, total: TreeBytes = { own: 0, shared: 0 }): TreeBytes {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) measure(path, total);
    else if (entry.isFile()) {
      const stats = lstatSync(path);
      if (stats.nlink > 1) total.shared += stats.size;
      else total.own += stats.size;
    }
  }
  return total;
}

function isPrivate(stats: Stats, uid: number): boolean {
  return stats.isDirectory() && !stats.isSymbolicLink() && stats.uid === uid && (stats.mode & 0o7777) === 0o700;
}

/**
 * Given staging_dir, state_dir, a profile keeping its snapshot and its databases' bytes, returns the
 * note on its kept snapshot. Example: ('/var/tmp', '/var/lib/hotsnap', 'daily', 5e6) →
 * {check:'kept_snapshot', status:'ok', message:'profile daily keeps its snapshot in /var/tmp/hotsnap/kept-daily-…: …'}.
 */
export function checkKeptSnapshot(
  stagingDir: string,
  stateDir: string,
  profile: string,
  databaseBytes: number,
): CheckItem {
  const path = join(stagingDir, PRIVATE_DIR, keptStageName(profile, stateDir));
  const cost = `it stays between runs so tarsnap reads only what changed, and needs about as much space as the profile's databases (${formatBytes(databaseBytes)} now); keep_snapshot: false removes it after each run instead`;
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return {
        check: 'kept_snapshot',
        status: 'ok',
        message: `profile ${profile} will keep its snapshot in ${path} (the first run creates it): ${cost}`,
      };
    }
    return {
      check: 'kept_snapshot',
      status: 'warn',
      message: `cannot look at profile ${profile}'s kept snapshot ${path}: ${describeError(error)}`,
      fix: 'run hotsnap check as the user the backups run as',
    };
  }
  if (!isPrivate(stats, effectiveUid())) {
    return {
      check: 'kept_snapshot',
      status: 'problem',
      message: `profile ${profile}'s kept snapshot ${path} is not a private directory of this user (0700, not a symlink): hotsnap run refuses it`,
      fix: `remove it (rm -r ${path}), or run hotsnap as its owner`,
    };
  }
  let bytes: TreeBytes;
  try {
    bytes = measure(path);
  } catch (error) {
    return {
      check: 'kept_snapshot',
      status: 'warn',
      message: `cannot measure profile ${profile}'s kept snapshot ${path}: ${describeError(error)}`,
    };
  }
  const shared =
    bytes.shared > 0 ? ` (and ${formatBytes(bytes.shared)} hard-linked to live Git objects, which take no space)` : '';
  return {
    check: 'kept_snapshot',
    status: 'ok',
    message: `profile ${profile} keeps its snapshot in ${path}: ${formatBytes(bytes.own)} of copies${shared}; ${cost}`,
  };
}
