/**
 * The hot-copy engine: one live SQLite database → one verified, self-contained file, without
 * ever writing to the source or making a WAL writer wait.
 *
 *   preflight (stat, destination, free space) → private temp dir beside dest
 *   → read-only connection, journal mode → copy (wal-fast | rollback-cp | backup-api)
 *   → close the source → open the copy: recover, checkpoint, check, close
 *   → chmod 0600 → SHA-256 → (durable: fsync) → rename/link into place → (durable: fsync dir)
 *
 * Every failure and SIGINT/SIGTERM/SIGHUP removes the temp dir; DEST appears only complete.
 */
import type Database from 'better-sqlite3';
import { chmodSync, closeSync, fsyncSync, linkSync, mkdtempSync, openSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatTimeSpan } from '../../core/timespan.js';
import { silentLogger, type Logger } from '../../log.js';
import { onInterrupt } from '../cleanup.js';
import { createProgress, noProgress, type ProgressReporter } from '../progress.js';
import { copyWithBackupApi } from './backup-api.js';
import { SourceLockError, abortedError, timeoutError, type CopyContext, type CopyPhaseResult, type HotCopyHooks } from './copy-context.js';
import { HotCopyError, currentUserName, sqliteCode } from './errors.js';
import { ExternalToolError, externalTools, type ExternalTools } from './external.js';
import { sha256File, type ManifestEntry, type VerifyLevel } from './manifest.js';
import { copyRollback } from './rollback.js';
import { explainSourceError, openSource } from './source.js';
import { freeBytes, requiredBytes, type FreeSpaceProbe } from './space.js';
import { finishCopy } from './verify.js';
import { copyWalFast } from './wal-fast.js';

export type HotCopyMethodOption = 'auto' | 'fast' | 'backup-api';

export interface HotCopyOptions {
  /** auto (default): WAL → wal-fast, rollback → rollback-cp, backup-api if cp/cmp are missing. fast: the same without the fallback. */
  method?: HotCopyMethodOption;
  /** quick (default) = quick_check, full = integrity_check. */
  verify?: VerifyLevel;
  /** How long to wait for the application's locks (default 10 s). */
  busyTimeoutMs?: number;
  /** Hard limit for the whole copy (default 30 min). Enforced during cp and backup steps, checked between steps. */
  copyTimeoutMs?: number;
  /** fsync the copy and its directory once at the end (copy-db); staging copies skip it. */
  durable?: boolean;
  /** Replace an existing dest (default true); false fails if dest appeared meanwhile. */
  overwrite?: boolean;
  logger?: Logger;
  /** Draw a progress bar on stderr when it is a terminal and the copy runs over ~1 s. */
  progress?: boolean;
  signal?: AbortSignal;
}

export interface HotCopyDeps {
  tools: ExternalTools;
  freeSpace: FreeSpaceProbe;
  now: () => Date;
  hooks: HotCopyHooks;
  /** TEST ONLY: skip the WAL header check to demonstrate the race it closes. */
  unsafeSkipWalHeaderCheck: boolean;
  createProgress: (label: string, unit: 'bytes' | 'pages') => ProgressReporter;
}

export const defaultHotCopyDeps: HotCopyDeps = {
  tools: externalTools,
  freeSpace: freeBytes,
  now: () => new Date(),
  hooks: {},
  unsafeSkipWalHeaderCheck: false,
  createProgress: (label, unit) => createProgress({ label, unit }),
};

export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
export const DEFAULT_COPY_TIMEOUT_MS = 30 * 60_000;

const MB = 1024 * 1024;

