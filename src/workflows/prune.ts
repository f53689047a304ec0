/**
 * Pruning profiles: one list, a plan per profile, ONE `tarsnap -d` for every deletion (oldest
 * first, --keep-going), then one list to confirm what is gone. Used by `prune` and after `run`.
 */
import type { Config, Profile } from '../config/resolve.js';
import { describeError } from '../errors.js';
import type { ArchiveInfo } from '../core/archives.js';
import { planProfilePrune, type ProfilePrunePlan } from '../core/prune-plan.js';
import { buildDeleteArgs } from '../core/tarsnap-args.js';
import type { Logger } from '../log.js';
import { tarsnapCommon } from '../config/tarsnap-common.js';
import { listStoredArchives } from '../adapters/archive-list.js';
import { TarsnapError, type TarsnapRunner } from '../adapters/tarsnap.js';
import { listArchives } from './list.js';
import type { FreedBytes } from '../core/freed.js';
import { logFreed } from './prune-frees.js';
import { describeRefusal } from './prune-refusal.js';

/** Most archive names one log line shows; a first prune of years of archives deletes hundreds. */
export const MAX_LOGGED_NAMES = 25;

/** Given names, returns "3 archives: a, b, c", the first MAX_LOGGED_NAMES of many then "… and 275 more". */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LOGGED_NAMES).join(', ');
  const more = names.length > MAX_LOGGED_NAMES ? ` … and ${names.length - MAX_LOGGED_NAMES} more` : '';
  return `${names.length} archive${names.length === 1 ? '' : 's'}: ${shown}${more}`;
}

export interface ProfilePruneReport {
  profile: string;
  keep: { name: string; time: string; reasons: string[] }[];
  remove: { name: string; time: string; why: string }[];
  /** Why nothing was deleted for this profile, when it was skipped or refused. */
  note?: string;
  /** Nothing was planned: `prune: false`, or a key that cannot list. */
  skipped?: boolean;
  /** The profile has no retention rules, so it is never pruned. */
  no_rules?: boolean;
  refused?: boolean;
  /** When refused by max_delete: the command that carries the plan out once. */
  run_once?: string;
  /** Planned deletions still present after the delete call. */
  not_deleted?: string[];
  /** Dry run: what deleting `remove` frees at least (their unique data), when tarsnap could say. */
  frees_at_least?: FreedBytes;
}

export interface PruneReport {
  dry_run: boolean;
  profiles: ProfilePruneReport[];
  failed: boolean;
  error?: string;
  /** What the delete call freed, from its --print-stats "Deleted data" rows. */
  freed?: FreedBytes;
}

export interface PruneDeps {
  tarsnap: TarsnapRunner;
  logger: Logger;
  now: () => Date;
}

function toReport(profile: string, plan: ProfilePrunePlan): ProfilePruneReport {
  const row = (archive: ArchiveInfo) => ({ name: archive.name, time: archive.time.toISOString() });
  return {
    profile,
    keep: plan.keep.map(({ archive, reasons }) => ({ ...row(archive), reasons })),
    remove: plan.remove.map(({ archive, why }) => ({ ...row(archive), why })),
  };
}

/**
 * Given the config and profiles, plans and (unless dryRun) carries out their prune; never throws
 * for tarsnap failures: the report says what happened and `failed` is set.
 */
