/**
 * Rollback-journal databases: BEGIN IMMEDIATE, external cp, COMMIT.
 *
 * IMMEDIATE takes RESERVED: other writers wait (for the cp time, which is what writer_block_ms
 * reports) but readers carry on, and the main file is stable because only the RESERVED holder
 * may write it. A SHARED lock would be worse: a writer waiting on it takes PENDING, which locks
 * out new readers too. Nothing is written, so COMMIT only releases the lock (no journal file is
 * ever created: SQLite opens it at the first page change).
 */
import Database from 'better-sqlite3';
import { accessSync, constants } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { currentUserName, runAsOwnerOf } from '../accounts.js';
import { HotCopyError } from './errors.js';
import { SourceLockError, timeLeft, type CopyContext, type CopyPhaseResult } from './copy-context.js';
import { assertSourceIntact, readPinnedSnapshot, type PinnedSnapshot } from './snapshot.js';

function assertWritable(source: string, realPath: string): void {
  try {
    // access(2) opens nothing, so it cannot drop the read-only connection's locks.
    accessSync(realPath, constants.W_OK);
  } catch (error) {
    throw new HotCopyError(
      source,
      'permission',
      `user ${currentUserName()} cannot lock it for writing: a rollback-journal database is copied under BEGIN IMMEDIATE, which needs write permission (hotsnap never writes to it; a read-only connection's IMMEDIATE would block the application's readers instead); ${runAsOwnerOf(realPath)}`,
      { cause: error },
    );
  }
}

/**
 * Given the context of a rollback-journal source (its read-only connection stays open in the
 * caller, so this writable one is never the last to close), copies it to context.tmpFile under
 * BEGIN IMMEDIATE; resolves to the phase timings.
 */
export async function copyRollback(context: CopyContext): Promise<CopyPhaseResult> {
  const { source, realPath, tmpFile, tools, signal, hooks } = context;
  assertWritable(source, realPath);
  const db = new Database(realPath, {
    fileMustExist: true,
    timeout: Math.floor(Math.min(context.busyTimeoutMs, timeLeft(context, 'opening the database'))),
  });
  try {
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      throw new SourceLockError('write-lock', error);
    }
    const lockedAt = performance.now();
    const copiedAt = context.now();
    let snapshot: PinnedSnapshot;
    try {
      const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
      if (mode === 'wal')
        throw new HotCopyError(
          source,
          'journal-changed',
          'the database switched to WAL mode while hotsnap was copying it; run the copy again',
        );
      snapshot = readPinnedSnapshot(db, realPath);
      await hooks.afterPin?.();
      await tools.copyFile(realPath, tmpFile, { signal, timeoutMs: timeLeft(context, 'copying the database') });
      await hooks.afterMainCopy?.();
      // Still locked: nobody may have written the file, so any change was made behind SQLite's back.
      assertSourceIntact(source, realPath, snapshot);
    } finally {
      db.exec('COMMIT');
    }
    const copyMs = performance.now() - lockedAt;
    return { method: 'rollback-cp', copyMs, writerBlockMs: copyMs, copiedAt, snapshot, exact: true };
  } finally {
    db.close();
  }
}
