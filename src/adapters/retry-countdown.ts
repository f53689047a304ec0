/**
 * A network retry's wait, shown on a terminal: "cannot reach the tarsnap server; retrying in 4 s…
 * (attempt 1 of 1)" redrawn each second, then cleared. Not a terminal: just the wait (the runner's
 * warning already said it in the log).
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import { formatRetryCountdown } from '../core/tarsnap-progress.js';
import type { ProgressStream } from './progress.js';

/** Waits out a retry's delay; what the runner's `waitToRetry` takes. */
export type RetryWait = (delayMs: number, attempt: number, of: number) => Promise<void>;

/**
 * Given where to draw and how to sleep, returns the wait; on a stream that is not a terminal it only sleeps.
 * Example: `createRetryCountdown({ stream: process.stderr })(5000, 1, 1)` draws 5 s, 4 s, … 1 s.
 */
export function createRetryCountdown(
  options: { stream?: ProgressStream; sleep?: (ms: number) => Promise<unknown> } = {},
): RetryWait {
  const stream = options.stream ?? process.stderr;
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  return async (delayMs, attempt, of) => {
    if (!stream.isTTY) {
      await sleep(delayMs);
      return;
    }
    try {
      for (let left = delayMs; left > 0; left -= 1000) {
        stream.write(`\r\x1b[K${formatRetryCountdown(left, attempt, of)}`);
        await sleep(Math.min(1000, left));
      }
    } finally {
      stream.write('\r\x1b[K');
    }
  };
}
