/**
 * What a prune frees, where tarsnap can say: a dry run adds, per profile, the unique data of the
 * archives it would delete (one `--print-stats -f '*'` call, a lower bound); a real prune reads the
 * "Deleted data" rows of its `-d --print-stats` call (exact).
 */
import { deletedByCall, freedAtLeast, type FreedBytes } from '../core/freed.js';
import { formatDollars } from '../core/cost.js';
import { formatBytes } from '../core/summary.js';
import type { Config } from '../config/resolve.js';
import { describeError, UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';
import { readAccountStats } from './account-stats.js';

/** Given freed bytes, returns "1.2 MB (≈ $0.00030/month)". */
export function formatFreed(freed: FreedBytes): string {
  return `${formatBytes(freed.compressed_bytes)} (≈ ${formatDollars(freed.monthly_cost_dollars)}/month)`;
}

/**
 * Given a dry run's plans, sets `frees_at_least` on each profile that would delete something; one
 * stats call, none when nothing would be deleted. A tarsnap failure only warns: the plan stands.
 */
export async function addFreesAtLeast(
  config: Config,
  profiles: readonly { remove: readonly { name: string }[]; frees_at_least?: FreedBytes }[],
  deps: { tarsnap: TarsnapRunner; logger: Logger },
): Promise<void> {
  const removing = profiles.filter((entry) => entry.remove.length > 0);
  if (removing.length === 0) return;
  try {
    const { stats } = await readAccountStats(config, deps.tarsnap);
    for (const entry of removing)
      entry.frees_at_least = freedAtLeast(
        entry.remove.map((removal) => removal.name),
        stats,
      );
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    deps.logger.warn(`cannot tell what the plan frees (tarsnap --print-stats failed): ${describeError(error)}`);
  }
}

/** Given the stderr of `-d --print-stats`, logs and returns what it freed (undefined and a warning if unreadable). */
export function logFreed(stderr: string, logger: Logger): FreedBytes | undefined {
  try {
    const freed = deletedByCall(stderr);
    if (freed) logger.info(`freed ${formatFreed(freed)} of stored data`);
    return freed;
  } catch (error) {
    logger.warn(`cannot read what the deletion freed: ${describeError(error)}`);
    return undefined;
  }
}
