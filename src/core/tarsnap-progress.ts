/**
 * tarsnap's progress, parsed, and progress as people read it. `tarsnap -c --progress-bytes N`
 * prints `Processed N entries, B bytes` (B: bytes of the tar stream so far) then `adding PATH
 * (0 / S bytes)` on stderr (1.0.41 `tar/siginfo.c`; one line each without -v). `tarsnap -x -v`
 * prints `x PATH` once the member is written. Pure: the caller passes the clock's readings in.
 */
import { formatBytes } from './summary.js';

/** One stderr line of `tarsnap -c --progress-bytes`: the running total, or the entry being added. */
export type CreateProgressLine = { kind: 'processed'; entries: number; bytes: number } | { kind: 'adding' };

const PROCESSED = /^Processed (\d+) entries, (\d+) bytes$/;
const ADDING = /^adding ./;
const EXTRACTED = /^x (.+)$/;

/**
 * Given a stderr line of `tarsnap -c`, returns what it says about progress, or undefined for any other line.
 * Example: `parseCreateProgressLine('Processed 12 entries, 4096 bytes')` →
 * `{ kind: 'processed', entries: 12, bytes: 4096 }`.
 */
export function parseCreateProgressLine(line: string): CreateProgressLine | undefined {
  const processed = PROCESSED.exec(line);
  if (processed) return { kind: 'processed', entries: Number(processed[1]), bytes: Number(processed[2]) };
  return ADDING.test(line) ? { kind: 'adding' } : undefined;
}

/**
 * Given a stderr line of `tarsnap -x -v`, returns the member it extracted, or undefined.
 * Example: `parseExtractedLine('x srv/app.db')` → `'srv/app.db'`.
 */
export function parseExtractedLine(line: string): string | undefined {
  return EXTRACTED.exec(line)?.[1];
}

/** tarsnap refuses `--progress-bytes` below this (1.0.41 `tar/bsdtar.c`). */
export const MIN_PROGRESS_BYTES = 1000;
const MAX_PROGRESS_BYTES = 10_000_000;

/**
 * Given the expected total, returns the `--progress-bytes` value: a line per 1% of it, at least
 * tarsnap's 1000 and at most 10 MB. Example: `progressBytesFor(3_400_000_000)` → `10_000_000`.
 */
export function progressBytesFor(totalBytes: number): number {
  return Math.min(MAX_PROGRESS_BYTES, Math.max(MIN_PROGRESS_BYTES, Math.ceil(totalBytes / 100)));
}

/**
 * Given the wanted interval and the profile's extra_args, returns the `-c` words asking for it:
 * none when extra_args set it (tarsnap refuses a second one), at least 1000 (tarsnap refuses less).
 * Example: `progressBytesArgs(500, [])` → `['--progress-bytes', '1000']`.
 */
export function progressBytesArgs(bytes: number | undefined, extraArgs: readonly string[]): string[] {
  if (bytes === undefined || extraArgs.some((word) => /^--(?:no-)?progress-bytes(?:=|$)/.test(word))) return [];
  return ['--progress-bytes', String(Math.max(MIN_PROGRESS_BYTES, Math.round(bytes)))];
}

const TAR_BLOCK = 512;

/**
 * Given an entry's data size (0 for a directory or link), returns what it takes in the tar stream
 * tarsnap counts: a 512-byte header and the data padded to 512. Example: `tarEntryBytes(1)` → `1024`.
 */
export function tarEntryBytes(size: number): number {
  return TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
}

/** Where a tarsnap call has got to: bytes done, the expected total (an estimate) and time spent. */
export interface ProgressSnapshot {
  done: number;
  total?: number;
  elapsedMs: number;
}

/** What the snapshot works out to; each part undefined until it can be told honestly. */
export interface ProgressFigures {
  /** 0..1, capped at 0.99 while running: the total is an estimate. */
  fraction?: number;
  bytesPerSecond?: number;
  remainingMs?: number;
}

/**
 * Given a snapshot, returns its fraction, rate and time left (rate after 1 s of work, time left
 * once some bytes are done). Example: `{done: 50, total: 100, elapsedMs: 10_000}` → `{fraction: 0.5,
 * bytesPerSecond: 5, remainingMs: 10_000}`.
 */
