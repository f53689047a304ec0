/** `hotsnap run [PROFILE...]`: back up each profile (then prune it), one summary line each. */
import { createRequire } from 'node:module';
import type { Config, Profile } from '../config/resolve.js';
import type { Context } from '../context.js';
import { describeError, ExitCode, UsageError } from '../errors.js';
import { formatSummaryLine, type ProfileSummary } from '../core/summary.js';
import { parseTimeSpan } from '../core/timespan.js';
import { backupProfile, type PipelineDeps } from '../pipeline.js';
import { hotCopy } from '../adapters/sqlite/hot-copy.js';
import { createStagingDir, removeLeftovers } from '../adapters/staging.js';
import { acquireRunLock } from '../adapters/run-lock.js';
import { recordRun, updateProfileState } from '../adapters/state.js';
import { pruneProfiles } from './prune.js';
import { selectProfiles, tarsnapRunnerFor } from './common.js';
import type { CommandResult } from './result.js';

export interface RunOptions {
  dryRun?: boolean;
  json?: boolean;
  /** How long to wait for another run's lock, e.g. "2h" (default). */
  wait?: string;
  prune?: boolean;
  progress?: boolean;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * Given the context, profile names and options, backs up each profile; returns exit 0 when all
 * succeeded, 1 when any failed, with one summary line (or JSON) per profile.
 */
export async function runBackups(
  context: Context,
  names: readonly string[],
  options: RunOptions,
  overrides: Partial<PipelineDeps> = {},
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names);
  const waitMs = parseTimeSpanOption(options.wait ?? '2h', '--wait');
  const dryRun = options.dryRun ?? false;
  const deps: PipelineDeps = {
    hotCopy,
    createStagingDir,
    tarsnap: tarsnapRunnerFor(config, context, { dryRun }),
    now: () => new Date(),
    logger: context.logger,
    version,
    ...overrides,
  };

  removeLeftovers(config.staging_dir, context.logger);
  // Dry runs change nothing on the server, so they never wait for (or block) a real run.
  const lock = dryRun
    ? undefined
    : await acquireRunLock({ stateDir: config.state_dir, keyfile: config.tarsnap.keyfile, waitMs, command: `run ${profiles.map((p) => p.name).join(' ')}`, logger: context.logger });
  const summaries: ProfileSummary[] = [];
  try {
    for (const profile of profiles) {
      context.logger.info({ profile: profile.name }, dryRun ? 'dry run: backing up (nothing is stored)' : 'backing up');
      const started = new Date();
      const outcome = await backupProfile(config, profile, deps, { dryRun, progress: options.progress ?? process.stderr.isTTY === true });
      const summary = outcome.summary;
      // A failed backup never prunes: the archives it would thin out may be the only good ones.
      if (summary.status === 'ok' && options.prune !== false) await pruneAfterBackup(config, profile, deps, summary);
      if (!dryRun) {
        updateProfileState(
          config.state_dir,
          profile.name,
          recordRun({
            started: started.toISOString(),
            finished: new Date().toISOString(),
            status: summary.status,
            duration_ms: summary.duration_ms,
            ...(outcome.archive ? { archive: outcome.archive } : {}),
            ...(outcome.stats?.thisArchive
              ? { stats: { total_bytes: outcome.stats.thisArchive.total, compressed_bytes: outcome.stats.thisArchive.compressed, new_bytes: outcome.stats.newData?.total ?? 0, new_compressed_bytes: outcome.stats.newData?.compressed ?? 0 } }
              : {}),
            databases: summary.databases,
            writer_block_ms: summary.writer_block_ms,
            ...(summary.error ? { error: summary.error } : {}),
            ...(summary.pruned !== undefined ? { pruned: summary.pruned } : {}),
          }),
        );
      }
      summaries.push(summary);
    }
  } finally {
    lock?.release();
  }
  const failed = summaries.some((summary) => summary.status === 'failed');
  const stdout = options.json
    ? `${JSON.stringify({ profiles: summaries }, null, 2)}\n`
    : `${summaries.map(formatSummaryLine).join('\n')}\n`;
  return { exitCode: failed ? ExitCode.failed : ExitCode.ok, stdout };
}

function parseTimeSpanOption(value: string, flag: string): number {
  try {
    return parseTimeSpan(value);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

/** Prunes one profile right after its successful backup and folds the result into its summary. */
async function pruneAfterBackup(config: Config, profile: Profile, deps: PipelineDeps, summary: ProfileSummary): Promise<void> {
  try {
    const report = await pruneProfiles(config, [profile], { tarsnap: deps.tarsnap, logger: deps.logger, now: deps.now }, { dryRun: false, force: false });
    const entry = report.profiles[0];
    if (entry && !entry.note?.startsWith('skipped') && !entry.note?.startsWith('never')) {
      summary.pruned = entry.refused ? 0 : entry.remove.length - (entry.not_deleted?.length ?? 0);
    }
    if (entry?.note) summary.prune_note = entry.note.startsWith('refused') ? 'prune refused (see log)' : `prune ${entry.note}`;
    if (report.failed) {
      summary.status = 'failed';
      summary.error = `backup ok, prune failed: ${report.error ?? entry?.note ?? `${entry?.not_deleted?.length ?? 0} archives not deleted`}`;
    }
  } catch (error) {
    summary.status = 'failed';
    summary.error = `backup ok, prune failed: ${describeError(error)}`;
  }
}
