/**
 * `hotsnap copy-db SOURCE DEST`: one hot copy, outside any profile and without a config file —
 * for a manual backup before an upgrade, or to check what a run would stage. The copy is
 * durable (written back in paced chunks at the end), never overwrites DEST without --force, and never ends up
 * beside a stale `-wal` that SQLite would replay into it. Like `cp -p` it keeps SOURCE's owner
 * (as root), group and mode, so moving it back gives the application a file it can open.
 */
import { existsSync, realpathSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { hotCopy, type HotCopyMethodOption, type HotCopyOptions } from '../adapters/sqlite/hot-copy.js';
import type { ManifestEntry, VerifyLevel } from '../core/manifest.js';
import { accountName } from '../adapters/accounts.js';
import { formatBytes } from '../core/summary.js';
import { formatTimeSpan, parseTimeSpan } from '../core/timespan.js';
import { ExitCode, UsageError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { CommandResult } from './result.js';

/** The options as commander hands them over (strings for the time spans). */
export interface CopyDbOptions {
  source: string;
  dest: string;
  /** Replace DEST (and remove a stale DEST-wal/-shm/-journal). */
  force?: boolean;
  verify?: string;
  method?: string;
  /** e.g. "10s"; a bare number is seconds. */
  busyTimeout?: string;
  /** e.g. "30m". */
  copyTimeout?: string;
  /** Print the manifest entry as JSON instead of the summary. */
  json?: boolean;
  /** false with --no-progress; the bar only ever shows on a terminal. */
  progress?: boolean;
}

/** Collaborators of copy-db (the logger from the CLI context; the engine, swappable in tests). */
export interface CopyDbDeps {
  logger: Logger;
  hotCopy: (source: string, dest: string, options: HotCopyOptions) => Promise<ManifestEntry>;
}

/** copy-db's result: exit code and stdout for cli.ts, plus the destination and manifest entry. */
export interface CopyDbResult extends CommandResult {
  /** Where the copy went (DEST, or DEST/<name> when DEST is a directory). */
  dest: string;
  entry: ManifestEntry;
}

const VERIFY_LEVELS: readonly VerifyLevel[] = ['quick', 'full', 'none'];
const METHODS: readonly HotCopyMethodOption[] = ['auto', 'fast', 'backup-api'];
const SIDECARS = ['-wal', '-shm', '-journal'] as const;

function parseChoice<T extends string>(flag: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')}, not "${value}"`);
}

function parseSpan(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    const ms = parseTimeSpan(value);
    if (ms <= 0) throw new Error('must be more than zero');
    return ms;
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** Given SOURCE and DEST as typed, returns the destination file: DEST itself, or DEST/<source name> for a directory. */
export function resolveDestination(source: string, dest: string): string {
  const target = resolve(dest);
  try {
    if (statSync(target).isDirectory()) return join(target, basename(source));
  } catch {
    // Does not exist yet: it names the file.
  }
  return target;
}

function assertNotSource(source: string, dest: string): void {
  let same = resolve(source) === dest;
  try {
    same ||= realpathSync(source) === realpathSync(dest);
  } catch {
    // DEST does not exist yet: it cannot be the source.
  }
  if (same || SIDECARS.some((suffix) => resolve(source) + suffix === dest))
    throw new UsageError(`DEST ${dest} is the database itself (or one of its files); copy it somewhere else`);
}

/** Given the planned destination and --force, clears or refuses what is in the way. */
function prepareDestination(dest: string, force: boolean, logger: Logger): void {
  const present = [dest, ...SIDECARS.map((suffix) => dest + suffix)].filter((path) => existsSync(path));
  if (present.length === 0) return;
  if (!force) {
    if (present.includes(dest)) throw new UsageError(`${dest} exists; pass --force to replace it`);
    throw new UsageError(
      `${present.join(', ')} exist${present.length === 1 ? 's' : ''} beside ${dest}: SQLite would replay a stale WAL or journal into the new copy; remove ${present.length === 1 ? 'it' : 'them'} or pass --force`,
    );
  }
  // DEST itself is replaced atomically by the rename; its sidecars belong to the old file.
  for (const path of present.filter((path) => path !== dest)) {
    rmSync(path, { force: true });
    logger.warn({ path }, 'removed a stale file beside the destination (--force)');
  }
}

/**
 * Given a finished entry and destination, returns the human summary. Example:
 * "copied /srv/ghost.db → /backup/ghost.db: 536.9 MB, wal-fast, quick_check ok in 1.2s; source held 180ms,
 * writers blocked 0ms\nowner ghost:ghost 0640\nsha256 9f86…\n".
 */
export function formatCopyDbSummary(entry: ManifestEntry, dest: string): string {
  const check =
    entry.verify === 'none'
      ? 'not checked'
      : `${entry.verify === 'full' ? 'integrity_check' : 'quick_check'} ok in ${formatTimeSpan(entry.verify_ms)}`;
  const owner =
    entry.uid === undefined || entry.gid === undefined
      ? ''
      : `owner ${accountName('user', entry.uid)}:${accountName('group', entry.gid)} ${entry.mode}\n`;
  return (
    `copied ${entry.source} → ${dest}: ${formatBytes(entry.size)}, ${entry.method}, ${check}; ` +
    `source held ${formatTimeSpan(entry.copy_ms)}, writers blocked ${formatTimeSpan(entry.writer_block_ms)}\n${owner}sha256 ${entry.sha256}\n`
  );
}

/**
 * Given the command-line options, hot-copies SOURCE to DEST durably; returns exit 0 with the
 * summary (or the manifest entry as JSON). Bad flags and an existing DEST throw UsageError (2);
 * a failed copy throws HotCopyError (1). Example: copyDb({source:'/srv/ghost.db', dest:'/backup/', json:true}).
 */
export async function copyDb(options: CopyDbOptions, deps: Partial<CopyDbDeps> = {}): Promise<CopyDbResult> {
  const logger = deps.logger ?? silentLogger;
  const verify = parseChoice('--verify', options.verify, VERIFY_LEVELS);
  const method = parseChoice('--method', options.method, METHODS);
  const busyTimeoutMs = parseSpan('--busy-timeout', options.busyTimeout);
  const copyTimeoutMs = parseSpan('--copy-timeout', options.copyTimeout);
  const dest = resolveDestination(options.source, options.dest);
  assertNotSource(options.source, dest);
  prepareDestination(dest, options.force === true, logger);

  const entry = await (deps.hotCopy ?? hotCopy)(options.source, dest, {
    method,
    verify,
    busyTimeoutMs,
    copyTimeoutMs,
    durable: true,
    overwrite: options.force === true,
    logger,
    progress: options.progress !== false,
  });
  logger.debug(
    {
      db: entry.source,
      dest,
      method: entry.method,
      bytes: entry.size,
      copy_ms: entry.copy_ms,
      writer_block_ms: entry.writer_block_ms,
    },
    'copied database',
  );
  const stdout = options.json ? `${JSON.stringify(entry, null, 2)}\n` : formatCopyDbSummary(entry, dest);
  return { exitCode: ExitCode.ok, stdout, dest, entry };
}
