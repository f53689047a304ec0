/**
 * The progress of a long tarsnap call (an upload, a restore), read from its stderr lines: one
 * redrawn line on a terminal, else an info log line every few minutes, as cron mail and log files
 * want (no carriage returns, no flood). Lines come as tarsnap makes progress, so no timer runs.
 *
 * TEST ONLY: HOTSNAP_TEST_PROGRESS_LOG_MS sets the log interval (default 3 minutes) for the
 * end-to-end tests and the README's recording; it is not a user setting and is not in --help.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  formatProgressBar,
  formatProgressLog,
  parseCreateProgressLine,
  parseExtractedLine,
  tarEntryBytes,
} from '../core/tarsnap-progress.js';
import type { Logger } from '../log.js';
import { createProgress, type ProgressStream } from './progress.js';

/** What the runner feeds a call's stderr lines to. */
export interface TarsnapProgress {
  /** Takes one stderr line; true when it was progress (the runner then logs it as debug only). */
  line(line: string): boolean;
  /** Clears the terminal line if one was drawn. Safe to call twice. */
  stop(): void;
}

/** How to show it. */
export interface TarsnapProgressOptions {
  /** What is happening, first on the line: "uploading" (default), "reading" (a dry run), "restoring". */
  verb?: string;
  /** The expected total in tar bytes (an estimate: shown as "about"); undefined when unknown. */
  total?: number;
  /** Draw one line on the stream when it is a terminal; else (or when the stream is none) log every logEveryMs. */
  terminal: boolean;
  logger: Logger;
  /** Default process.stderr. */
  stream?: ProgressStream;
  /** Milliseconds clock; default performance.now (tests pass a fake). */
  now?: () => number;
  /** Default HOTSNAP_TEST_PROGRESS_LOG_MS, else 3 minutes. */
  logEveryMs?: number;
}

/** How often a run without a terminal logs its progress. */
export const PROGRESS_LOG_EVERY_MS = 3 * 60_000;

function defaultLogEvery(): number {
  const test = Number(process.env.HOTSNAP_TEST_PROGRESS_LOG_MS);
  return process.env.HOTSNAP_TEST_PROGRESS_LOG_MS && Number.isFinite(test) ? test : PROGRESS_LOG_EVERY_MS;
}

/** Given what is happening, returns where to report bytes done: a bar on a terminal, else the log. */
function createMeter(verb: string, options: TarsnapProgressOptions): { update(done: number): void; stop(): void } {
  const now = options.now ?? (() => performance.now());
  const stream = options.stream ?? process.stderr;
  if (options.terminal && stream.isTTY) {
    const bar = createProgress({
      label: verb,
      unit: 'bytes',
      stream,
      now,
      render: (_phase, done, _total, elapsedMs) => formatProgressBar(verb, { done, total: options.total, elapsedMs }),
    });
    return { update: (done) => bar.update(done, options.total ?? 0), stop: () => bar.stop() };
  }
  const started = now();
  const every = options.logEveryMs ?? defaultLogEvery();
  let lastLog = started;
  return {
    update(done) {
      const time = now();
      if (time - lastLog < every) return;
      lastLog = time;
      options.logger.info(formatProgressLog(verb, { done, total: options.total, elapsedMs: time - started }));
    },
    stop() {},
  };
}

/**
 * Given how to show it, returns the progress of a `tarsnap -c --progress-bytes` call: each
 * "Processed N entries, B bytes" line moves it to B; "adding PATH" lines are taken as detail.
 * Example: `run(createArgs, { progress: createUploadProgress({ total: 3.4e9, terminal: false, logger }) })`.
 */
export function createUploadProgress(options: TarsnapProgressOptions): TarsnapProgress {
  const meter = createMeter(options.verb ?? 'uploading', options);
  return {
    line(line) {
      const parsed = parseCreateProgressLine(line);
      if (parsed?.kind === 'processed') meter.update(parsed.bytes);
      return parsed !== undefined;
    },
    stop: () => meter.stop(),
  };
}

/**
 * Given the directory `tarsnap -x -v` extracts into and how to show it, returns its progress: each
 * "x PATH" line adds what PATH now takes in the tar stream (tarsnap prints the line's newline once
 * the member is written). A line whose PATH is not there (a member that failed) is not progress.
 * Example: `createRestoreProgress('/var/tmp/r', { total: 3.4e9, terminal: true, logger })`.
 */
export function createRestoreProgress(target: string, options: TarsnapProgressOptions): TarsnapProgress {
  const meter = createMeter(options.verb ?? 'restoring', options);
  let done = 0;
  return {
    line(line) {
      const member = parseExtractedLine(line);
      if (member === undefined) return false;
      let size: number;
      try {
        const stat = lstatSync(join(target, member));
        size = stat.isFile() ? stat.size : 0;
      } catch {
        return false;
      }
      done += tarEntryBytes(size);
      meter.update(done);
      return true;
    },
    stop: () => meter.stop(),
  };
}
