/**
 * A one-line progress bar on stderr for long copies. Drawn only when the stream is a terminal
 * (cron mail and log files never see carriage returns) and only once the work has run longer
 * than a second (short copies stay silent). stdout is for results, so it never goes there.
 */

/** What the engine reports to; the no-op version is the default. */
export interface ProgressReporter {
  /** Names the current step, e.g. "copying", "checking". */
  phase(label: string): void;
  /** Work done so far out of total (bytes, or pages for the backup API). */
  update(done: number, total: number): void;
  /** Clears the line if one was drawn. Safe to call twice. */
  stop(): void;
}

/** The reporter that draws nothing (not a terminal, or progress not asked for). */
export const noProgress: ProgressReporter = { phase() {}, update() {}, stop() {} };

/** The part of a stream the bar needs (process.stderr, or a fake in tests). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** What to draw, where, and with which clock. */
export interface ProgressOptions {
  /** Shown first, e.g. the database's file name. */
  label: string;
  unit: 'bytes' | 'pages';
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds clock; default performance.now (tests pass a fake). */
  now?: () => number;
  /** Stay silent until the work has run this long (default 1000 ms). */
  delayMs?: number;
  /** Draws the line instead of renderProgressLine (tarsnap's upload: an estimated total, an ETA). */
  render?: (phase: string, done: number, total: number, elapsedMs: number) => string;
}

const REDRAW_MS = 100;
const BAR_WIDTH = 20;

function formatAmount(value: number, unit: ProgressOptions['unit']): string {
  return unit === 'bytes' ? `${(value / 1e6).toFixed(value < 1e7 ? 1 : 0)} MB` : `${value} pages`;
}

/**
 * Given what to show, returns the line (no newline). Example:
 * renderProgressLine('ghost.db', 'copying', 50e6, 100e6, 'bytes', 2000, 80) →
 * "ghost.db copying [##########..........]  50% 50 MB/100 MB 25 MB/s".
 */
export function renderProgressLine(
  label: string,
  phase: string,
  done: number,
  total: number,
  unit: ProgressOptions['unit'],
  elapsedMs: number,
  columns = 80,
): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = unit === 'bytes' && elapsedMs > 0 ? ` ${(done / 1e6 / (elapsedMs / 1000)).toFixed(0)} MB/s` : '';
  return fitToColumns(
    `${label} ${phase} ${bar} ${percent} ${formatAmount(done, unit)}/${formatAmount(total, unit)}${rate}`,
    columns,
  );
}

/** A line as long as the terminal wraps it onto a second one, which `\r` cannot redraw: cut it. */
function fitToColumns(line: string, columns: number): string {
  return line.length >= columns ? line.slice(0, Math.max(0, columns - 1)) : line;
}

/**
 * Given options, returns a reporter that draws on a TTY after delayMs;
 * e.g. createProgress({label:'ghost.db', unit:'bytes'}).
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const delayMs = options.delayMs ?? 1000;
  if (!stream.isTTY) return noProgress;
  const started = now();
  let phase = 'copying';
  let lastDraw = Number.NEGATIVE_INFINITY;
  let drawn = false;
  let done = 0;
  let total = 0;
  let stopped = false;

  const draw = (force: boolean): void => {
    const time = now();
    if (stopped || time - started < delayMs) return;
    if (!force && time - lastDraw < REDRAW_MS) return;
    lastDraw = time;
    drawn = true;
    const columns = stream.columns ?? 80;
    const line = options.render
      ? fitToColumns(options.render(phase, done, total, time - started), columns)
      : renderProgressLine(options.label, phase, done, total, options.unit, time - started, columns);
    stream.write(`\r\x1b[K${line}`);
  };

  return {
    phase(label) {
      phase = label;
      draw(true);
    },
    update(doneNow, totalNow) {
      done = doneNow;
      total = totalNow;
      draw(false);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
