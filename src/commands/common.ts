/** Helpers every command shares: picking profiles, making the tarsnap runner, taking the key's lock. */
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { parseTimeSpan } from '../core/timespan.js';
import { tarsnapCommon } from '../pipeline.js';
import { acquireRunLock, type RunLock } from '../adapters/run-lock.js';
import { createTarsnapRunner, type TarsnapRunner } from '../adapters/tarsnap.js';

/** Given the config and names, returns the profiles to act on (all when none named); unknown names are a usage error. */
export function selectProfiles(config: Config, names: readonly string[]): Profile[] {
  const unknown = names.filter((name) => !config.profiles.some((profile) => profile.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown profile ${unknown.join(', ')}; the config (${config.file}) has: ${config.profiles.map((p) => p.name).join(', ')}`,
    );
  }
  return names.length === 0 ? config.profiles : config.profiles.filter((profile) => names.includes(profile.name));
}

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
