/** `hotsnap run [PROFILE...]`: back up each profile (then prune it), one summary line each. */
import type { Config, Profile } from '../config/resolve.js';
import { VERSION as version } from '../package-info.js';
import type { Context } from '../context.js';
import { ExitCode, LockedError, UserError } from '../errors.js';
import { now } from '../clock.js';
import { formatSummaryLine } from '../core/summary.js';
import { backupProfile, type BackupOutcome, type BackupDeps } from '../workflows/backup.js';
import { formatCommandForLog } from '../core/command-display.js';
import { runHooks } from '../adapters/hooks.js';
import type { HookEvent, HookVars } from '../adapters/hook-env.js';
import { HookError } from '../adapters/hook-failure.js';
import { createPinger } from '../adapters/ping.js';
import { openStageArea, removeUnusedKeptStages } from '../adapters/kept-stages.js';
import { removeLeftovers } from '../adapters/staging-sweep.js';
import { SOURCES } from '../sources/index.js';
import { pruneAfterBackup, type RunSummary } from './run-prune.js';
import { recordState, writeMetrics } from './run-records.js';
import { lockKeyUnlessDryRun, parseWaitOption, tarsnapRunnerFor } from './common.js';
import { selectProfiles } from './select-profiles.js';
import type { CommandResult } from './result.js';

export interface RunOptions {
  dryRun?: boolean;
  json?: boolean;
  /** How long to wait for another run's lock, e.g. "2h" (default). */
  wait?: string;
  prune?: boolean;
  progress?: boolean;
}

/**
 * Given the context, profile names and options, backs up each profile; returns exit 0 when all
 * succeeded, 1 when any failed, 4 (ExitCode.pruneRefused) when all were backed up but a prune was
 * refused, with one summary line (or JSON) per profile.
 */
export async function runBackups(
  context: Context,
  names: readonly string[],
  options: RunOptions,
  overrides: Partial<BackupDeps> = {},
): Promise<CommandResult> {
  const config = await context.loadConfig();
  const profiles = selectProfiles(config, names);
  const waitMs = parseWaitOption(options.wait);
  const dryRun = options.dryRun ?? false;
  const deps: BackupDeps = {
    sources: SOURCES,
    openStage: openStageArea,
    tarsnap: tarsnapRunnerFor(config, context, { dryRun }),
    now,
    logger: context.logger,
    version,
    ...overrides,
  };

  // Also under --dry-run (which stages its copies too): the sweep only removes stages of our own
  // uid, in our private staging_dir/hotsnap/, whose run is gone, and it never throws.
  removeLeftovers(config.staging_dir, context.logger);
  if (!dryRun) removeUnusedKeptStages(config, context.logger);
  let lock: Awaited<ReturnType<typeof lockKeyUnlessDryRun>>;
  let lockFailure: string | undefined;
  try {
    lock = await lockKeyUnlessDryRun(config, context, {
      dryRun,
      waitMs,
      command: `run ${profiles.map((p) => p.name).join(' ')}`,
    });
  } catch (error) {
    // Another run holding the lock is exit 75 and no failure; a lock that can't be taken at all
    // (state_dir unwritable) fails every profile, with hooks and pings told.
    if (error instanceof LockedError || !(error instanceof UserError)) throw error;
    context.logger.error(error.message);
    lockFailure = error.message;
  }
  const summaries: RunSummary[] = [];
  const hooks = hookRunner(context, dryRun, config);
  const runVars: HookVars = { profiles: profiles.map((p) => p.name), config: config.file, dry_run: dryRun };
  try {
    const before = lockFailure ?? (await hooks.run('before', config.hooks.before, runVars));
    if (before) {
      // A failing run-wide `before` hook stops everything: its job was to prepare every profile.
      for (const profile of profiles) summaries.push(await failedBeforeStart(profile, before, dryRun, context));
    } else {
      for (const profile of profiles) {
        summaries.push(
          await runProfile(config, profile, deps, context, {
            dryRun,
            prune: options.prune !== false,
            progress: options.progress ?? process.stderr.isTTY === true,
          }),
        );
      }
    }
    // A failed `before` failed every profile, so this picks on_error for it too.
    const failed = summaries.some((summary) => summary.status === 'failed');
    const endVars: HookVars = {
      ...runVars,
      status: failed ? 'failed' : dryRun ? 'dry-run' : 'ok',
      ...(failed ? { error: summaries.find((s) => s.error)?.error ?? before } : {}),
    };
    // on_error reads what a mail needs on stdin: every profile's summary line, then the run's log tail.
    const report = () => `${summaries.map(formatSummaryLine).join('\n')}\n\n${context.logTail.text()}`;
    if (failed) await hooks.run('on_error', config.hooks.on_error, endVars, report());
    else await hooks.run('after', config.hooks.after, endVars);
    await hooks.run('finally', config.hooks.finally, endVars);
  } finally {
    lock?.release();
  }
  if (!dryRun && config.metrics_file) await writeMetrics(config, deps, context);
  const failed = summaries.some((summary) => summary.status === 'failed');
  const refused = summaries.some((summary) => summary.prune_refused !== undefined);
  const stdout = options.json
    ? `${JSON.stringify({ profiles: summaries }, null, 2)}\n`
    : `${summaries.map(formatSummaryLine).join('\n')}\n`;
  return { exitCode: failed ? ExitCode.failed : refused ? ExitCode.pruneRefused : ExitCode.ok, stdout };
}

