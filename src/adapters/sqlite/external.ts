/**
 * The only way hotsnap touches a live database's files besides SQLite itself: external `cp` and
 * `cmp` processes. Opening and closing the database, `-wal` or `-shm` with `fs` in the process
 * that holds the SQLite connection drops that process's POSIX locks (fcntl locks belong to the
 * process and inode, and any close() releases them all), so another process could then write
 * under our pin. A child process has its own locks to drop.
 */
import { execa, type ResultPromise } from 'execa';
import { onInterrupt } from '../cleanup.js';

/** Cancellation and time limit for one external tool run. */
export interface ExternalRunOptions {
  signal?: AbortSignal;
  /** Kill the tool after this long (what is left of copy_timeout). */
  timeoutMs: number;
}

/** The external tools the fast paths need; tests swap in slower or interleaved versions. */
export interface ExternalTools {
  /** Copies source to dest (dest must not be open anywhere): `cp --reflink=auto`. */
  copyFile(source: string, dest: string, options: ExternalRunOptions): Promise<void>;
  /** True when the first 32 bytes (the WAL header) of both files are equal: `cmp -s -n 32`. */
  sameWalHeader(live: string, copy: string, options: ExternalRunOptions): Promise<boolean>;
}

/** Why an external tool failed; the engine turns it into a HotCopyError naming the database. */
export class ExternalToolError extends Error {
  readonly kind: 'missing' | 'timeout' | 'aborted' | 'failed';
  constructor(kind: ExternalToolError['kind'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExternalToolError';
    this.kind = kind;
  }
}

/**
 * Given a running subprocess, awaits it; on SIGINT/SIGTERM/SIGHUP it is killed first, so it
 * cannot recreate a temp file after the cleanup step removed it.
 */
async function awaitKillable<T>(subprocess: ResultPromise & Promise<T>): Promise<T> {
  const unregister = onInterrupt(() => subprocess.kill('SIGKILL'));
  try {
    return await subprocess;
  } finally {
    unregister();
  }
}

function toToolError(tool: string, error: unknown): ExternalToolError {
  const failure = error as {
    code?: string;
    timedOut?: boolean;
    isCanceled?: boolean;
    stderr?: unknown;
    shortMessage?: string;
  };
  if (failure.code === 'ENOENT') {
    return new ExternalToolError(
      'missing',
      `${tool} is not installed (needed for the fast copy; install coreutils/diffutils or set hot_copy.method: backup-api)`,
      { cause: error },
    );
  }
  if (failure.timedOut) return new ExternalToolError('timeout', `${tool} did not finish in time`, { cause: error });
  if (failure.isCanceled) return new ExternalToolError('aborted', `${tool} was cancelled`, { cause: error });
  const stderr = typeof failure.stderr === 'string' ? failure.stderr.trim() : '';
  return new ExternalToolError('failed', stderr || failure.shortMessage || String(error), { cause: error });
}

/** Given source and dest paths, copies with `cp --reflink=auto` (O(1) on btrfs/XFS, copy_file_range on ext4). */
async function copyFile(source: string, dest: string, options: ExternalRunOptions): Promise<void> {
  try {
    await awaitKillable(
      execa('cp', ['--reflink=auto', '--', source, dest], {
        cancelSignal: options.signal,
        timeout: Math.max(1, options.timeoutMs),
        stdin: 'ignore',
        stdout: 'ignore',
      }),
    );
  } catch (error) {
    throw toToolError('cp', error);
  }
}

/** Given two WAL paths, resolves true when their 32-byte headers are equal (cmp exit 0), false when they differ (1). */
async function sameWalHeader(live: string, copy: string, options: ExternalRunOptions): Promise<boolean> {
  let result;
  try {
    result = await awaitKillable(
      execa('cmp', ['-s', '-n', '32', '--', live, copy], {
        cancelSignal: options.signal,
        timeout: Math.max(1, options.timeoutMs),
        reject: false,
        stdin: 'ignore',
      }),
    );
  } catch (error) {
    throw toToolError('cmp', error);
  }
  if (result.failed && result.exitCode === undefined) throw toToolError('cmp', result);
  if (result.exitCode === 0) return true;
  if (result.exitCode === 1) return false;
  // 2 = trouble (a file vanished or is unreadable): never guess which WAL generation we copied.
  throw new ExternalToolError(
    'failed',
    `cmp could not compare the WAL headers (exit ${result.exitCode}): ${String(result.stderr).trim()}`,
  );
}

/** The real tools: `cp` and `cmp` run through execa, argv as data, never a shell. */
export const externalTools: ExternalTools = { copyFile, sameWalHeader };
