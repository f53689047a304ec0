/**
 * What the pinned snapshot saw, and the proof that the copy is that snapshot (or, for wal-fast,
 * a later one). Another process may truncate, empty or replace the file while hotsnap copies it:
 * a file cut to 0 bytes is a valid EMPTY database that passes quick_check, so the check alone
 * would archive nothing and call it good.
 *
 * Invariants, while hotsnap holds its pin (WAL read mark) or lock (RESERVED / SHARED):
 * - the file is the same inode; SQLite itself never replaces it;
 * - it never shrinks below min(its size at the pin, page_count × page_size): in rollback mode
 *   nobody may write it at all; in WAL mode a checkpoint only backfills frames up to our read
 *   mark and truncates the file only once it has backfilled the whole WAL — then to the newest
 *   snapshot's size, which is ours, since no frame lies past our mark;
 * - the copy (WAL folded) is the pinned snapshot exactly for rollback-cp, backup-api and a
 *   wal-fast copy whose -wal was dropped (read slot 0: the frozen main file is the snapshot):
 *   same page size, page count and schema. A wal-fast copy that kept its -wal also holds
 *   commits made after the pin, so its page count may legitimately differ (growth, or shrinking
 *   under auto_vacuum): it must still have pages, the same page size and the same schema (only
 *   a migration committed during the copy changes that; the next run copies it).
 */
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { HotCopyError } from './errors.js';

/** The schema as rows of sqlite_schema: how many, and a digest of them all. */
export interface SchemaDigest {
  objects: number;
  sha256: string;
}

/** What hotsnap's own connection saw while it held the pin or lock, plus the file it saw. */
export interface PinnedSnapshot extends SchemaDigest {
  pageSize: number;
  pageCount: number;
  fileBytes: number;
  device: number;
  inode: number;
}

/** Given an open connection, returns its schema's digest; e.g. a new empty database → {objects: 0, sha256: '4f53…'}. */
export function readSchemaDigest(db: Database.Database): SchemaDigest {
  const rows = db
    .prepare('SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema ORDER BY type, name')
    .raw()
    .all();
  return { objects: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') };
}

/**
 * Given a connection holding the pin or lock and the real path of its file, returns what the
 * snapshot holds. Only stat(2) touches the file: opening and closing it here would drop this
 * process's POSIX locks. Example: readPinnedSnapshot(db, '/srv/ghost.db') →
 * {pageCount: 512, pageSize: 4096, objects: 31, …}.
 */
export function readPinnedSnapshot(db: Database.Database, realPath: string): PinnedSnapshot {
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const pageCount = Number(db.pragma('page_count', { simple: true }));
  const schema = readSchemaDigest(db);
  const stats = statSync(realPath);
  return { pageSize, pageCount, ...schema, fileBytes: stats.size, device: stats.dev, inode: stats.ino };
}

function changedError(source: string, what: string): HotCopyError {
  return new HotCopyError(
    source,
    'source-changed',
    `${what}: the file was truncated or replaced while hotsnap copied it; nothing was stored for it. Find the process that rewrites the database behind SQLite's back (a restore, a sync tool, a careless script) and run the backup again`,
  );
}

/**
 * Given the source (for messages), its real path and the snapshot, throws 'source-changed' when
 * the file is no longer the one pinned or has shrunk below what the snapshot needs. Call it while
 * the pin or lock is still held. Example: after `truncate -s 0` → "the file is now 0 bytes, but …".
 */
export function assertSourceIntact(source: string, realPath: string, snapshot: PinnedSnapshot): void {
  let stats;
  try {
    stats = statSync(realPath);
  } catch {
    throw changedError(source, `${realPath} disappeared while pinned`);
  }
  if (stats.ino !== snapshot.inode || stats.dev !== snapshot.device)
    throw changedError(
      source,
      `${realPath} is no longer the file hotsnap pinned (another file was moved into its place)`,
    );
  const needed = Math.min(snapshot.fileBytes, snapshot.pageCount * snapshot.pageSize);
  if (stats.size < needed) {
    throw changedError(
      source,
      `the file is now ${stats.size} bytes, but the pinned snapshot of ${snapshot.pageCount} pages needed at least ${needed}`,
    );
  }
}

/** The copy as finishCopy sees it after the fold. */
export interface CopiedShape extends SchemaDigest {
  pageSize: number;
  pageCount: number;
}

/**
 * Given the source, the folded copy's shape, the snapshot and whether the copy must be exactly
 * that snapshot, throws 'source-changed' on a mismatch. Example: a copy of 0 pages for a
 * snapshot of 512 → "the copy has 0 pages but the pinned snapshot had 512: …".
 */
export function assertCopyMatchesSnapshot(
  source: string,
  copy: CopiedShape,
  snapshot: PinnedSnapshot,
  exact: boolean,
): void {
  if (snapshot.pageCount > 0 && copy.pageCount === 0)
    throw changedError(source, `the copy has 0 pages but the pinned snapshot had ${snapshot.pageCount}`);
  if (copy.pageSize !== snapshot.pageSize)
    throw changedError(
      source,
      `the copy has ${copy.pageSize}-byte pages but the pinned snapshot had ${snapshot.pageSize}-byte pages`,
    );
  if (snapshot.objects > 0 && copy.objects === 0)
    throw changedError(source, `the copy has no tables but the pinned snapshot had ${snapshot.objects} schema objects`);
  if (exact && copy.pageCount !== snapshot.pageCount)
    throw changedError(
      source,
      `the copy has ${copy.pageCount} pages but the pinned snapshot had ${snapshot.pageCount}`,
    );
  if (copy.sha256 === snapshot.sha256) return;
  const what = `the copy's schema (${copy.objects} objects) differs from the pinned snapshot's (${snapshot.objects})`;
  if (exact) throw changedError(source, what);
  throw new HotCopyError(
    source,
    'source-changed',
    `${what}: the file was replaced while hotsnap copied it, or the application changed its schema (a migration) at that very moment; nothing was stored for it. Run the backup again once the application is done`,
  );
}
