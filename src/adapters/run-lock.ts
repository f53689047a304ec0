/**
 * The run lock: one per tarsnap key, because tarsnap forbids concurrent create/delete with the
 * same key even across cache directories.
 *
 * The lock is an EXCLUSIVE transaction on a small SQLite file in state_dir. The kernel drops a
 * POSIX lock when its process dies, so a crashed run can never leave a lock that blocks the next
 * one; a JSON file beside it names the holder (PID, start time) for messages, and a holder file
 * whose PID is gone tells us we are taking over after a crash. (Nothing in this process may open
 * the lock file with `fs`: closing any descriptor of it would drop SQLite's lock.)
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, ExitCode, LockedError, UserError } from '../errors.js';
import { now as clockNow } from '../clock.js';
import { formatTimeSpan } from '../core/timespan.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { onInterrupt } from './cleanup.js';
import { isProcessAlive } from './process-alive.js';

export interface LockHolder {
  pid: number;
  started: string;
  command: string;
}

export interface RunLock {
  /** Releases the lock; safe to call twice. */
  release(): void;
}

export interface AcquireOptions {
  stateDir: string;
  /** The tarsnap key file the lock guards. */
  keyfile: string;
  /** How long to wait for another run (ms); 0 = fail at once. */
  waitMs: number;
  /** What this run is, for the other side's message ("run daily"). */
  command: string;
  logger?: Logger;
  pollMs?: number;
  now?: () => Date;
}

/** Given a key path, returns the lock's base name: readable and unique per key. */
export function lockNameFor(keyfile: string): string {
  const digest = createHash('sha256').update(keyfile).digest('hex').slice(0, 12);
  return `${basename(keyfile).replace(/[^A-Za-z0-9._-]/g, '_')}-${digest}`;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

function tryLock(db: Database.Database, lockPath: string): boolean {
  try {
    // The lock file holds no data and its transaction writes nothing: a journal in memory lets the
    // lock be taken on a full state_dir (a journal file would need space: "database or disk is
    // full"). Set on each try: while another run holds the lock, even this pragma is busy.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    db.close();
    throw new UserError(
      `cannot take the run lock ${lockPath}: ${describeError(error)} (check the file system of state_dir: free space, permissions)`,
      ExitCode.failed,
      { cause: error },
    );
  }
}

/**
 * Given the state dir and key, takes the run lock, waiting up to `waitMs`; throws LockedError
 * naming the holder. Example: `const lock = await acquireRunLock({...}); try { … } finally { lock.release(); }`.
 */
export async function acquireRunLock(options: AcquireOptions): Promise<RunLock> {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? clockNow;
  const dir = join(options.stateDir, 'locks');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UserError(
      `cannot create the lock directory ${dir}: ${(error as Error).message} (set state_dir to a directory you can write, or run as root)`,
    );
  }
  const name = lockNameFor(options.keyfile);
  const lockPath = join(dir, `${name}.lock`);
  const holderPath = join(dir, `${name}.holder.json`);
  let db: Database.Database;
  try {
    db = new Database(lockPath, { timeout: 0 });
  } catch (error) {
    throw new UserError(
      `cannot open the run lock ${lockPath}: ${(error as Error).message} (set state_dir to a writable directory with free space, or run as root)`,
      ExitCode.failed,
      { cause: error },
    );
  }

  const deadline = performance.now() + options.waitMs;
  let announced = false;
  while (!tryLock(db, lockPath)) {
    const holder = readHolder(holderPath);
    const who = holder
      ? `PID ${holder.pid} ("hotsnap ${holder.command}", started ${holder.started})`
      : 'another hotsnap process';
    if (performance.now() >= deadline) {
      db.close();
      throw new LockedError(
        `another hotsnap run holds the lock for key ${options.keyfile}: ${who}; waited ${formatTimeSpan(options.waitMs)}. ` +
          'Try again later, or raise --wait.',
      );
    }
    if (!announced) {
      logger.info({ holder: holder ?? null, wait: formatTimeSpan(options.waitMs) }, `waiting for ${who} to finish`);
      announced = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(1, deadline - performance.now())));
  }

  const previous = readHolder(holderPath);
  if (previous && previous.pid !== process.pid && !isProcessAlive(previous.pid)) {
    logger.warn(
      { pid: previous.pid, started: previous.started },
      'taking over the run lock from a hotsnap run that is no longer running',
    );
  }
  const holder: LockHolder = { pid: process.pid, started: now().toISOString(), command: options.command };
  const temporary = `${holderPath}.${process.pid}`;
  try {
    writeFileSync(temporary, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    renameSync(temporary, holderPath);
  } catch (error) {
    // The SQLite lock is what excludes other runs; the holder file only names us in their messages.
    rmSync(temporary, { force: true });
    logger.warn(
      `cannot record the lock holder in ${holderPath} (${describeError(error)}); the lock is held all the same`,
    );
  }

  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      rmSync(holderPath, { force: true });
      // Nothing was written under the lock: ROLLBACK needs no disk space, where COMMIT on a full
      // state_dir fails. Closing the connection drops the file lock whatever happens here.
      db.exec('ROLLBACK');
    } catch {
      // The lock goes with the connection below; a leftover holder file names a dead PID and is ignored.
    } finally {
      db.close();
    }
  };
  const unregister = onInterrupt(release);
  return {
    release() {
      unregister();
      release();
    },
  };
}
