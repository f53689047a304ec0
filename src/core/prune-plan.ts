/**
 * One profile's prune plan with hotsnap's safety rails on top of the retention planners:
 * `.part` archives never count as backups; the newest complete archive is always kept; a profile
 * with no rules is never pruned; a plan deleting more than `max_delete` is refused without force.
 */
import type { ArchiveInfo } from './archives.js';
import { parseDeltas, planDeltas } from './deltas.js';
import { isEmptyPolicy, planPrune, type RetentionPolicy } from './retention.js';

export interface PruneRules {
  retention?: RetentionPolicy;
  deltas?: string;
  prune_partial: boolean;
  /** A count, or "N%" of the profile's complete archives. */
  max_delete: number | string;
}

export interface PlannedKeep {
  archive: ArchiveInfo;
  reasons: string[];
}

export interface PlannedRemove {
  archive: ArchiveInfo;
  /** Why it goes: "not kept by any rule", or for a .part "partial archive; a newer complete archive exists". */
  why: string;
}

export interface ProfilePrunePlan {
  keep: PlannedKeep[];
  remove: PlannedRemove[];
  /** Set when nothing may be deleted; says why and what to do. */
  refused?: string;
  /** Set when the profile has no rules (not an error: it is simply never pruned). */
  noRules?: boolean;
}

/** Given "50%" and 10 archives, returns 5; given 3, returns 3. */
export function maxDeleteCount(maxDelete: number | string, archiveCount: number): number {
  if (typeof maxDelete === 'number') return maxDelete;
  const percent = /^(\d+)%$/.exec(maxDelete);
  if (!percent) throw new Error(`max_delete must be a number or a percentage like "50%", not "${maxDelete}"`);
  return Math.floor((archiveCount * Number(percent[1])) / 100);
}

/**
 * Given one profile's archives (any order; complete and .part), its rules, the zone and "now",
 * returns what to keep (with reasons) and remove, newest first.
 * Example: planProfilePrune(archives, {retention:{keep_last:1}, prune_partial:true, max_delete:'50%'}, {timezone:'UTC', now, force:false}).
 */
export function planProfilePrune(
  archives: readonly ArchiveInfo[],
  rules: PruneRules,
  options: { timezone: string; now: Date; force: boolean; maxDeleteOverride?: number },
): ProfilePrunePlan {
  const complete = archives.filter((archive) => !archive.partial);
  const partial = archives.filter((archive) => archive.partial);
  const policyGiven = rules.deltas !== undefined || (rules.retention !== undefined && !isEmptyPolicy(rules.retention));
  if (!policyGiven) {
    return {
      keep: [...complete].sort(newestFirst).map((archive) => ({ archive, reasons: ['no retention rules'] })),
      remove: [],
      noRules: true,
    };
  }
  const plan = rules.deltas !== undefined ? planDeltas(complete, parseDeltas(rules.deltas)) : planPrune(complete, rules.retention!, { timezone: options.timezone, now: options.now });
  const keep: PlannedKeep[] = plan.keep.map(({ archive, reasons }) => ({ archive, reasons }));
  let remove: PlannedRemove[] = plan.remove.map((archive) => ({ archive, why: 'not kept by any rule' }));

  // Rail: the newest complete archive stays, whatever the rules say.
  const newest = [...complete].sort(newestFirst)[0];
  if (newest && remove.some((entry) => entry.archive === newest)) {
    remove = remove.filter((entry) => entry.archive !== newest);
    keep.unshift({ archive: newest, reasons: ['newest complete archive (always kept)'] });
  }

  if (rules.prune_partial && newest) {
    for (const archive of partial) {
      if (archive.time.getTime() < newest.time.getTime()) remove.push({ archive, why: 'partial archive (.part); a newer complete archive exists' });
      else keep.push({ archive, reasons: ['partial archive (.part), kept until a newer complete archive exists'] });
    }
  } else {
    for (const archive of partial) keep.push({ archive, reasons: ['partial archive (.part); prune_partial is off'] });
  }
  keep.sort((a, b) => newestFirst(a.archive, b.archive));
  remove.sort((a, b) => newestFirst(a.archive, b.archive));

  const completeRemovals = remove.filter((entry) => !entry.archive.partial).length;
  const limit = options.maxDeleteOverride ?? maxDeleteCount(rules.max_delete, complete.length);
  if (!options.force && completeRemovals > limit) {
    return {
      keep,
      remove,
      refused:
        `the plan deletes ${completeRemovals} of ${complete.length} archives, more than max_delete allows (${limit}); ` +
        `check it with "hotsnap prune --dry-run", then run again with --force (or --max-delete ${completeRemovals})`,
    };
  }
  return { keep, remove };
}

function newestFirst(a: ArchiveInfo, b: ArchiveInfo): number {
  return b.time.getTime() - a.time.getTime() || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);
}
