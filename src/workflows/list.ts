/** Listing a config's archives: one `--list-archives -v` call, each archive classified by profile. */
import { classifyArchives, type ArchiveInfo } from '../core/archives.js';
import { buildAllArchiveStatsArgs, parseAccountStats, type ArchiveSizes } from '../core/archive-stats.js';
import type { Config } from '../config/resolve.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { listStoredArchives } from '../adapters/archive-list.js';
import type { TarsnapRunner } from '../adapters/tarsnap.js';

/** Given the config and a runner, returns every archive classified (one --list-archives -v call). */
export async function listArchives(config: Config, tarsnap: TarsnapRunner): Promise<ArchiveInfo[]> {
  return classifyArchives(
    await listStoredArchives(tarsnap, tarsnapCommon(config), 1),
    config.profiles,
    config.hostname,
  );
}

/** Given the config and a runner, returns each archive's sizes by name (one --print-stats -f '*' call). */
export async function listArchiveSizes(config: Config, tarsnap: TarsnapRunner): Promise<Map<string, ArchiveSizes>> {
  const result = await tarsnap.run(buildAllArchiveStatsArgs(tarsnapCommon(config)));
  return new Map(parseAccountStats(result.stdout).archives.map((sizes) => [sizes.name, sizes]));
}