function statOrThrow(source: string): Stats {
  try {
    return statSync(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new HotCopyError(source, 'missing', 'does not exist; check the path in the sqlite: list (has the application created its database yet?)', { cause: error });
    if (code === 'EACCES') throw new HotCopyError(source, 'permission', `user ${currentUserName()} cannot reach it (a parent directory is not searchable); run hotsnap as the application's user or root`, { cause: error });
    throw error;
  }
}

function preflightDestination(source: string, destDir: string): void {
  try {
    if (!statSync(destDir).isDirectory()) throw new HotCopyError(source, 'dest-dir', `the destination ${destDir} is not a directory; fix the destination path`);
  } catch (error) {
    if (error instanceof HotCopyError) throw error;
    throw new HotCopyError(source, 'dest-dir', `the destination directory ${destDir} does not exist; create it (mkdir -p ${destDir}) or fix the path`, { cause: error });
  }
}

async function preflightSpace(source: string, realPath: string, destDir: string, databaseBytes: number, freeSpace: FreeSpaceProbe): Promise<void> {
  let walBytes = 0;
  try {
    walBytes = statSync(`${realPath}-wal`).size;
  } catch {
    // No WAL file: rollback mode, or a WAL database whose last connection closed cleanly.
  }
  const needed = requiredBytes(databaseBytes, walBytes);
  const available = await freeSpace(destDir);
  if (available < needed) {
    throw new HotCopyError(
      source,
      'space',
      `not enough free space in ${destDir}: the copy needs about ${(needed / MB).toFixed(0)} MiB (database ${(databaseBytes / MB).toFixed(1)} MiB + WAL ${(walBytes / MB).toFixed(1)} MiB + margin), only ${(available / MB).toFixed(0)} MiB are available; free some space or copy to a larger file system`,
    );
  }
}

function makeTempDir(source: string, destDir: string, name: string): string {
  try {
    // A private directory rather than a temp file: SQLite's -wal/-shm for the copy land in it
    // too, and a cp racing our signal cleanup cannot create a file in a removed directory.
    return mkdtempSync(join(destDir, `.${name}.hotsnap-`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new HotCopyError(source, 'permission', `user ${currentUserName()} cannot create files in ${destDir} (${code}); choose a writable destination or run as its owner`, { cause: error });
    }
    throw new HotCopyError(source, 'copy-failed', `cannot create a temporary directory in ${destDir}: ${(error as Error).message}`, { cause: error });
  }
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function toHotCopyError(error: unknown, context: CopyContext): unknown {
  if (error instanceof HotCopyError) return error;
  if (error instanceof SourceLockError) return explainSourceError(context.source, error.cause, context.busyTimeoutMs, error.phase, context.realPath);
  if (error instanceof ExternalToolError) {
    if (error.kind === 'timeout') return timeoutError(context, 'copying files');
    if (error.kind === 'aborted') return abortedError(context);
    if (error.kind === 'missing') return new HotCopyError(context.source, 'tool-missing', error.message, { cause: error });
    return new HotCopyError(context.source, 'copy-failed', `copying failed: ${error.message}`, { cause: error });
  }
  if (sqliteCode(error)) return explainSourceError(context.source, error, context.busyTimeoutMs, 'open', context.realPath);
  return error;
}

/** Given a copy phase that failed because cp/cmp are missing, removes what it left in the temp dir. */
function clearTempFiles(tmpFile: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmpFile + suffix, { force: true });
}

async function runCopyPhase(db: Database.Database, context: CopyContext, method: HotCopyMethodOption): Promise<CopyPhaseResult> {
  if (method === 'backup-api') return copyWithBackupApi(db, context);
  try {
    return context.journalMode === 'wal' ? await copyWalFast(db, context) : await copyRollback(context);
  } catch (error) {
    if (method === 'auto' && error instanceof ExternalToolError && error.kind === 'missing') {
      context.logger.warn({ db: context.source, reason: error.message }, 'falling back to the SQLite backup API');
      clearTempFiles(context.tmpFile);
      return copyWithBackupApi(db, context);
    }
    throw error;
  }
}

/**
 * Given a live database and a destination path, makes a consistent, checked, self-contained copy
 * there and resolves to its manifest entry; throws HotCopyError saying what to do otherwise,
 * leaving nothing behind. Example:
 * `await hotCopy('/var/lib/ghost/ghost.db', '/stage/ghost.db')` → {method: 'wal-fast', sha256: '…', writer_block_ms: 0, …}.
 */
export async function hotCopy(source: string, dest: string, options: HotCopyOptions = {}, deps: Partial<HotCopyDeps> = {}): Promise<ManifestEntry> {
  const d: HotCopyDeps = { ...defaultHotCopyDeps, ...deps };
  const logger = options.logger ?? silentLogger;
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const copyTimeoutMs = options.copyTimeoutMs ?? DEFAULT_COPY_TIMEOUT_MS;
  const verify = options.verify ?? 'quick';
  const method = options.method ?? 'auto';
  const deadline = performance.now() + copyTimeoutMs;
  const sourcePath = resolve(source);
  const destPath = resolve(dest);
  const destDir = dirname(destPath);

  const stats = statOrThrow(sourcePath);
  const realPath = realpathSync(sourcePath);
  if (!stats.isFile()) throw new HotCopyError(sourcePath, 'not-a-file', 'is not a regular file; list the database file itself in sqlite:');
  if (stats.size === 0) throw new HotCopyError(sourcePath, 'empty', 'is empty (0 bytes): SQLite would treat it as a new database, so this is most likely the wrong path; check the sqlite: list');
  preflightDestination(sourcePath, destDir);
  await preflightSpace(sourcePath, realPath, destDir, stats.size, d.freeSpace);

  const tmpDir = makeTempDir(sourcePath, destDir, basename(destPath));
  const tmpFile = join(tmpDir, basename(destPath));
  // Synchronous because it runs inside a signal handler; retries cover a cp that was creating a file.
  const unregister = onInterrupt(() => rmSync(tmpDir, { recursive: true, force: true, maxRetries: 3 }));
  const progress = options.progress ? d.createProgress(basename(sourcePath), 'bytes') : noProgress;
  const context: CopyContext = {
    source: sourcePath,
    realPath,
    tmpFile,
    journalMode: 'unknown',
    busyTimeoutMs: Math.floor(Math.min(busyTimeoutMs, copyTimeoutMs)),
    copyTimeoutMs,
    deadline,
    signal: options.signal,
    tools: d.tools,
    logger,
    hooks: d.hooks,
    now: d.now,
    unsafeSkipWalHeaderCheck: d.unsafeSkipWalHeaderCheck,
  };
  try {
    let phase: CopyPhaseResult | undefined;
    let failure: unknown;
    let sourceDb: Database.Database | undefined;
    const stopWatching = watchCopySize(tmpFile, stats.size, progress);
    try {
      const opened = openSource(sourcePath, context.busyTimeoutMs, realPath);
      sourceDb = opened.db;
      context.journalMode = opened.journalMode;
      if (method === 'backup-api') {
        context.onProgress = (pages, totalPages) => progress.update(pages * stats.size / Math.max(1, totalPages), stats.size);
      }
      phase = await runCopyPhase(sourceDb, context, method);
    } catch (error) {
      failure = error;
    } finally {
      stopWatching();
      // Read-only: closing it never checkpoints or deletes the live WAL, even as the last connection.
      sourceDb?.close();
    }
    // Explained only now: explaining may read the file's header, which must not happen while a
    // connection in this process holds SQLite locks on it.
    if (failure !== undefined || phase === undefined) throw toHotCopyError(failure, context);

    if (options.signal?.aborted) throw abortedError(context);
    if (performance.now() > deadline) throw timeoutError(context, 'finishing the copy');
    progress.phase(verify === 'none' ? 'finishing' : 'checking');
    const finished = finishCopy(tmpFile, sourcePath, verify);
    chmodSync(tmpFile, 0o600);
    const sha256 = await sha256File(tmpFile);
    const size = statSync(tmpFile).size;
    if (options.signal?.aborted) throw abortedError(context);
    if (options.durable) fsyncPath(tmpFile);
    if (options.overwrite === false) {
      try {
        // link(2) fails with EEXIST instead of replacing: no race with a dest created meanwhile.
        linkSync(tmpFile, destPath);
        unlinkSync(tmpFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new HotCopyError(sourcePath, 'copy-failed', `${destPath} appeared while copying; nothing was overwritten`);
        throw error;
      }
    } else {
      renameSync(tmpFile, destPath);
    }
    if (options.durable) fsyncPath(destDir);
    const entry: ManifestEntry = {
      source: sourcePath,
      size,
      page_size: finished.pageSize,
      page_count: finished.pageCount,
      journal_mode: context.journalMode,
      sha256,
      method: phase.method,
      copy_ms: round(phase.copyMs),
      verify_ms: round(finished.verifyMs),
      writer_block_ms: round(phase.writerBlockMs),
      verify,
      copied_at: phase.copiedAt.toISOString(),
    };
    logger.debug({ db: sourcePath, method: entry.method, copy_ms: entry.copy_ms, verify_ms: entry.verify_ms, bytes: size }, 'hot copy done');
    if (entry.copy_ms > busyTimeoutMs / 2 && entry.writer_block_ms > 0) {
      logger.warn({ db: sourcePath, writer_block_ms: entry.writer_block_ms }, `writers waited ${formatTimeSpan(entry.writer_block_ms)} for this copy; the application's busy_timeout must be longer than that`);
    }
    return entry;
  } finally {
    progress.stop();
    rmSync(tmpDir, { recursive: true, force: true, maxRetries: 3 });
    unregister();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Given the copy path and expected size, polls its size into the progress bar; returns the stop function. */
function watchCopySize(tmpFile: string, expected: number, progress: ProgressReporter): () => void {
  if (progress === noProgress) return () => {};
  const timer = setInterval(() => {
    try {
      progress.update(statSync(tmpFile).size, expected);
    } catch {
      // Not created yet.
    }
  }, 200);
  timer.unref();
  return () => clearInterval(timer);
}
