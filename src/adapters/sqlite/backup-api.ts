/**
 * The fallback: SQLite's online backup API (better-sqlite3 `db.backup()`), under a pinned read
 * transaction. Unpinned, every write by another connection restarts the backup from page 1 —
 * under a writer committing every 5 ms it never finished (13,446 restarts in 60 s). A step only
 * opens its own read transaction when none is open, so pinning first gives zero restarts.
 * About 10× slower than cp; in rollback mode the pin is a SHARED lock that blocks writers (and,
 * once one waits, readers) for the whole copy, so rollback databases normally use rollback-cp.
 */
import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HotCopyError } from './errors.js';
import {
  abortedError,
  SourceLockError,
  timeLeft,
  timeoutError,
  type CopyContext,
  type CopyPhaseResult,
} from './copy-context.js';
import { assertSourceIntact, readPinnedSnapshot, type PinnedSnapshot } from './snapshot.js';
import { pinSnapshot, unpinSnapshot } from './wal-fast.js';

/** Pages per step: 1024 × 4 KiB keeps event-loop gaps short; 4096 gave 150–190 ms gaps. */
export const PAGES_PER_STEP = 1024;

/** What one backup run did: pages copied and restarts seen. */
export interface BackupOutcome {
  totalPages: number;
  /** Times the copy went back to page 1 because another connection wrote (0 when pinned). */
  restarts: number;
}

/**
 * Given a source connection (pinned by the caller, or not) and a destination path that does not
 * exist, runs the backup with a deadline; throws HotCopyError('backup-empty') for the silent
 * failure (better-sqlite3 resolves with totalPages 0 and deletes the file when the first step is
 * BUSY or the source connection has a write transaction open). Example:
 * runBackup(db, '/stage/x.db', context) → {totalPages: 2560, restarts: 0}.
 */
export async function runBackup(
  db: Database.Database,
  destination: string,
  context: CopyContext,
): Promise<BackupOutcome> {
  let restarts = 0;
  let lastRemaining = Number.POSITIVE_INFINITY;
  let stopped: HotCopyError | undefined;
  let result: Database.BackupMetadata;
  try {
    result = await db.backup(destination, {
      progress({ totalPages, remainingPages }) {
        // Remaining pages fall with every step; a restart from page 1 shows up as no fall or a rise.
        if (remainingPages >= lastRemaining) restarts++;
        lastRemaining = remainingPages;
        // Throwing aborts the backup and better-sqlite3 deletes the partial file.
        if (context.signal?.aborted) throw (stopped = abortedError(context));
        if (performance.now() > context.deadline) throw (stopped = timeoutError(context, 'running the backup API'));
        context.onProgress?.(totalPages - remainingPages, totalPages);
        return PAGES_PER_STEP;
      },
    });
  } catch (error) {
    if (stopped) throw stopped;
    throw new HotCopyError(context.source, 'copy-failed', `the SQLite backup API failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (result.totalPages === 0 || !existsSync(destination)) {
    throw new HotCopyError(
      context.source,
      'backup-empty',
      'the SQLite backup API copied 0 pages and wrote no file (its first step was refused: another connection held an exclusive lock, or this connection had a write transaction open); nothing was copied — try again, or use hot_copy.method: auto',
    );
  }
  return { totalPages: result.totalPages, restarts };
}

/**
 * Given the source's read-only connection and the context, copies under a pin; resolves to the
 * phase timings. writer_block_ms: 0 in WAL mode, the whole pin in rollback mode (SHARED lock).
 */
export async function copyWithBackupApi(db: Database.Database, context: CopyContext): Promise<CopyPhaseResult> {
  timeLeft(context, 'waiting to start the backup API');
  const wal = context.journalMode === 'wal';
  try {
    pinSnapshot(db);
  } catch (error) {
    // In rollback mode the pin is a SHARED lock: busy means a writer held PENDING/EXCLUSIVE.
    throw wal ? error : new SourceLockError('shared-lock', (error as SourceLockError).cause);
  }
  const pinnedAt = performance.now();
  const copiedAt = context.now();
  let outcome: BackupOutcome;
  let snapshot: PinnedSnapshot;
  try {
    snapshot = readPinnedSnapshot(db, context.realPath);
    await context.hooks.afterPin?.();
    outcome = await runBackup(db, context.tmpFile, context);
    // Pages past a cut-off end read as zeros: check the file while still pinned.
    assertSourceIntact(context.source, context.realPath, snapshot);
  } finally {
    unpinSnapshot(db);
  }
  const copyMs = performance.now() - pinnedAt;
  if (outcome.restarts > 0)
    context.logger.warn({ db: context.source, restarts: outcome.restarts }, 'backup API restarted despite the pin');
  return { method: 'backup-api', copyMs, writerBlockMs: wal ? 0 : copyMs, copiedAt, snapshot, exact: true };
}