export async function pruneProfiles(
  config: Config,
  profiles: readonly Profile[],
  deps: PruneDeps,
  options: { dryRun: boolean; force: boolean; maxDelete?: number; madeByThisRun?: string },
): Promise<PruneReport> {
  const report: PruneReport = { dry_run: options.dryRun, profiles: [], failed: false };
  let archives: ArchiveInfo[];
  try {
    archives = await listArchives(config, deps.tarsnap);
  } catch (error) {
    if (error instanceof TarsnapError && error.failure.kind === 'write-only-key') {
      const note =
        'skipped: this key cannot list archives (write-only); prune on a host whose key has the read and delete keys';
      report.profiles = profiles.map((profile) => ({
        profile: profile.name,
        keep: [],
        remove: [],
        note,
        skipped: true,
      }));
      deps.logger.warn(note);
      return report;
    }
    report.failed = true;
    report.error = `cannot read the archive list, so nothing was pruned: ${describeError(error)}`;
    deps.logger.error(report.error);
    return report;
  }

  const doomed: ArchiveInfo[] = [];
  for (const profile of profiles) {
    if (!profile.prune) {
      report.profiles.push({
        profile: profile.name,
        keep: [],
        remove: [],
        note: 'skipped: prune is false for this profile',
        skipped: true,
      });
      continue;
    }
    const own = archives.filter((archive) => archive.profile === profile.name);
    const plan = planProfilePrune(own, profile, {
      timezone: config.timezone,
      now: deps.now(),
      force: options.force,
      ...(options.maxDelete !== undefined ? { maxDeleteOverride: options.maxDelete } : {}),
      ...(options.madeByThisRun !== undefined ? { madeByThisRun: options.madeByThisRun } : {}),
    });
    const entry = toReport(profile.name, plan);
    if (plan.noRules)
      Object.assign(entry, { note: 'never pruned: the profile has no retention rules', no_rules: true });
    if (plan.refused) {
      entry.note = `refused: ${plan.refused}`;
      entry.refused = true;
      // A dry run has done its job when it shows the refusal; a real prune has not (`run` counts
      // it apart from a failure: its backup was stored).
      if (!options.dryRun) {
        report.failed = true;
        const refusal = describeRefusal(config.file, profile, plan, options.maxDelete);
        if (refusal.command) entry.run_once = refusal.command;
        deps.logger.warn({ profile: profile.name }, refusal.line);
      }
    } else {
      doomed.push(...plan.remove.map((removal) => removal.archive));
    }
    report.profiles.push(entry);
  }
  if (options.dryRun || doomed.length === 0) return report;

  doomed.sort((a, b) => a.time.getTime() - b.time.getTime());
  const names = doomed.map((archive) => archive.name);
  deps.logger.info(`deleting ${listNames(names)} (oldest first)`);
  try {
    // No retries of the whole batch here: --keep-going already skips what's gone, and the
    // confirming list below shows exactly what remains.
    const deleted = await deps.tarsnap.run(
      buildDeleteArgs(tarsnapCommon(config), names, { keepGoing: true, printStats: true }),
      { retry: false },
    );
    const freed = logFreed(deleted.stderr, deps.logger);
    if (freed) report.freed = freed;
  } catch (error) {
    deps.logger.error(`tarsnap could not delete every archive: ${describeError(error)}`);
  }
  let remaining: Set<string>;
  try {
    const listed = await listStoredArchives(deps.tarsnap, tarsnapCommon(config), 0);
    remaining = new Set(listed.map((archive) => archive.name));
  } catch (error) {
    report.failed = true;
    report.error = `deleted, but cannot list archives to confirm what is gone: ${describeError(error)}`;
    return report;
  }
  for (const entry of report.profiles) {
    const left = entry.remove.filter((removal) => remaining.has(removal.name)).map((removal) => removal.name);
    const gone = entry.remove
      .filter((removal) => !remaining.has(removal.name))
      .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
      .map((removal) => removal.name);
    if (gone.length > 0) {
      deps.logger.info({ profile: entry.profile }, `deleted ${listNames(gone)}`);
      if (gone.length > MAX_LOGGED_NAMES) deps.logger.debug({ profile: entry.profile, archives: gone }, 'deleted');
    }
    if (left.length > 0) {
      entry.not_deleted = left;
      report.failed = true;
      deps.logger.error(
        { profile: entry.profile, archives: left },
        `${left.length} archive${left.length === 1 ? ' was' : 's were'} not deleted`,
      );
    }
  }
  return report;
}
