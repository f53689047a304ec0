/**
 * What `hotsnap run` leaves behind for `status` and monitoring: each profile's state file and the
 * Prometheus textfile.
 */
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { describeError, UserError } from '../errors.js';
import { now } from '../clock.js';
import { countArchives } from '../core/metrics.js';
import type { BackupOutcome, BackupDeps } from '../workflows/backup.js';
import { updateMetricsFile } from '../adapters/metrics.js';
import { recordRun, updateProfileState } from '../adapters/state.js';
import { listArchives } from '../workflows/list.js';
import type { RunSummary } from './run-prune.js';

/**
 * Records the run in the profile's state file. A state_dir that is full or read-only fails the
 * profile with the reason (status would say "overdue" later without knowing why), never the run.
 */
export function recordState(
  config: Config,
  profile: Profile,
  context: Context,
  summary: RunSummary,
  outcome: BackupOutcome,
  started: Date,
): void {
  try {
    updateProfileState(
      config.state_dir,
      profile.name,
      recordRun({
        started: started.toISOString(),
        finished: now().toISOString(),
        status: summary.status,
        duration_ms: summary.duration_ms,
        ...(outcome.archive ? { archive: outcome.archive } : {}),
        ...(outcome.stats?.thisArchive
          ? {
              stats: {
                total_bytes: outcome.stats.thisArchive.total,
                compressed_bytes: outcome.stats.thisArchive.compressed,
                new_bytes: outcome.stats.newData?.total ?? 0,
                new_compressed_bytes: outcome.stats.newData?.compressed ?? 0,
                stored_bytes: outcome.stats.uniqueData.compressed,
              },
            }
          : {}),
        databases: summary.databases,
        writer_block_ms: summary.writer_block_ms,
        ...(summary.error ? { error: summary.error } : {}),
        ...(summary.pruned !== undefined ? { pruned: summary.pruned } : {}),
        ...(summary.prune_refused !== undefined ? { prune_refused: summary.prune_refused } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    context.logger.error({ profile: profile.name }, error.message);
    if (summary.status !== 'failed')
      Object.assign(summary, { status: 'failed', error: `backup ok, but ${error.message}` });
  }
}

/** Writes the Prometheus textfile; a metrics problem only warns, it never fails a backup. */
export async function writeMetrics(config: Config, deps: BackupDeps, context: Context): Promise<void> {
  const names = config.profiles.map((profile) => profile.name);
  let counts: ReturnType<typeof countArchives> | undefined;
  try {
    counts = countArchives(await listArchives(config, deps.tarsnap), names);
  } catch (error) {
    context.logger.warn(`metrics: archive counts left out, cannot list archives: ${describeError(error)}`);
  }
  try {
    updateMetricsFile(config.metrics_file!, config.state_dir, names, counts);
  } catch (error) {
    context.logger.warn(`cannot write metrics: ${describeError(error)}`);
  }
}