export function progressFigures(snapshot: ProgressSnapshot): ProgressFigures {
  const { done, total, elapsedMs } = snapshot;
  const figures: ProgressFigures = {};
  if (total !== undefined && total > 0) figures.fraction = Math.min(0.99, Math.max(0, done / total));
  if (elapsedMs >= 1000) figures.bytesPerSecond = done / (elapsedMs / 1000);
  if (figures.bytesPerSecond && total !== undefined && total > done) {
    figures.remainingMs = ((total - done) / figures.bytesPerSecond) * 1000;
  }
  return figures;
}

/** Given 200_000, returns "4 min"; given 40_000, "40 s"; given 4_500_000, "1 h 15 min". */
export function formatRemaining(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

function rateText(figures: ProgressFigures): string | undefined {
  return figures.bytesPerSecond === undefined ? undefined : `${formatBytes(Math.round(figures.bytesPerSecond))}/s`;
}

/**
 * Given what is happening and a snapshot, returns the log line for a run without a terminal.
 * Example: `formatProgressLog('uploading', {done: 1.2e9, total: 3.4e9, elapsedMs: 100_000})` →
 * "uploading: 1.2 GB of about 3.4 GB (35%), 12.0 MB/s, about 3 min left".
 */
export function formatProgressLog(verb: string, snapshot: ProgressSnapshot): string {
  const figures = progressFigures(snapshot);
  const parts = [
    snapshot.total === undefined || figures.fraction === undefined
      ? `${verb}: ${formatBytes(snapshot.done)}`
      : `${verb}: ${formatBytes(snapshot.done)} of about ${formatBytes(snapshot.total)} (${Math.floor(figures.fraction * 100)}%)`,
    rateText(figures),
    figures.remainingMs === undefined ? undefined : `about ${formatRemaining(figures.remainingMs)} left`,
  ];
  return parts.filter((part) => part !== undefined).join(', ');
}

const BAR_WIDTH = 20;

/**
 * Given what is happening and a snapshot, returns the terminal line (no newline); e.g.
 * "uploading [#######.............]  35% 1.2 GB of about 3.4 GB, 12.0 MB/s, about 3 min left".
 */
export function formatProgressBar(verb: string, snapshot: ProgressSnapshot): string {
  const figures = progressFigures(snapshot);
  if (figures.fraction === undefined || snapshot.total === undefined) return formatProgressLog(verb, snapshot);
  const filled = Math.round(figures.fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(figures.fraction * 100)}%`.padStart(4);
  const rate = rateText(figures);
  const left = figures.remainingMs === undefined ? undefined : `about ${formatRemaining(figures.remainingMs)} left`;
  const amounts = `${formatBytes(snapshot.done)} of about ${formatBytes(snapshot.total)}`;
  return [`${verb} ${bar} ${percent} ${amounts}`, rate, left].filter((part) => part !== undefined).join(', ');
}

/**
 * Given the seconds left and the attempt, returns the terminal line of a network retry's countdown.
 * Example: `formatRetryCountdown(4000, 1, 1)` → "cannot reach the tarsnap server; retrying in 4 s… (attempt 1 of 1)".
 */
export function formatRetryCountdown(leftMs: number, attempt: number, of: number): string {
  return `cannot reach the tarsnap server; retrying in ${Math.ceil(leftMs / 1000)} s… (attempt ${attempt} of ${of})`;
}

/** What a `tarsnap -c` argv walks: its -C directory, its operands and its exclude patterns. */
export interface CreateWalk {
  directory: string;
  operands: string[];
  excludes: string[];
}

/**
 * Given a `-c` argv as buildCreateArgs makes it (options, `-f NAME -C DIR`, operands), returns what it walks.
 * Example: `describeCreateWalk(['-c', '--exclude', '*.tmp', '-f', 'n', '-C', '/S', 'db', '/etc'])` →
 * `{ directory: '/S', operands: ['db', '/etc'], excludes: ['*.tmp'] }`.
 */
export function describeCreateWalk(argv: readonly string[]): CreateWalk {
  const walk: CreateWalk = { directory: '/', operands: [], excludes: [] };
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index]!;
    if (word === '--exclude') walk.excludes.push(argv[++index] ?? '');
    else if (word.startsWith('--exclude=')) walk.excludes.push(word.slice('--exclude='.length));
    else if (word === '-C') {
      walk.directory = argv[index + 1] ?? '/';
      walk.operands = argv.slice(index + 2).map((operand) => operand.replace(/^\.\//, ''));
      break;
    }
  }
  return walk;
}
