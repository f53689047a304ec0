/**
 * One profile's prune plan with hotsnap's safety rails on top of the retention planners:
 * `.part` and `.incomplete` archives never count as backups; the newest complete archive and the
 * archive the current run made are always kept; a profile with no rules is never pruned; a plan
 * deleting more than `max_delete` is refused without force; an archive dated after "now" (a clock
 * that is wrong now or was then) stops the prune, since every age the rules see would be wrong.
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

/** How far an archive's time may be ahead of "now" before the clock counts as wrong (NTP steps are seconds). */
export const CLOCK_SKEW_TOLERANCE_MS = 5 * 60 * 1000;

/** Given "50%" and 10 archives, returns 5; given 3, returns 3. */
export function maxDeleteCount(maxDelete: number | string, archiveCount: number): number {
  if (typeof maxDelete === 'number') return maxDelete;
  const percent = /^(\d+)%$/.exec(maxDelete);
  if (!percent) throw new Error(`max_delete must be a number or a percentage like "50%", not "${maxDelete}"`);
  return Math.floor((archiveCount * Number(percent[1])) / 100);
}

/**
 * Given one profile's archives (any order; complete, .part and .incomplete), its rules, the zone,
 * "now" and the archive this run made (if any), returns what to keep (with reasons) and remove,
 * newest first.
 * Example: planProfilePrune(archives, {retention:{keep_last:1}, prune_partial:true, max_delete:'50%'},
 * {timezone:'UTC', now, force:false}).
 */
export function planProfilePrune(
  archives: readonly ArchiveInfo[],
  rules: PruneRules,
  options: { timezone: string; now: Date; force: boolean; maxDeleteOverride?: number; madeByThisRun?: string },
): ProfilePrunePlan {
  const complete = archives.filter((archive) => !archive.partial && !archive.incomplete);
  const partial = archives.filter((archive) => archive.partial);
  const incomplete = archives.filter((archive) => archive.incomplete && !archive.partial);
  const policyGiven = rules.deltas !== undefined || (rules.retention !== undefined && !isEmptyPolicy(rules.retention));
  if (!policyGiven) {
    return {
      keep: [...complete].sort(newestFirst).map((archive) => ({ archive, reasons: ['no retention rules'] })),
      remove: [],
      noRules: true,
    };
  }
  const future = [...archives]
    .sort(newestFirst)
    .find((archive) => archive.time.getTime() > options.now.getTime() + CLOCK_SKEW_TOLERANCE_MS);
  if (future) {
    return {
      keep: [...archives]
        .sort(newestFirst)
        .map((archive) => ({ archive, reasons: ['the clock is wrong: nothing is pruned'] })),
      remove: [],
      refused:
        `archive ${future.name} is dated ${future.time.toISOString()}, after this machine's clock (${options.now.toISOString()}): ` +
        `the clock is wrong now or was when that archive was made, so every archive's age is in doubt and nothing was pruned; ` +
        `set the clock right (timedatectl, NTP); if it is right now, that archive was made while it ran ahead: delete it by hand (tarsnap -d -f NAME)`,
    };
  }
  const plan =
    rules.deltas !== undefined
      ? planDeltas(complete, parseDeltas(rules.deltas))
      : planPrune(complete, rules.retention!, { timezone: options.timezone, now: options.now });
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
      if (archive.time.getTime() < newest.time.getTime())
        remove.push({ archive, why: 'partial archive (.part); a newer complete archive exists' });
      else keep.push({ archive, reasons: ['partial archive (.part), kept until a newer complete archive exists'] });
    }
  } else {
    for (const archive of partial) keep.push({ archive, reasons: ['partial archive (.part); prune_partial is off'] });
  }
  // An incomplete archive may hold the newest copy of everything but the failed database: it
  // stays until a complete archive supersedes it, and then goes whatever the rules say.
  for (const archive of incomplete) {
    if (newest && archive.time.getTime() < newest.time.getTime())
      remove.push({ archive, why: 'incomplete archive (a database was missing); a newer complete archive exists' });
    else
      keep.push({
        archive,
        reasons: ['incomplete archive (a database was missing), kept until a newer complete archive exists'],
      });
  }

  // Rail: whatever its time says, the archive this run just made is never deleted by the same run.
  const own = remove.find((entry) => entry.archive.name === options.madeByThisRun);
  if (own) {
    remove = remove.filter((entry) => entry !== own);
    keep.push({ archive: own.archive, reasons: ['made by this run (always kept)'] });
  }
  keep.sort((a, b) => newestFirst(a.archive, b.archive));
  remove.sort((a, b) => newestFirst(a.archive, b.archive));

  const completeRemovals = remove.filter((entry) => !entry.archive.partial && !entry.archive.incomplete).length;
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
