/**
 * The WAL fast path: a consistent copy at `cp` speed that no writer ever waits for.
 *
 * 1. Pin a snapshot with a read transaction on our own (read-only) connection. While its read
 *    mark is > 0 the WAL cannot be restarted and checkpoints only backfill frames up to our mark.
 * 2. External `cp` of the main file, then of `-wal` (never `-shm`: the copy rebuilds its own).
 * 3. Still pinned, compare the 32-byte WAL headers of the live and the copied `-wal`. They can
 *    only differ when the pin landed on read slot 0 (WAL fully checkpointed at pin time): then
 *    a TRUNCATE/RESTART may rewrite the WAL during our cp (SQLite's walRestartLog locks only
 *    slots 1–4), and the copied `-wal` can be an old-generation prefix whose stale pages would
 *    be replayed over the newer main file — a copy that often still passes quick_check. In
 *    that case the main file was frozen (backfilling needs slot 0) and is complete on its own:
 *    drop the copied `-wal`.
 * 4. Still pinned, check the live file is the one pinned and no shorter than the snapshot needs
 *    (snapshot.ts): a file emptied behind SQLite's back would otherwise give a valid empty copy.
 * 5. COMMIT (unpin). Opening the copy later recovers every committed frame of the copied WAL.
 */
import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SourceLockError, timeLeft, type CopyContext, type CopyPhaseResult } from './copy-context.js';
import { assertSourceIntact, readPinnedSnapshot, type PinnedSnapshot } from './snapshot.js';

/** Given a read-only connection, starts a read transaction that pins the current snapshot. */
export function pinSnapshot(db: Database.Database): void {
  try {
    // BEGIN alone is deferred; the SELECT makes SQLite take the read mark now.
    db.exec('BEGIN; SELECT count(*) FROM sqlite_schema;');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw new SourceLockError('pin', error);
  }
}

/** Given a pinned connection, ends the read transaction (nothing was written, so this releases only). */
export function unpinSnapshot(db: Database.Database): void {
  if (db.inTransaction) db.exec('COMMIT');
}

/**
 * Given the source's read-only connection (WAL mode) and the context, copies main file and WAL
 * into context.tmpFile(-wal); resolves to the phase timings. writer_block_ms is 0: a WAL reader
 * holds no lock a writer needs.
 */
export async function copyWalFast(db: Database.Database, context: CopyContext): Promise<CopyPhaseResult> {
  const { source, realPath, tmpFile, tools, signal, logger, hooks } = context;
  pinSnapshot(db);
  const pinnedAt = performance.now();
  const copiedAt = context.now();
  let snapshot: PinnedSnapshot;
  let walDropped = false;
  try {
    snapshot = readPinnedSnapshot(db, realPath);
    await hooks.afterPin?.();
    await tools.copyFile(realPath, tmpFile, { signal, timeoutMs: timeLeft(context, 'copying the main file') });
    await hooks.afterMainCopy?.();
    await tools.copyFile(`${realPath}-wal`, `${tmpFile}-wal`, {
      signal,
      timeoutMs: timeLeft(context, 'copying the WAL'),
    });
    if (context.unsafeSkipWalHeaderCheck) {
      logger.warn({ db: source }, 'WAL header check skipped (test-only switch): the copy may be inconsistent');
    } else if (
      !(await tools.sameWalHeader(`${realPath}-wal`, `${tmpFile}-wal`, {
        signal,
        timeoutMs: timeLeft(context, 'checking the WAL header'),
      }))
    ) {
      // Only possible on read slot 0, where the main file is frozen and already complete.
      rmSync(`${tmpFile}-wal`, { force: true });
      walDropped = true;
      logger.debug(
        { db: source },
        'WAL restarted during the copy; dropped the copied -wal (the main file is complete)',
      );
    }
    // Still pinned: a file cut or swapped behind SQLite's back shows now, not after the unpin.
    assertSourceIntact(source, realPath, snapshot);
  } finally {
    unpinSnapshot(db);
  }
  // Without its -wal the copy is the frozen main file, i.e. exactly the pinned snapshot.
  return {
    method: 'wal-fast',
    copyMs: performance.now() - pinnedAt,
    writerBlockMs: 0,
    copiedAt,
    snapshot,
    exact: walDropped,
  };
}
