/**
 * Why a hot copy failed, as a `SnapshotError` whose message says what to do next, plus the
 * `reason` tag the pipeline summary and the tests match on (never the wording).
 */
import { SnapshotError } from '../../errors.js';

/** Why a hot copy failed; stable tags for summaries and tests. */
export type HotCopyFailure =
  | 'missing' // the source path does not exist
  | 'not-a-file' // a directory, socket…
  | 'empty' // 0 bytes: SQLite would treat it as a new database, so the path is almost surely wrong
  | 'not-sqlite'
  | 'encrypted' // SQLCipher / SEE: unreadable without the key
  | 'corrupt' // the copy (page for page the source) failed its check
  | 'permission'
  | 'dest-dir' // destination directory missing
  | 'space' // not enough free space beside the destination
  | 'busy' // a lock held past busy_timeout
  | 'timeout' // copy_timeout expired
  | 'aborted' // the caller's AbortSignal fired
  | 'backup-empty' // the backup API's silent "0 pages, no file" outcome
  | 'journal-changed' // the database switched journal mode while we copied
  | 'source-changed' // truncated, emptied or replaced behind SQLite's back while pinned: the copy is not the snapshot
  | 'tool-missing' // cp / cmp not installed
  | 'copy-failed'; // anything else: the message carries the detail

/** A failed hot copy: ('/srv/ghost.db', 'missing', 'does not exist…') prints "/srv/ghost.db: does not exist…". */
export class HotCopyError extends SnapshotError {
  readonly reason: HotCopyFailure;
  constructor(db: string, reason: HotCopyFailure, message: string, options?: { cause?: unknown }) {
    super(db, message, options);
    this.reason = reason;
  }
}

/** The SQLite error code of a better-sqlite3 error (extended codes on), or undefined. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
