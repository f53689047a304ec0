/**
 * The hot-copy engine: one live SQLite database → one verified, self-contained file, without
 * ever writing to the source or making a WAL writer wait.
 *
 *   preflight (stat, destination, free space) → private temp dir beside dest
 *   → read-only connection, journal mode → copy (wal-fast | rollback-cp | backup-api)
 *   → close the source → open the copy: recover, checkpoint, compare with the pinned snapshot, check, close
 *   → the source's owner, group and mode → SHA-256 → (durable: write back in paced chunks, write-back.ts)
 *   → rename/link into place → (durable: fsync dir)
 *
 * Every failure and SIGINT/SIGTERM/SIGHUP removes the temp dir; DEST appears only complete.
 */
import type Database from 'better-sqlite3';
import { rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatTimeSpan } from '../../core/timespan.js';
import { now } from '../../clock.js';
import { silentLogger, type Logger } from '../../log.js';
import { onInterrupt } from '../cleanup.js';
import { createProgress, noProgress, type ProgressReporter } from '../progress.js';
import { copyWithBackupApi } from './backup-api.js';
import {
  SourceLockError,
  abortedError,
  timeoutError,
  type CopyContext,
  type CopyPhaseResult,
  type HotCopyHooks,
} from './copy-context.js';
import { formatMode } from '../accounts.js';
import { HotCopyError, sqliteCode } from './errors.js';
import { ExternalToolError, externalTools, type ExternalTools } from './external.js';
import type { ManifestEntry, VerifyLevel } from '../../core/manifest.js';
import { checkDestinationDir, checkFreeSpace, checkSource, makeCopyDir, sweepStaleCopyDirs } from './preflight.js';
import { publishCopy } from './publish.js';
import { copyRollback } from './rollback.js';
import { explainSourceError, openSource } from './source.js';
import { explainDiskFull, freeBytes, type FreeSpaceProbe } from './space.js';
import { finishCopy } from './verify.js';
import { copyWalFast } from './wal-fast.js';
import { DEFAULT_WRITE_BACK, type WriteBackOptions } from './write-back.js';

/** The method asked for (hot_copy.method / --method); the manifest records the one used. */
export type HotCopyMethodOption = 'auto' | 'fast' | 'backup-api';

/** Options of one hot copy; every field has a default. */
export interface HotCopyOptions {
  /**
   * auto (default): WAL → wal-fast, rollback → rollback-cp, backup-api if cp/cmp are missing.
   * fast: the same without the fallback.
   */
  method?: HotCopyMethodOption;
  /** quick (default) = quick_check, full = integrity_check. */
  verify?: VerifyLevel;
  /** How long to wait for the application's locks (default 10 s). */
  busyTimeoutMs?: number;
  /** Hard limit for the whole copy (default 30 min). Enforced during cp and backup steps, checked between steps. */
  copyTimeoutMs?: number;
  /** Write the copy back to the disk in paced chunks and fsync its directory (copy-db); staging copies skip it. */
  durable?: boolean;
  /** Replace an existing dest (default true); false fails if dest appeared meanwhile. */
  overwrite?: boolean;
  logger?: Logger;
  /** Draw a progress bar on stderr when it is a terminal and the copy runs over ~1 s. */
  progress?: boolean;
  signal?: AbortSignal;
}

/** Collaborators, swappable in tests (the defaults are the real ones). */
export interface HotCopyDeps {
  tools: ExternalTools;
  freeSpace: FreeSpaceProbe;
  now: () => Date;
  hooks: HotCopyHooks;
  /** TEST ONLY: skip the WAL header check to demonstrate the race it closes. */
  unsafeSkipWalHeaderCheck: boolean;
  createProgress: (label: string, unit: 'bytes' | 'pages') => ProgressReporter;
  /** How a durable copy reaches the disk; chunkBytes 0 = one fsync (the bench's "before"). */
  writeBack: WriteBackOptions;
}

/** The real collaborators: cp/cmp, statfs, the clock, no hooks. */
export const defaultHotCopyDeps: HotCopyDeps = {
  tools: externalTools,
  freeSpace: freeBytes,
  now,
  hooks: {},
  unsafeSkipWalHeaderCheck: false,
  createProgress: (label, unit) => createProgress({ label, unit }),
  writeBack: DEFAULT_WRITE_BACK,
};

/** busy_timeout when none is configured: 10 s (better-sqlite3's own default is 5 s; set explicitly). */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
/** copy_timeout when none is configured: 30 min. */
export const DEFAULT_COPY_TIMEOUT_MS = 30 * 60_000;
/** Writer stalls from this long on are worth a warning: many applications' busy timeouts are a few seconds or less. */
const WRITER_BLOCK_WARN_MS = 1000;

