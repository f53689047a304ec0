/**
 * Why a hot copy failed, as a `SnapshotError` whose message says what to do next, plus the
 * `reason` tag the pipeline summary and the tests match on (never the wording).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
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

/** A failed hot copy. Given ('/srv/ghost.db', 'missing', 'does not exist…'), prints "/srv/ghost.db: does not exist…". */
export class HotCopyError extends SnapshotError {
  readonly reason: HotCopyFailure;
  constructor(db: string, reason: HotCopyFailure, message: string, options?: { cause?: unknown }) {
    super(db, message, options);
    this.reason = reason;
  }
}

/** Given a uid, returns its user name from /etc/passwd (or "uid 1000" when unknown); e.g. 0 → "root". */
export function userNameOf(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id === String(uid)) return name;
    }
  } catch {
    // No passwd file (containers): fall through to the number.
  }
  return `uid ${uid}`;
}

/** Given nothing, returns the name this process runs as; e.g. "root". */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return userNameOf(process.getuid?.() ?? -1);
  }
}

/** Given the owner's name, returns the advice; e.g. "ghost" → "run hotsnap as ghost (the owner) or root". */
export function runAsAdvice(owner: string): string {
  return owner === 'root' ? 'run hotsnap as root' : `run hotsnap as ${owner} (the owner) or root`;
}

/** Given a file mode, returns it as four octal digits; e.g. 0o100640 → "0640". */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** The SQLite error code of a better-sqlite3 error (extended codes on), or undefined. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
