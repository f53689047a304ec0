/**
 * What a backup records about itself: the archive's `.hotsnap/manifest.json` and each hot copy's
 * entry in it (also the output of `copy-db --json`). snake_case because it is a file format, not a
 * TS API. Types only: the pipeline writes it, restore and verify read it.
 */

export const MANIFEST_DIR = '.hotsnap';
export const MANIFEST_FILE = `${MANIFEST_DIR}/manifest.json`;

/** How the copy was made. */
export type CopyMethod =
  /** WAL: pinned read transaction, external cp of the main file and `-wal`, header check. */
  | 'wal-fast'
  /** SQLite's online backup API (better-sqlite3 `db.backup()`) under a pinned read transaction. */
  | 'backup-api'
  /** Rollback journal: BEGIN IMMEDIATE, external cp, COMMIT. */
  | 'rollback-cp';

/** quick = PRAGMA quick_check, full = PRAGMA integrity_check, none = no check. */
export type VerifyLevel = 'quick' | 'full' | 'none';

/** One database's entry in `.hotsnap/manifest.json` (and `copy-db --json`). */
export interface ManifestEntry {
  /** Absolute path of the live database. */
  source: string;
  /** Bytes of the self-contained copy. */
  size: number;
  page_size: number;
  page_count: number;
  /** The source's journal mode as SQLite reported it: "wal", "delete", "truncate", "persist"… */
  journal_mode: string;
  /** SHA-256 (hex) of the copy, computed after its last connection closed. */
  sha256: string;
  method: CopyMethod;
  /** From the moment hotsnap held its pin or lock on the source until it released it. */
  copy_ms: number;
  /** Time spent in the check on the copy (0 with verify "none"). */
  verify_ms: number;
  /**
   * How long other connections could not commit because of hotsnap, measured as the time
   * hotsnap held a lock that a committing writer needs: wal-fast and backup-api in WAL mode hold
   * only a read transaction, which never blocks a WAL writer, so 0; rollback-cp holds RESERVED
   * (BEGIN IMMEDIATE) for copy_ms; backup-api in rollback mode holds SHARED for copy_ms, which
   * blocks writers (and, once a writer waits with PENDING, new readers too).
   */
  writer_block_ms: number;
  verify: VerifyLevel;
  /** ISO-8601 UTC time the copy's snapshot was taken (the pin or lock). */
  copied_at?: string;
  /**
   * Owner, group and mode of the copy as archived: the source's, as far as hotsnap could set
   * them (all three as root; see publish.ts carryOwnership). What a restore as root gives back.
   * Absent in manifests written before hotsnap recorded them.
   */
  uid?: number;
  gid?: number;
  /** Permission bits as four octal digits, e.g. "0640". */
  mode?: string;
}

/** The archive's `.hotsnap/manifest.json`: what was hot-copied, how, and its checksums. */
export interface ArchiveManifest {
  format: 1;
  hotsnap_version: string;
  profile: string;
  hostname: string;
  archive: string;
  created: string;
  databases: ManifestEntry[];
  failed_databases: { source: string; error: string }[];
  paths: string[];
  exclude: string[];
}