function toHotCopyError(error: unknown, context: CopyContext): unknown {
  if (error instanceof HotCopyError) return error;
  if (error instanceof SourceLockError)
    return explainSourceError(context.source, error.cause, context.busyTimeoutMs, error.phase, context.realPath);
  if (error instanceof ExternalToolError) {
    if (error.kind === 'timeout') return timeoutError(context, 'copying files');
    if (error.kind === 'aborted') return abortedError(context);
    if (error.kind === 'missing')
      return new HotCopyError(context.source, 'tool-missing', error.message, { cause: error });
    return new HotCopyError(context.source, 'copy-failed', `copying failed: ${error.message}`, { cause: error });
  }
  if (sqliteCode(error))
    return explainSourceError(context.source, error, context.busyTimeoutMs, 'open', context.realPath);
  return error;
}

/** Given a copy phase that failed because cp/cmp are missing, removes what it left in the temp dir. */
function clearTempFiles(tmpFile: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(tmpFile + suffix, { force: true });
}

async function runCopyPhase(
  db: Database.Database,
  context: CopyContext,
  method: HotCopyMethodOption,
): Promise<CopyPhaseResult> {
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
 * `await hotCopy('/var/lib/ghost/ghost.db', '/stage/ghost.db')` →
 * {method: 'wal-fast', sha256: '…', writer_block_ms: 0, …}.
 */
export async function hotCopy(
  source: string,
  dest: string,
  options: HotCopyOptions = {},
  deps: Partial<HotCopyDeps> = {},
): Promise<ManifestEntry> {
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

  const { stats, realPath } = checkSource(sourcePath);
  checkDestinationDir(sourcePath, destDir);
  await checkFreeSpace(sourcePath, realPath, destDir, stats.size, d.freeSpace);

  // Registered BEFORE the directory exists: until a process installs its first signal handler,
  // SIGTERM kills it outright, and a kill between mkdtemp and the registration would leave the
  // directory behind. Synchronous because it runs inside a signal handler; the retries cover a
  // cp that was creating a file in it.
  let tmpDir: string | undefined;
  const unregister = onInterrupt(() => {
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true, maxRetries: 3 });
  });
  for (const stale of sweepStaleCopyDirs(destDir, basename(destPath), 2 * copyTimeoutMs)) {
    logger.warn({ dir: stale }, 'removed a temporary copy left by a hot copy that was killed');
  }
  try {
    tmpDir = makeCopyDir(sourcePath, destDir, basename(destPath));
  } catch (error) {
    unregister();
    throw await explainDiskFull(error, sourcePath, destDir, 'creating its temporary directory', d.freeSpace);
  }
  const tmpFile = join(tmpDir, basename(destPath));
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
  // What was under way, for a full disk's message.
  let doing = 'copying the database';
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
        context.onProgress = (pages, totalPages) =>
          progress.update((pages * stats.size) / Math.max(1, totalPages), stats.size);
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
    await d.hooks.afterCopy?.();
    doing = 'checking the copy';
    progress.phase(verify === 'none' ? 'finishing' : 'checking');
    const finished = finishCopy(tmpFile, sourcePath, verify, { snapshot: phase.snapshot, exact: phase.exact });
    if (options.signal?.aborted) throw abortedError(context);
    doing = 'putting the copy in place';
    const { size, sha256, owner } = await publishCopy(sourcePath, tmpFile, destPath, {
      durable: options.durable === true,
      writeBack: d.writeBack,
      sourceDevice: stats.dev,
      overwrite: options.overwrite !== false,
      owner: { uid: stats.uid, gid: stats.gid, mode: stats.mode & 0o777 },
    });
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
      uid: owner.uid,
      gid: owner.gid,
      mode: formatMode(owner.mode),
    };
    logger.debug(
      { db: sourcePath, method: entry.method, copy_ms: entry.copy_ms, verify_ms: entry.verify_ms, bytes: size },
      'hot copy done',
    );
    if (entry.writer_block_ms >= WRITER_BLOCK_WARN_MS) {
      logger.warn(
        { db: sourcePath, writer_block_ms: entry.writer_block_ms },
        `the application's writers waited ${formatTimeSpan(entry.writer_block_ms)} for this copy (rollback journal); its busy_timeout must be longer than that, or switch it to WAL mode, where they never wait`,
      );
    }
    return entry;
  } catch (error) {
    // Probed before the temp dir goes: the space as it was when the copy failed.
    throw await explainDiskFull(error, sourcePath, destDir, doing, d.freeSpace);
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
