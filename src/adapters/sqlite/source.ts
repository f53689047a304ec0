/**
 * Opening the live database without ever changing it, and explaining why it cannot be read.
 *
 * The connection is READ-ONLY: it cannot write, cannot change the journal mode, and — the
 * subtle part — when it is the last connection to a WAL database, closing it does not
 * checkpoint the WAL into the main file or delete it (SQLite's checkpoint-on-close needs a
 * writable connection). A rollback-mode copy needs BEGIN IMMEDIATE, which a read-only connection
 * silently downgrades to a SHARED lock (that blocks readers once a writer waits), so rollback.ts
 * opens a second, writable connection while this one stays open; closing that one first means
 * it is never the last.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatTimeSpan } from '../../core/timespan.js';
import { currentUserName, describeOwner, runAsOwnerOf } from '../accounts.js';
import { HotCopyError, sqliteCode } from './errors.js';

/** The read-only connection to the live database and its journal mode. */
export interface SourceConnection {
  db: Database.Database;
  /** As SQLite reports it: "wal" or a rollback mode ("delete", "truncate", "persist", "memory", "off"). */
  journalMode: string;
}

/**
 * Given the source path (as configured, for messages), the busy timeout and its real path
 * (symlinks resolved; default the path itself), opens it read-only and reads its journal mode;
 * throws a HotCopyError saying what to do when it cannot.
 * Example: openSource('/srv/ghost.db', 10_000).journalMode → "wal".
 */
export function openSource(source: string, busyTimeoutMs: number, realPath = source): SourceConnection {
  let db: Database.Database | undefined;
  try {
    db = new Database(realPath, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    const journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    return { db, journalMode };
  } catch (error) {
    db?.close();
    // The connection is closed now, so explainSourceError may read the header with fs.
    throw explainSourceError(source, error, busyTimeoutMs, 'open', realPath);
  }
}

/** What kind of bytes a file SQLite refused starts with. Only call with no connection to it open. */
export function classifyHeader(path: string): 'sqlite' | 'encrypted' | 'other' {
  const buffer = Buffer.alloc(4096);
  let length: number;
  const fd = openSync(path, 'r');
  try {
    length = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const head = buffer.subarray(0, length);
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  // SQLCipher and SEE encrypt every page including the header: the file is page-aligned and its
  // bytes look random. Text, JSON and most formats use far fewer than 200 distinct byte values.
  const size = statSync(path).size;
  const distinct = new Set(head).size;
  if (size >= 1024 && size % 512 === 0 && length >= 1024 && distinct >= 200) return 'encrypted';
  return 'other';
}

function permissionHint(path: string): string {
  try {
    return describeOwner(statSync(path));
  } catch {
    return 'owner unknown';
  }
}

/**
 * Given an error from opening or reading the source (connection already closed), returns the
 * HotCopyError that says what to do. `phase` tunes the busy message: who held which lock.
 */
export function explainSourceError(
  source: string,
  error: unknown,
  busyTimeoutMs: number,
  phase: 'open' | 'pin' | 'write-lock' | 'shared-lock',
  realPath = source,
): HotCopyError {
  if (error instanceof HotCopyError) return error;
  const code = sqliteCode(error) ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  const user = currentUserName();
  if (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED') {
    const held = formatTimeSpan(busyTimeoutMs);
    const what =
      phase === 'write-lock'
        ? `another connection held a write lock for more than ${held} (busy_timeout)`
        : phase === 'shared-lock'
          ? `another connection was committing (held an exclusive lock) for more than ${held} (busy_timeout)`
          : `another connection held the database exclusively for more than ${held} (busy_timeout): an application using PRAGMA locking_mode=EXCLUSIVE, a long write in rollback mode, or a WAL recovery`;
    return new HotCopyError(source, 'busy', `${what}; try again when it is idle, or raise hot_copy.busy_timeout`, {
      cause: error,
    });
  }
  if (code === 'SQLITE_NOTADB') {
    let kind: ReturnType<typeof classifyHeader> = 'other';
    try {
      kind = classifyHeader(realPath);
    } catch {
      // Unreadable now: report it as "not a database" with SQLite's own words below.
    }
    if (kind === 'encrypted') {
      return new HotCopyError(
        source,
        'encrypted',
        "looks encrypted (SQLCipher or SEE: no SQLite header, random-looking pages); hotsnap cannot hot-copy an encrypted database without its key. Remove it from the sqlite: list and back it up with the application stopped (list it under paths:), or export it with the application's own tool",
        { cause: error },
      );
    }
    if (kind === 'sqlite') {
      return new HotCopyError(
        source,
        'corrupt',
        `has a SQLite header but SQLite cannot read it (${detail}): the database is damaged; stop the application, run sqlite3 ${source} "PRAGMA integrity_check", and restore it from a backup`,
        { cause: error },
      );
    }
    return new HotCopyError(
      source,
      'not-sqlite',
      `is not a SQLite database (no "SQLite format 3" header); check the path in the sqlite: list`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new HotCopyError(
      source,
      'corrupt',
      `the database is damaged (${detail}); stop the application, run sqlite3 ${source} "PRAGMA integrity_check", and restore it from a backup`,
      { cause: error },
    );
  }
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return new HotCopyError(
      source,
      'permission',
      `has a hot journal (an interrupted write) that user ${user} cannot roll back without write access; ${runAsOwnerOf(realPath)}`,
      { cause: error },
    );
  }
  if (
    code === 'SQLITE_READONLY_DIRECTORY' ||
    code === 'SQLITE_READONLY_CANTINIT' ||
    code === 'SQLITE_READONLY_RECOVERY' ||
    code === 'SQLITE_READONLY_CANTLOCK'
  ) {
    return new HotCopyError(
      source,
      'permission',
      `user ${user} cannot use its -shm/-wal files (${code}): reading a WAL database needs write access to ${realPath}-shm or to ${dirname(realPath)}; ${runAsOwnerOf(realPath)}`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code === 'SQLITE_AUTH') {
    try {
      accessSync(realPath, constants.R_OK);
    } catch {
      return new HotCopyError(
        source,
        'permission',
        `user ${user} cannot read it (${permissionHint(realPath)}); ${runAsOwnerOf(realPath)}`,
        { cause: error },
      );
    }
    return new HotCopyError(
      source,
      'permission',
      `SQLite cannot open it (${detail}); if it is in WAL mode, user ${user} needs write access to ${realPath}-shm or to ${dirname(realPath)}: ${runAsOwnerOf(realPath)}`,
      { cause: error },
    );
  }
  return new HotCopyError(
    source,
    'copy-failed',
    `SQLite error while ${phase === 'open' ? 'opening' : 'locking'} it: ${detail}`,
    { cause: error },
  );
}
