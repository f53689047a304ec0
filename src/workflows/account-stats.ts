/** The account's storage statistics, each archive with its profile: one `--print-stats -f '*'` call. */
import { buildAllArchiveStatsArgs, parseAccountStats, type AccountStats } from '../core/archive-stats.js';
import { classifyArchives, type ArchiveInfo } from '../core/archives.js';
import type { Config } from '../config/resolve.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';

/** Given the config and a runner, resolves to the statistics and every archive classified by profile. */
export async function readAccountStats(
  config: Config,
  tarsnap: TarsnapRunner,
): Promise<{ stats: AccountStats; archives: ArchiveInfo[] }> {
  const result = await tarsnap.run(buildAllArchiveStatsArgs(tarsnapCommon(config)));
  const stats = parseAccountStats(result.stdout);
  const archives = classifyArchives(
    stats.archives.map((archive) => ({ name: archive.name })),
    config.profiles,
    config.hostname,
  );
  return { stats, archives };
}
