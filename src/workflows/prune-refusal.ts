/**
 * What a refused prune tells the operator: one line with the reason and, when max_delete refused
 * it, the exact command to run once (with --config when the config is not where hotsnap looks by
 * default), so the first prune after `adopt:` is one paste away.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { locateConfig } from '../config/read.js';
import type { ArchiveInfo } from '../core/archives.js';
import { maxDeleteCount, type ProfilePrunePlan } from '../core/prune-plan.js';
import { shellQuote } from '../core/shell-quote.js';

export interface PruneRefusal {
  /** One line: whose prune, why, and what to run. */
  line: string;
  /** The command that carries the plan out once (absent when no flag can: a wrong clock). */
  command?: string;
}

/**
 * Given a config file, returns how to call hotsnap on it from a shell: `hotsnap` when a bare
 * `hotsnap` finds it (environment aside: cron's is not the operator's), else `hotsnap --config FILE`.
 * Example: hotsnapCommandFor('/srv/h.yaml') → 'hotsnap --config /srv/h.yaml'.
 */
export function hotsnapCommandFor(file: string, home = homedir()): string {
  const absolute = resolve(file);
  try {
    if (resolve(locateConfig(undefined, {}, home)) === absolute) return 'hotsnap';
  } catch {
    // Not where hotsnap looks by default: name it.
  }
  return `hotsnap --config ${shellQuote(absolute)}`;
}

const isComplete = (archive: ArchiveInfo) => !archive.partial && !archive.incomplete;

/**
 * Given the config file, a profile's refused plan, its max_delete and the --max-delete override,
 * returns the line to log. Example: 8 of 11 over 50% → "prune of daily refused: the plan deletes
 * 8 of 11 archives, more than max_delete allows (5); run once: hotsnap prune daily --max-delete 8
 * (with --dry-run first to see the plan)".
 */
export function describeRefusal(
  configFile: string,
  profile: { name: string; max_delete: number | string },
  plan: ProfilePrunePlan,
  maxDeleteOverride?: number,
): PruneRefusal {
  const removals = plan.remove.filter((entry) => isComplete(entry.archive)).length;
  // A wrong clock refuses with nothing planned: no flag helps, the plan's reason says what does.
  if (removals === 0) return { line: `prune of ${profile.name} refused: ${plan.refused ?? 'nothing planned'}` };
  const total = [...plan.keep, ...plan.remove].filter((entry) => isComplete(entry.archive)).length;
  const limit = maxDeleteOverride ?? maxDeleteCount(profile.max_delete, total);
  const command = `${hotsnapCommandFor(configFile)} prune ${shellQuote(profile.name)} --max-delete ${removals}`;
  return {
    line:
      `prune of ${profile.name} refused: the plan deletes ${removals} of ${total} archives, more than max_delete allows (${limit}); ` +
      `run once: ${command} (with --dry-run first to see the plan)`,
    command,
  };
}
