/** Listing a config's archives: one `--list-archives -v` call, each archive classified by profile. */
import { classifyArchives, type ArchiveInfo } from '../core/archives.js';
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
