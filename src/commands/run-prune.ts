/**
 * The prune `run` does after each successful backup, folded into the profile's summary: deleted
 * archives counted; a prune refused by max_delete is a warning beside a successful backup, never
 * its failure; a prune that fails (tarsnap, listing) or that a wrong clock stops fails the profile.
 */
import type { Config, Profile } from '../config/resolve.js';
import { describeError } from '../errors.js';
import type { ProfileSummary } from '../core/summary.js';
import type { BackupDeps } from '../workflows/backup.js';
import { pruneProfiles } from '../workflows/prune.js';

/** A profile's summary in `run`: plus, when its prune was refused, the reason and command (also in --json). */
export type RunSummary = ProfileSummary & { prune_refused?: string };

/**
 * Given a profile whose backup succeeded, prunes it and folds the result into its summary: `pruned`,
 * `prune_note`, `prune_refused`, or status failed with the prune's error.
 * Example: a refused plan → summary.prune_note 'PRUNE REFUSED: run once: hotsnap prune daily --max-delete 8'.
 */
export async function pruneAfterBackup(
  config: Config,
  profile: Profile,
  deps: Pick<BackupDeps, 'tarsnap' | 'logger' | 'now'>,
  summary: RunSummary,
  archive: string | undefined,
): Promise<void> {
  try {
    const report = await pruneProfiles(
      config,
      [profile],
      { tarsnap: deps.tarsnap, logger: deps.logger, now: deps.now },
      { dryRun: false, force: false, ...(archive !== undefined ? { madeByThisRun: archive } : {}) },
    );
    const entry = report.profiles[0];
    // Refused without a command to run (a wrong clock): no flag makes it right and the dates of
    // this run's archive are in doubt too, so the profile fails and on_error tells someone.
    if (entry?.refused && !entry.run_once) {
      summary.status = 'failed';
      summary.error = `backup ok, prune failed: ${(entry.note ?? 'refused').replace(/^refused: /, '')}`;
      return;
    }
    if (entry?.refused) {
      // Nothing was deleted, and nothing went wrong: the backup stands; the operator acts once.
      const reason = (entry.note ?? 'refused').replace(/^refused: /, '');
      summary.prune_refused = entry.run_once ? `${reason.split(';')[0]}; run once: ${entry.run_once}` : reason;
      summary.prune_note = entry.run_once ? `PRUNE REFUSED: run once: ${entry.run_once}` : 'PRUNE REFUSED (see log)';
      return;
    }
    if (entry && !entry.skipped && !entry.no_rules)
      summary.pruned = entry.remove.length - (entry.not_deleted?.length ?? 0);
    if (entry?.note) summary.prune_note = `prune ${entry.note}`;
    if (report.failed) {
      summary.status = 'failed';
      summary.error = `backup ok, prune failed: ${report.error ?? entry?.note ?? `${entry?.not_deleted?.length ?? 0} archives not deleted`}`;
    }
  } catch (error) {
    summary.status = 'failed';
    summary.error = `backup ok, prune failed: ${describeError(error)}`;
  }
}
