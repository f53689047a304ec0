/**
 * What every copy method gets from the engine (hot-copy.ts): paths, the deadline, the tools and
 * the test seams — and what each returns.
 */
import { performance } from 'node:perf_hooks';
import { formatTimeSpan } from '../../core/timespan.js';
import type { Logger } from '../../log.js';
import { HotCopyError } from './errors.js';
import type { ExternalTools } from './external.js';
import type { CopyMethod } from '../../core/manifest.js';
import type { PinnedSnapshot } from './snapshot.js';

/** Test seams: awaited at fixed points while the source is pinned or locked. */
export interface HotCopyHooks {
  /** Right after the pin (WAL) or lock (rollback) is taken, before any byte is copied. */
  afterPin?: () => Promise<void> | void;
  /** wal-fast and rollback-cp: after the main file's cp, before the `-wal` cp (WAL) or the COMMIT (rollback). */
  afterMainCopy?: () => Promise<void> | void;
  /** After the source is released, before the copy is opened, folded and checked. */
  afterCopy?: () => Promise<void> | void;
}

/** Everything a copy method needs from the engine for one copy. */
export interface CopyContext {
  /** The database as configured (absolute): what messages and the manifest name. */
  source: string;
  /**
   * Its real path, symlinks resolved: what is opened and copied. SQLite resolves symlinks and
   * keeps `-wal` beside the real file, so `${source}-wal` via a symlink would be the wrong file.
   */
  realPath: string;
  /** The copy's path inside the private temp directory. */
  tmpFile: string;
  journalMode: string;
  busyTimeoutMs: number;
  copyTimeoutMs: number;
  /** performance.now() value after which the copy is abandoned. */
  deadline: number;
  signal?: AbortSignal;
  tools: ExternalTools;
  logger: Logger;
  hooks: HotCopyHooks;
  now: () => Date;
  /** TEST ONLY: skip the WAL header check, to show the race it closes. Never set in production. */
  unsafeSkipWalHeaderCheck: boolean;
  /** Reports bytes or pages done; optional. */
  onProgress?: (done: number, total: number) => void;
}

/** What a copy method reports: which method, how long it held the source, whom it blocked. */
export interface CopyPhaseResult {
  method: CopyMethod;
  /** Pin or lock held → released. */
  copyMs: number;
  writerBlockMs: number;
  /** When the snapshot was taken. */
  copiedAt: Date;
  /** What hotsnap's connection saw while pinned, to compare the finished copy with. */
  snapshot: PinnedSnapshot;
  /** The copy must be exactly that snapshot (false: wal-fast kept the -wal, which also holds later commits). */
  exact: boolean;
}

/** A lock or pin on the source could not be taken; the engine explains it after closing connections. */
export class SourceLockError extends Error {
  readonly phase: 'pin' | 'write-lock' | 'shared-lock';
  constructor(phase: SourceLockError['phase'], cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'SourceLockError';
    this.phase = phase;
  }
}

/** Given the context, returns the ms left before copy_timeout; throws HotCopyError('timeout'|'aborted') when none. */
export function timeLeft(context: CopyContext, doing: string): number {
  if (context.signal?.aborted) throw abortedError(context);
  const left = context.deadline - performance.now();
  if (left <= 0) throw timeoutError(context, doing);
  return left;
}

/** Given the context and what was under way, returns the copy_timeout error. */
export function timeoutError(context: Pick<CopyContext, 'source' | 'copyTimeoutMs'>, doing: string): HotCopyError {
  return new HotCopyError(
    context.source,
    'timeout',
    `the copy did not finish within hot_copy.copy_timeout (${formatTimeSpan(context.copyTimeoutMs)}) while ${doing}; it was abandoned and nothing was left behind. Raise copy_timeout for a database this large, or look for a slow or failing disk`,
  );
}

/** Given the context, returns the error for a copy stopped by the caller's AbortSignal. */
export function abortedError(context: Pick<CopyContext, 'source'>): HotCopyError {
  return new HotCopyError(context.source, 'aborted', 'the copy was cancelled; nothing was left behind');
}