function failedSummary(profile: string, error: string): RunSummary {
  return { profile, status: 'failed', duration_ms: 0, databases: 0, databases_failed: 0, writer_block_ms: 0, error };
}

/** A profile that never started because the whole run could not: its ping is told it failed. */
async function failedBeforeStart(
  profile: Profile,
  error: string,
  dryRun: boolean,
  context: Context,
): Promise<RunSummary> {
  const summary = failedSummary(profile.name, error);
  const ping = createPinger(dryRun ? undefined : profile.ping, { logger: context.logger, profile: profile.name });
  await ping.fail(formatSummaryLine(summary));
  return summary;
}

/**
 * Runs hook commands (`input` on their stdin); returns the failure message instead of throwing.
 * Dry runs only say what would run. Every profile's ping URL is masked in what hooks are told.
 */
function hookRunner(context: Context, dryRun: boolean, config: Config) {
  const passphrase = config.tarsnap.passphrase;
  const secretUrls = config.profiles.flatMap((profile) => (profile.ping ? [profile.ping] : []));
  return {
    async run(
      event: HookEvent,
      commands: readonly string[][],
      vars: HookVars,
      input?: string,
    ): Promise<string | undefined> {
      if (commands.length === 0) return undefined;
      if (dryRun) {
        for (const argv of commands)
          context.logger.info(`[dry run] would run ${event} hook: ${formatCommandForLog(argv[0]!, argv.slice(1))}`);
        return undefined;
      }
      try {
        await runHooks(event, commands, vars, {
          logger: context.logger,
          passphrase,
          secretUrls,
          ...(input === undefined ? {} : { input }),
        });
        return undefined;
      } catch (error) {
        if (!(error instanceof HookError)) throw error;
        context.logger.error(error.message);
        return error.message;
      }
    },
  };
}

/**
 * One profile, start to end: ping start → before hooks → backup → prune → after/on_error and
 * finally hooks → state → ping success/fail. Returns its summary; never throws for expected failures.
 */
async function runProfile(
  config: Config,
  profile: Profile,
  deps: BackupDeps,
  context: Context,
  options: { dryRun: boolean; prune: boolean; progress: boolean },
): Promise<RunSummary> {
  const { dryRun } = options;
  const mark = context.logTail.mark();
  const ping = createPinger(dryRun ? undefined : profile.ping, { logger: context.logger, profile: profile.name });
  await ping.start();
  context.logger.info({ profile: profile.name }, dryRun ? 'dry run: backing up (nothing is stored)' : 'backing up');
  const started = now();
  const hooks = hookRunner(context, dryRun, config);
  const baseVars: HookVars = { profile: profile.name, config: config.file, dry_run: dryRun };

  let outcome: BackupOutcome & { summary: RunSummary };
  const beforeFailure = await hooks.run('before', profile.hooks.before, baseVars);
  if (beforeFailure) {
    outcome = { summary: failedSummary(profile.name, `${beforeFailure} (nothing was backed up)`) };
  } else {
    outcome = await backupProfile(config, profile, deps, { dryRun, progress: options.progress });
    // A failed backup never prunes: the archives it would thin out may be the only good ones.
    if (outcome.summary.status === 'ok' && options.prune)
      await pruneAfterBackup(config, profile, deps, outcome.summary, outcome.archive);
  }
  const summary = outcome.summary;
  const vars = (): HookVars => ({
    ...baseVars,
    status: summary.status,
    ...(summary.archive ? { archive: summary.archive } : {}),
    ...(summary.error ? { error: summary.error } : {}),
    ...(outcome.stats?.thisArchive
      ? { total_bytes: outcome.stats.thisArchive.total, compressed_bytes: outcome.stats.thisArchive.compressed }
      : {}),
    ...(outcome.stats?.newData ? { new_bytes: outcome.stats.newData.total } : {}),
    databases: summary.databases,
    writer_block_ms: Math.round(summary.writer_block_ms),
  });
  // on_error reads what a mail needs on stdin: the summary line, then this profile's log tail.
  const report = () => `${formatSummaryLine(summary)}\n\n${context.logTail.text(mark)}`;
  if (summary.status !== 'failed') {
    const afterFailure = await hooks.run('after', profile.hooks.after, vars());
    if (afterFailure) Object.assign(summary, { status: 'failed', error: `backup ok, but ${afterFailure}` });
  } else {
    await hooks.run('on_error', profile.hooks.on_error, vars(), report());
  }
  const finallyFailure = await hooks.run('finally', profile.hooks.finally, vars());
  if (finallyFailure && summary.status !== 'failed')
    Object.assign(summary, { status: 'failed', error: `backup ok, but ${finallyFailure}` });

  if (!dryRun) recordState(config, profile, context, summary, outcome, started);
  if (summary.status === 'failed') await ping.fail(`${formatSummaryLine(summary)}\n\n${context.logTail.text(mark)}`);
  else await ping.success(formatSummaryLine(summary));
  return summary;
}
