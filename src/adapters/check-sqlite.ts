/**
 * `hotsnap check` probe of one `sqlite` entry: it exists, SQLite opens it (read-only, as the hot
 * copy does, so the same permission, encryption and corruption diagnoses apply), and its journal
 * mode decides how much the backup makes the application's writers wait.
 *
 * The connection is read-only and closed as soon as the journal mode is read: it never writes,
 * never changes the journal mode, and (read-only) never checkpoints the WAL when it closes. A WAL
 * database nobody has open (no -shm) is not opened at all: a read-only connection would create
 * -wal and -shm beside it and could not remove them; its header says WAL, which is enough.
 */
import Database from 'better-sqlite3';
import { closeSync, constants, existsSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HotCopySettings } from '../config/resolve.js';
import { estimateRollbackStallMs, type CheckItem } from '../core/check-report.js';
import { formatBytes } from '../core/summary.js';
import { shellQuote } from '../core/shell-quote.js';
import { currentUserName, runAsOwnerOf } from './accounts.js';
import { explainSourceError } from './sqlite/source.js';
import { can } from './check-fs.js';

export interface DatabaseFindings {
  item: CheckItem;
  /** Sizes for the staging space estimate (0 when the file could not be read). */
  bytes: number;
  walBytes: number;
}

/**
 * The backup API copies at ~300 MB/s and, in rollback mode, holds readers and writers for the
 * whole copy (docs/sqlite-hot-copy.md: 1.8–1.9 s for 500 MB).
 */
const BACKUP_API_STALL_BYTES_PER_MS = 500_000_000 / 1850;

/**
 * Whether the file is a WAL database no connection has open: its header says WAL (file format
 * bytes 18 and 19 are 2) and there is no -shm. Read with fs before any SQLite connection to it
 * exists in this process, so no POSIX lock can be dropped.
 */
function idleWalDatabase(realPath: string): boolean {
  if (existsSync(`${realPath}-shm`)) return false;
  const header = Buffer.alloc(100);
  try {
    const fd = openSync(realPath, 'r');
    try {
      if (readSync(fd, header, 0, header.length, 0) < header.length) return false;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // SQLite's own open below says why it cannot be read.
  }
  return header.subarray(0, 16).toString('latin1') === 'SQLite format 3\0' && header[18] === 2 && header[19] === 2;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Given a database path, the profiles listing it and the hot-copy settings of the first, returns
 * what check found. Example: a rollback-mode 150 MB database → warn "writers will pause for about
 * 106 ms per backup; switch to WAL for none …".
 */
export function checkDatabase(
  source: string,
  profiles: readonly string[],
  settings: Pick<HotCopySettings, 'method' | 'busy_timeout_ms'>,
): DatabaseFindings {
  const where = `profile${profiles.length === 1 ? '' : 's'} ${profiles.join(', ')}`;
  const fail = (message: string, fix?: string): DatabaseFindings => ({
    item: { check: 'sqlite', status: 'problem', message, ...(fix ? { fix } : {}) },
    bytes: 0,
    walBytes: 0,
  });
  let bytes: number;
  try {
    const stats = statSync(source);
    if (!stats.isFile()) return fail(`${source} (${where}) is not a file`, `correct it in the sqlite list of ${where}`);
    bytes = stats.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return fail(
        `database ${source} (${where}) does not exist`,
        `correct or remove it in the sqlite list of ${where}`,
      );
    return fail(
      `user ${currentUserName()} cannot reach database ${source} (${code ?? (error as Error).message})`,
      'run hotsnap as root',
    );
  }
  if (bytes === 0) {
    return fail(
      `database ${source} (${where}) is empty (0 bytes): SQLite would take it for a new database, so the path is almost surely wrong`,
      `correct it in the sqlite list of ${where}`,
    );
  }

  // SQLite keeps -wal and -shm beside the real file, so a symlinked path is opened where it points.
  const realPath = realpathSync(source);
  let journalMode: string;
  const idle = idleWalDatabase(realPath);
  if (idle) {
    // Opening it would create -wal and -shm that a read-only connection cannot remove again; the
    // header already says WAL, and the run will need to create -shm: check it may.
    if (!can(dirname(realPath), constants.W_OK | constants.X_OK)) {
      return fail(
        `${source}: WAL mode, and user ${currentUserName()} cannot create its -shm file (${dirname(realPath)} is not writable): reading a WAL database needs write access to ${realPath}-shm or to its directory`,
        runAsOwnerOf(realPath),
      );
    }
    journalMode = 'wal';
  } else {
    let db: Database.Database | undefined;
    try {
      db = new Database(realPath, { readonly: true, fileMustExist: true, timeout: settings.busy_timeout_ms });
      journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
    } catch (error) {
      db?.close();
      db = undefined;
      // Closed first: explainSourceError may read the header with fs. Its message says what to do.
      return fail(explainSourceError(source, error, settings.busy_timeout_ms, 'open').message);
    } finally {
      db?.close();
    }
  }

  const walBytes = journalMode === 'wal' ? sizeOf(`${realPath}-wal`) : 0;
  const size = `${formatBytes(bytes)}${walBytes > 0 ? ` + ${formatBytes(walBytes)} WAL` : ''}`;
  if (journalMode === 'wal') {
    const how =
      settings.method === 'backup-api'
        ? 'copied with the backup API (hot_copy.method)'
        : 'copied from a pinned snapshot';
    const note = idle ? ' (not in use now: read its header only, so no -wal/-shm is left behind)' : '';
    return {
      item: {
        check: 'sqlite',
        status: 'ok',
        message: `${source}: WAL mode, ${size}${note}: ${how} without blocking the application's writers`,
      },
      bytes,
      walBytes,
    };
  }

  // access(2) opens nothing; the copy takes BEGIN IMMEDIATE, which needs write permission.
  if (!can(realPath, constants.W_OK)) {
    return fail(
      `${source}: rollback journal (${journalMode}) and user ${currentUserName()} cannot write it: the copy is taken under BEGIN IMMEDIATE, which needs write permission (hotsnap never writes to it)`,
      runAsOwnerOf(realPath),
    );
  }
  const backupApi = settings.method === 'backup-api';
  const stallMs = backupApi ? Math.ceil(bytes / BACKUP_API_STALL_BYTES_PER_MS) : estimateRollbackStallMs(bytes);
  const who = backupApi ? 'readers and writers' : 'writers';
  const basis = backupApi
    ? 'estimated from the file size at the ~270 MB/s the backup API achieved under load'
    : 'estimated from the file size at the ~1.5 GB/s cp achieved under the lock on a page-cached database; longer when it is not cached';
  return {
    item: {
      check: 'sqlite',
      status: 'warn',
      message: `${source}: rollback journal (${journalMode}), ${size}: ${who} will pause for about ${stallMs} ms per backup (${basis}); the application's busy timeout must be longer than that`,
      fix: `switch to WAL for none: sqlite3 ${shellQuote(source)} 'PRAGMA journal_mode=WAL' (it persists; every program using the database must be on this host, not a network file system)`,
    },
    bytes,
    walBytes,
  };
}
