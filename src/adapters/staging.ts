/**
 * Each run's private snapshot directory: `staging_dir/hotsnap/<profile>-<random>`, mode 0700.
 * Hot copies sit below it at their original absolute path (STAGE/var/www/ghost/…/ghost.db), so
 * `tarsnap -C STAGE var/www/…` archives them where a restore to / puts them back.
 * Removed on success, on failure and on SIGINT/SIGTERM/SIGHUP; a leftover of a crashed run (its
 * PID no longer alive) is removed at the next start.
 *
 * Why stages live in a private parent, and what the sweep removes: staging-safety.ts, staging-sweep.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { now as clockNow } from '../clock.js';
import { describeError, ExitCode, UserError } from '../errors.js';
import { onInterrupt } from './cleanup.js';
import { OWNER_FILE, openPrivateDir } from './staging-safety.js';

export interface StagingDir {
  path: string;
  /** Given an absolute source path, returns where its copy goes inside the stage. */
  placeFor(source: string): string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): void;
}

/** Given staging_dir and why a stage could not be made there, returns the error that says what to do. */
export function cannotCreate(stagingDir: string, error: unknown): UserError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'it does not exist: create it or set staging_dir to an existing directory'
      : code === 'EACCES'
        ? 'permission denied: run as root or set staging_dir to a directory you can write'
        : describeError(error);
  return new UserError(`cannot create a staging directory in ${stagingDir}: ${why}`, ExitCode.failed, { cause: error });
}

/**
 * Given staging_dir and the profile, creates the private stage (0700) in `staging_dir/hotsnap/`
 * and registers its removal on interrupt; throws a UserError saying what to do when staging_dir
 * is missing, not writable or not safe.
 * Example: createStagingDir('/var/tmp', 'daily').placeFor('/srv/a.db') → '/var/tmp/hotsnap/daily-x1Y2z3/srv/a.db'.
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
