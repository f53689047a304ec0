/** Helpers every command shares: picking profiles, making the tarsnap runner. */
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { createTarsnapRunner, type TarsnapRunner } from '../adapters/tarsnap.js';

/** Given the config and names, returns the profiles to act on (all when none named); unknown names are a usage error. */
export function selectProfiles(config: Config, names: readonly string[]): Profile[] {
  const unknown = names.filter((name) => !config.profiles.some((profile) => profile.name === name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown profile ${unknown.join(', ')}; the config (${config.file}) has: ${config.profiles.map((p) => p.name).join(', ')}`);
  }
  return names.length === 0 ? config.profiles : config.profiles.filter((profile) => names.includes(profile.name));
}

/** Given the config, returns a tarsnap runner for it. */
export function tarsnapRunnerFor(config: Config, context: Context, options: { dryRun?: boolean } = {}): TarsnapRunner {
  return createTarsnapRunner(
    {
      binary: config.tarsnap.binary,
      keyfile: config.tarsnap.keyfile,
      cachedir: config.tarsnap.cachedir,
      extraArgs: config.tarsnap.extra_args,
      retries: config.tarsnap.retries,
      retryDelayMs: config.tarsnap.retry_delay_ms,
      autoFsck: config.tarsnap.auto_fsck,
      ...(config.tarsnap.passphrase ? { passphrase: config.tarsnap.passphrase } : {}),
    },
    { dryRun: options.dryRun, logger: context.logger },
  );
}

