/**
 * Turning a fresh copy into ONE self-contained, checked file: open it (SQLite recovers the
 * copied WAL), fold the WAL into the main file, check it, close it, and make sure no `-wal` or
 * `-shm` is left beside it (tarsnap would archive them, and a restore would replay stale frames).
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HotCopyError, sqliteCode } from './errors.js';
import type { VerifyLevel } from '../../core/manifest.js';
import { assertCopyMatchesSnapshot, readSchemaDigest, type PinnedSnapshot } from './snapshot.js';

/** What finishCopy learned about the finished copy. */
export interface FinishedCopy {
  pageSize: number;
  pageCount: number;
  verifyMs: number;
}

/** The pinned snapshot the copy must show (exactly, or for wal-fast with its -wal: at least not emptied). */
export interface ExpectedSnapshot {
  snapshot: PinnedSnapshot;
  exact: boolean;
}

/** How many problem lines a failed check quotes. */
const QUOTED_PROBLEMS = 5;

/** Given an open copy and the check pragma, returns its problems (none when it says "ok"). */
function runCheck(db: Database.Database, pragma: 'quick_check' | 'integrity_check'): string[] {
  let rows: Array<Record<string, unknown>>;
  try {
    rows = db.pragma(pragma) as Array<Record<string, unknown>>;
  } catch (error) {
    // Damage bad enough to stop the check itself is a failed check, not a different error.
    if ((sqliteCode(error) ?? '').startsWith('SQLITE_CORRUPT')) return [(error as Error).message];
    throw error;
  }
  // One row per problem, but a row may hold several lines; "*** in database main ***" is a heading.
  const lines = rows
    .flatMap((row) => String(Object.values(row)[0]).split('\n'))
    .filter((line) => line && !line.startsWith('***'));
  return lines.length === 1 && lines[0] === 'ok' ? [] : lines;
}

/**
 * Given the copy's path (no other connection to it), checkpoints any WAL with synchronous=OFF,
 * compares it with the pinned snapshot (when given; 'source-changed'), runs the requested check
 * and closes it; throws HotCopyError('corrupt') when the check fails.
 * Example: finishCopy('/stage/ghost.db', '/srv/ghost.db', 'quick') → {pageSize: 4096, pageCount: 2560, verifyMs: 41}.
 */
export function finishCopy(
  copyPath: string,
  source: string,
  verify: VerifyLevel,
  expected?: ExpectedSnapshot,
): FinishedCopy {
  let db: Database.Database | undefined;
  try {
    db = new Database(copyPath, { fileMustExist: true, timeout: 0 });
    // A staging copy needs no durability: an fsync of a large copy queues behind (and stalls)
    // the live application's own fsyncs on a shared disk — measured 440–517 ms writer stalls.
    // copy-db's durability comes from a paced write-back at the very end instead (write-back.ts).
    db.pragma('synchronous = OFF');
    const mode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    if (mode === 'wal') {
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{
        busy: number;
        log: number;
        checkpointed: number;
      }>;
      if (!result || result.busy !== 0)
        throw new HotCopyError(
          source,
          'copy-failed',
          `could not checkpoint the copy ${copyPath} (busy); is another program opening files in the staging directory?`,
        );
    }
    // Before the check: an emptied file is a valid empty database that passes it.
    if (expected) {
      const shape = {
        pageSize: Number(db.pragma('page_size', { simple: true })),
        pageCount: Number(db.pragma('page_count', { simple: true })),
        ...readSchemaDigest(db),
      };
      assertCopyMatchesSnapshot(source, shape, expected.snapshot, expected.exact);
    }
    const started = performance.now();
    if (verify !== 'none') {
      const pragma = verify === 'full' ? 'integrity_check' : 'quick_check';
      const problems = runCheck(db, pragma);
      if (problems.length > 0) {
        const quoted = problems.slice(0, QUOTED_PROBLEMS).join('; ');
        throw new HotCopyError(
          source,
          'corrupt',
          `the copy failed PRAGMA ${pragma} (${problems.length} problem${problems.length === 1 ? '' : 's'}: ${quoted}${problems.length > QUOTED_PROBLEMS ? '; …' : ''}). The copy is page for page the live database, so the database itself is damaged: stop the application, run sqlite3 ${source} "PRAGMA integrity_check", and restore it from a backup`,
        );
      }
    }
    const verifyMs = verify === 'none' ? 0 : performance.now() - started;
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const pageCount = Number(db.pragma('page_count', { simple: true }));
    db.close();
    db = undefined;
    for (const suffix of ['-wal', '-shm', '-journal']) {
      if (existsSync(copyPath + suffix))
        throw new HotCopyError(
          source,
          'copy-failed',
          `the copy still has a ${suffix} file after closing; refusing to archive a copy that is not self-contained`,
        );
    }
    return { pageSize, pageCount, verifyMs };
  } catch (error) {
    if (error instanceof HotCopyError) throw error;
    const code = sqliteCode(error) ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new HotCopyError(
        source,
        'corrupt',
        `the copy cannot be read (${(error as Error).message}); the live database is damaged: stop the application, run sqlite3 ${source} "PRAGMA integrity_check", and restore it from a backup`,
        { cause: error },
      );
    }
    throw new HotCopyError(source, 'copy-failed', `checking the copy failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    db?.close();
  }
}
