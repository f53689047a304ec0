/** Helpers the commands that call tarsnap share: making the tarsnap runner, parsing --wait, taking the key's lock. */
import type { Config } from '../config/resolve.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseTimeSpan } from '../core/timespan.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { acquireRunLock, type RunLock } from '../adapters/run-lock.js';
import { createTarsnapRunner, type TarsnapRunner } from '../adapters/tarsnap.js';

/** Given the config, returns a tarsnap runner for it. */
export function tarsnapRunnerFor(config: Config, context: Context, options: { dryRun?: boolean } = {}): TarsnapRunner {
  return createTarsnapRunner(
    {
      ...tarsnapCommon(config),
      binary: config.tarsnap.binary,
      retries: config.tarsnap.retries,
      retryDelayMs: config.tarsnap.retry_delay_ms,
      autoFsck: config.tarsnap.auto_fsck,
    },
    { dryRun: options.dryRun, logger: context.logger },
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
