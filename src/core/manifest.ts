/**
 * What a backup records about itself: the archive's `.hotsnap/manifest.json` and each hot copy's
 * entry in it (also the output of `copy-db --json`). snake_case because it is a file format, not a
 * TS API. The pipeline writes it; restore and verify read it with `parseManifest`.
 */
import { UserError } from '../errors.js';

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

/** One Git repository's entry: what its capture found and did. */
export interface RepositoryEntry {
  /** The repository as configured or found (work tree or bare directory). */
  source: string;
  /** The live git directory, archived at its own path. */
  git_dir: string;
  bare: boolean;
  refs: number;
  /** The commit HEAD resolved to (its symbolic target on an unborn branch), or null. */
  head: string | null;
  objects_linked: number;
  /** hardlink (no copying, no space), reflink, or copy (staging_dir on another file system). */
  method: 'hardlink' | 'reflink' | 'copy';
  verified: boolean;
  attempts: number;
  capture_ms: number;
  captured_at: string;
}

/** A target whose copy failed: the archive was stored without it. */
export interface SourceFailure {
  source: string;
  error: string;
}

/** The manifest's per-kind lists. */
export type ManifestSectionName = 'databases' | 'repositories';
export const FAILED_SECTION = { databases: 'failed_databases', repositories: 'failed_repositories' } as const;

/** The current manifest format; `parseManifest` also reads format 1 (no repositories). */
export const MANIFEST_FORMAT = 2;

/** The archive's `.hotsnap/manifest.json`: what was staged, how, and its checksums. */
export interface ArchiveManifest {
  format: 1 | 2;
  hotsnap_version: string;
  profile: string;
  hostname: string;
  archive: string;
  created: string;
  databases: ManifestEntry[];
  failed_databases: SourceFailure[];
  /** Absent before format 2. */
  repositories?: RepositoryEntry[];
  failed_repositories?: SourceFailure[];
  paths: string[];
  exclude: string[];
}

/** A manifest this hotsnap cannot read. */
export class ManifestFormatError extends UserError {}

const field = (entry: unknown, key: string): unknown =>
  entry && typeof entry === 'object' ? (entry as Record<string, unknown>)[key] : undefined;
const hasAbsoluteSource = (entry: unknown): boolean => {
  const source = field(entry, 'source');
  return typeof source === 'string' && source.startsWith('/');
};
const listOf = (value: unknown, ok: (entry: unknown) => boolean): boolean =>
  value === undefined || (Array.isArray(value) && value.every(ok));

/**
 * Given a manifest's text and its file name (for messages), returns it as the current format
 * (format 1 gains empty repository lists); throws a ManifestFormatError saying what to do.
 * Example: parseManifest('{"format":1,"databases":[]}', 'm.json').repositories → [].
 */
export function parseManifest(text: string, file: string): ArchiveManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ManifestFormatError(`cannot read the archive's manifest ${file}: ${(error as Error).message}`);
  }
  const format = field(data, 'format');
  const databases = field(data, 'databases');
  const ok =
    (format === 1 || format === MANIFEST_FORMAT) &&
    Array.isArray(databases) &&
    databases.every((entry) => hasAbsoluteSource(entry) && typeof field(entry, 'sha256') === 'string') &&
    listOf(field(data, 'failed_databases'), hasAbsoluteSource) &&
    listOf(
      field(data, 'repositories'),
      (entry) => hasAbsoluteSource(entry) && String(field(entry, 'git_dir')).startsWith('/'),
    ) &&
    listOf(field(data, 'failed_repositories'), hasAbsoluteSource);
  if (!ok) {
    throw new ManifestFormatError(
      `${file} is not a hotsnap manifest of format 1 or ${MANIFEST_FORMAT} (made by a newer hotsnap? upgrade hotsnap to check this archive)`,
    );
  }
  const manifest = data as Partial<ArchiveManifest>;
  return {
    ...manifest,
    failed_databases: manifest.failed_databases ?? [],
    repositories: manifest.repositories ?? [],
    failed_repositories: manifest.failed_repositories ?? [],
    paths: manifest.paths ?? [],
  } as ArchiveManifest;
}
