/**
 * Helpers the commands that call tarsnap share: making the tarsnap runner (with the retry policy of
 * the command's kind), parsing --wait, taking the key's lock.
 */
import type { Config } from '../config/resolve.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseTimeSpan } from '../core/timespan.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { acquireRunLock, type RunLock } from '../adapters/run-lock.js';
import { createRetryCountdown } from '../adapters/retry-countdown.js';
import { createTarsnapRunner, type TarsnapRunner } from '../adapters/tarsnap.js';

/**
 * Who waits for a command: someone `looking` (list, ls, stats, restore) wants a quick answer; an
 * `unattended` one (run, prune, verify; cron's) rides out a network outage.
 */
export type CommandKind = 'looking' | 'unattended';

/** A looking command retries once, after at most this long. */
export const LOOKING_RETRY_DELAY_MS = 5000;

/**
 * Given the command's kind, the config and `--retries` (undefined when not given), returns its
 * network retries: looking commands at most one after at most 5 s, unattended ones tarsnap.retries
 * and tarsnap.retry_delay; `--retries` wins.
 * Example: `retryPolicyFor('looking', config)` → `{ retries: 1, retryDelayMs: 5000 }`.
 */
export function retryPolicyFor(
  kind: CommandKind,
  config: Config,
  override?: number,
): { retries: number; retryDelayMs: number } {
  const { retries, retry_delay_ms: delay } = config.tarsnap;
  if (kind === 'unattended') return { retries: override ?? retries, retryDelayMs: delay };
  return { retries: override ?? Math.min(1, retries), retryDelayMs: Math.min(LOOKING_RETRY_DELAY_MS, delay) };
}

/**
 * Given the config and the command's kind (default unattended), returns a tarsnap runner for it:
 * its retry policy (retryPolicyFor, with the context's --retries), a countdown on a terminal.
 * Example: `tarsnapRunnerFor(config, context, { kind: 'looking' })`.
 */
export function tarsnapRunnerFor(
  config: Config,
  context: Context,
  options: { dryRun?: boolean; kind?: CommandKind } = {},
): TarsnapRunner {
  return createTarsnapRunner(
    {
      ...tarsnapCommon(config),
      binary: config.tarsnap.binary,
      ...retryPolicyFor(options.kind ?? 'unattended', config, context.retries),
      autoFsck: config.tarsnap.auto_fsck,
    },
    { dryRun: options.dryRun, logger: context.logger, waitToRetry: createRetryCountdown() },
  );
}

/** Given the --wait flag (default "2h"), returns it in ms; a bad value is a usage error. */
export function parseWaitOption(wait: string | undefined): number {
  try {
    return parseTimeSpan(wait ?? '2h');
  } catch (error) {
    throw new UsageError(`--wait: ${(error as Error).message}`);
  }
}

/**
 * Takes the run lock of the config's tarsnap key for a command that changes the server; a dry
 * run changes nothing there, so it neither waits for nor blocks a real run (returns undefined).
 */
export async function lockKeyUnlessDryRun(
  config: Config,
  context: Context,
  options: { dryRun: boolean; waitMs: number; command: string },
): Promise<RunLock | undefined> {
  if (options.dryRun) return undefined;
  return acquireRunLock({
    stateDir: config.state_dir,
    keyfile: config.tarsnap.keyfile,
    waitMs: options.waitMs,
    command: options.command,
    logger: context.logger,
  });
}
