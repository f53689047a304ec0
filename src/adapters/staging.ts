/**
 * Each run's private snapshot directory: `staging_dir/hotsnap-<profile>-<random>`, mode 0700.
 * Hot copies sit below it at their original absolute path (STAGE/var/www/ghost/…/ghost.db), so
 * `tarsnap -C STAGE var/www/…` archives them where a restore to / puts them back.
 * Removed on success, on failure and on SIGINT/SIGTERM/SIGHUP; a leftover of a crashed run (its
 * PID no longer alive) is removed at the next start.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { onInterrupt } from './cleanup.js';
import { isProcessAlive } from './process-alive.js';
import { ExitCode, UserError } from '../errors.js';
import { now as clockNow } from '../clock.js';

/** Not archived: tarsnap gets explicit operands below the stage, never the stage itself. */
const OWNER_FILE = '.owner';
const PREFIX = 'hotsnap-';
/** A directory with no owner file is a crash between mkdtemp and writeFile; give it this long. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

export interface StagingDir {
  path: string;
  /** Given an absolute source path, returns where its copy goes inside the stage. */
  placeFor(source: string): string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

/**
 * Given the parent dir, removes `hotsnap-*` dirs whose owner process is gone; returns what it removed.
 * Example: removeLeftovers('/var/tmp', logger) → ['/var/tmp/hotsnap-daily-Ab12Cd'].
 */
export function removeLeftovers(parent: string, logger: Logger = silentLogger, now = Date.now()): string[] {
  let entries: string[];
  try {
    entries = readdirSync(parent).filter((name) => name.startsWith(PREFIX));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of entries) {
    const path = join(parent, name);
    let owner: { pid?: number; started?: string } | undefined;
    try {
      if (!statSync(path).isDirectory()) continue;
      owner = JSON.parse(readFileSync(join(path, OWNER_FILE), 'utf8')) as { pid?: number; started?: string };
    } catch {
      owner = undefined;
    }
    const abandoned = owner?.pid ? !isProcessAlive(owner.pid) : now - statSync(path).mtimeMs > ORPHAN_GRACE_MS;
    if (!abandoned) continue;
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
    logger.warn(
      { dir: path, pid: owner?.pid, started: owner?.started },
      'removed a staging directory left by a run that crashed (its process is gone)',
    );
  }
  return removed;
}

/**
 * Given the parent dir and profile, creates the private stage (0700) and registers its removal on
 * interrupt. Example: createStagingDir('/var/tmp', 'daily').placeFor('/srv/a.db') → '/var/tmp/hotsnap-daily-x1Y2z3/srv/a.db'.
 */
export function createStagingDir(parent: string, profile: string, now: Date = clockNow()): StagingDir {
  // Registered before the directory exists: a signal between mkdtemp and registering would
  // otherwise leave it behind (the next run's sweep would find it, but only then).
  let created: string | undefined;
  const unregister = onInterrupt(() => {
    if (created) rmSync(created, { recursive: true, force: true });
  });
  let path: string;
  try {
    path = mkdtempSync(join(parent, `${PREFIX}${profile}-`));
    created = path;
  } catch (error) {
    unregister();
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'it does not exist: create it or set staging_dir to an existing directory'
        : code === 'EACCES'
          ? 'permission denied: run as root or set staging_dir to a directory you can write'
          : (error as Error).message;
    throw new UserError(`cannot create a staging directory in ${parent}: ${why}`, ExitCode.failed, { cause: error });
  }
  // mkdtemp creates 0700 already; the copies inside are 0600.
  writeFileSync(join(path, OWNER_FILE), JSON.stringify({ pid: process.pid, started: now.toISOString() }), { mode: 0o600 });
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
