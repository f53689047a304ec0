/**
 * Which stage area a run gets, and the kept snapshots nobody needs any more: those of profiles
 * gone from the config or switched to `keep_snapshot: false` hold copies of databases and are
 * removed (only ours: named with this config's tag, in our private staging_dir/hotsnap/).
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, Profile } from '../config/resolve.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { keptStage, keptStageName, stateTag, throwawayStage, type StageArea } from './stage-area.js';
import { effectiveUid, inspectStaging, PRIVATE_DIR } from './staging-safety.js';

/**
 * Given the config, returns what its kept snapshots are tagged by: runs of one state_dir and key
 * are serialised by the run lock, so they, and only they, may share a profile's kept snapshot.
 */
function keptOwner(config: Config): string {
  return `${config.state_dir}\0${config.tarsnap.keyfile}`;
}

/** Given a profile, returns its stage area: kept between runs, or throwaway for a dry run or keep_snapshot: false. */
export function openStageArea(config: Config, profile: Profile, options: { dryRun: boolean }): StageArea {
  if (options.dryRun || !profile.keep_snapshot) return throwawayStage(config.staging_dir, profile.name);
  return keptStage(config.staging_dir, keptOwner(config), profile.name);
}

/** Removes this config's kept snapshots that no profile keeps any more; returns them. Never throws. */
export function removeUnusedKeptStages(config: Config, logger: Logger): string[] {
  const privateDir = join(config.staging_dir, PRIVATE_DIR);
  const uid = effectiveUid();
  const wanted = new Set(
    config.profiles.filter((p) => p.keep_snapshot).map((p) => keptStageName(p.name, keptOwner(config))),
  );
  const suffix = `-${stateTag(keptOwner(config))}`;
  const removed: string[] = [];
  try {
    if (inspectStaging(config.staging_dir, uid)) return [];
    for (const name of readdirSync(privateDir)) {
      if (!name.startsWith('kept-') || !name.endsWith(suffix) || wanted.has(name)) continue;
      const path = join(privateDir, name);
      const stats = lstatSync(path);
      if (!stats.isDirectory() || stats.uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
      logger.info({ dir: path }, 'removed a kept snapshot no profile uses any more');
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn({ dir: privateDir }, `cannot look for unused kept snapshots: ${describeError(error)}`);
    }
  }
  return removed;
}
